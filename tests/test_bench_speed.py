"""bench/speed.py --corpus-html (issue 22): the pages are laid out one folder per site,
as a user stores them and as the corpus pack's template rule needs them, and the ratio
is given with its spread. Synthetic pages only: nothing here reads the bench datasets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import speed_html  # noqa: E402


def test_pages_go_to_their_sites_folder_by_url_host_else_site_else_alone(tmp_path):
    html = tmp_path / "set" / "html"
    html.mkdir(parents=True)
    rows = [{"id": "1", "url": "https://www.shop.example/a"}, {"id": "2", "url": "http://shop.example/b"},
            {"id": "3", "site": "docs.example"}, {"id": "4"}]
    (tmp_path / "set" / "gold.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    for row in rows:
        (html / f"{row['id']}.html.gz").write_bytes(b"page " + row["id"].encode())
    dest = tmp_path / "pages"
    assert speed_html.lay_out_by_site(html, dest) == 4
    found = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*.html.gz"))
    assert found == ["4/4.html.gz", "docs.example/3.html.gz", "shop.example/1.html.gz", "shop.example/2.html.gz"]
    assert (dest / "shop.example" / "2.html.gz").read_bytes() == b"page 2"


def test_without_gold_the_pages_keep_their_place(tmp_path):
    html = tmp_path / "html"
    html.mkdir()
    (html / "a.html").write_text("<p>a</p>", encoding="utf-8")
    assert speed_html.lay_out_by_site(html, tmp_path / "pages") == 1
    assert (tmp_path / "pages" / "a.html").is_file()


def test_the_ratio_is_given_as_median_and_range():
    assert speed_html.spread([1.4, 1.1, 1.3]) == "1.30x (1.10-1.40)"
    assert speed_html.spread([1.0, 2.0]) == "1.50x (1.00-2.00)"
