"""``manifest.versions`` names every library that shapes a run's output, and of the two
HTML extractors only the one the run used (issue 21, item 22)."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.io import resiliparse_html

needs_resiliparse = pytest.mark.skipif(not resiliparse_html.available(), reason="pip install 'cleaner[resiliparse]'")
PAGE = ("<html><head><title>Notes</title></head><body><article><p>The council approved the budget on Tuesday "
        "after a long debate about school funding, officials said.</p></article></body></html>")


def versions_of_a_run(tmp_path: Path, *options: str) -> dict[str, str]:
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(src), str(tmp_path / "out"), "-q", "-j1", *options])
    assert result.exit_code == 0, result.output
    return json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["versions"]


@pytest.mark.parametrize("library", ["justext", "datasketch", "lxml", "ftfy", "regex", "charset-normalizer"])
def test_the_libraries_that_shape_output_are_listed_with_their_installed_version(tmp_path, library):
    assert versions_of_a_run(tmp_path)[library] == version(library)


def test_a_trafilatura_run_lists_trafilatura_and_its_date_finder_not_resiliparse(tmp_path):
    versions = versions_of_a_run(tmp_path)
    assert versions["trafilatura"] == version("trafilatura")
    assert versions["htmldate"] == version("htmldate")
    assert "resiliparse" not in versions


@needs_resiliparse
def test_a_resiliparse_run_lists_resiliparse_not_trafilatura(tmp_path):
    versions = versions_of_a_run(tmp_path, "--extractor", "resiliparse")
    assert versions["resiliparse"] == version("resiliparse")
    assert "trafilatura" not in versions and "htmldate" not in versions
