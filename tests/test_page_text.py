"""The whole visible text of an HTML page (cleaner.io.page_text), the HTML path's
own text for the corpus rules."""

from __future__ import annotations

from cleaner.io.page_text import page_text


def test_block_elements_are_lines_and_inline_elements_run_on():
    html = ("<html><body><nav><ul><li><a href='/'>Home</a></li><li>Shop</li></ul></nav>"
            "<p>The <b>new</b> pack is <a href='#'>light</a>.</p><div>Price<br>$40</div>"
            "<table><tr><td>Weight</td><td>0.8 kg</td></tr></table></body></html>")
    assert page_text(html).split("\n") == ["Home", "Shop", "The new pack is light.", "Price", "$40", "Weight 0.8 kg"]


def test_a_table_keeps_its_rows_one_a_line_with_its_cells_in_order():
    html = ("<p>Monthly means at the station.</p><table><tr><th>Month</th><th>High</th></tr>"
            "<tr><td>January</td><td>5</td></tr><tr><td>Feb<b>ruary</b></td><td><p>7</p></td></tr></table>"
            "<p>Records since 1901.</p>")
    assert page_text(html).split("\n") == [
        "Monthly means at the station.", "Month High", "January 5", "February", "7", "Records since 1901."]


def test_text_never_shown_is_left_out_but_aria_hidden_text_is_on_screen():
    html = ("<html><head><title>T</title><style>p {}</style></head><body><script>var x = 1;</script>"
            "<noscript>Enable JavaScript</noscript><p hidden>Secret</p><!-- note --><p>Osprey"
            "<span aria-hidden='true'> (44)</span></p><template><p>Later</p></template></body></html>")
    assert page_text(html) == "Osprey (44)"


def test_whitespace_is_folded_and_an_empty_page_gives_nothing():
    assert page_text("<p>  two\n\n  words  </p><p> </p>") == "two words"
    assert page_text("") == "" and page_text("   ") == ""


def test_each_line_says_how_much_of_it_is_link_text():
    from cleaner.io.page_text import page_lines

    html = ("<ul><li><a href='/a'>Flood warning lifted</a></li></ul><p>The river fell <a href='/r'>overnight</a>.</p>"
            "<h2><a href='#more'>More</a> reading</h2><p>No links here.</p>")
    found = dict(page_lines(html))
    assert found["Flood warning lifted"] == 1.0  # a related-links headline
    assert 0 < found["The river fell overnight."] < 0.5  # a paragraph with a link
    assert found["More reading"] == 0.0  # an anchor on the page itself leads nowhere else
    assert found["No links here."] == 0.0
    assert page_text(html) == "\n".join(line for line, _ in page_lines(html))


# close_open_title: a <title> never closed would make the whole page its title


def test_an_unclosed_title_is_closed_at_the_end_of_its_line_and_the_body_is_read_again():
    from cleaner.io.html import extract_main_text
    from cleaner.io.page_text import close_open_title

    story = "".join(f"<p>The harbour board met on day {n} and agreed to dredge the channel before the spring "
                    f"tides, after a long debate about the cost of the work.</p>" for n in range(6))
    head = "<head><title>Harbour news library-->\n<script>var x = 1;</script></head>"
    html = f"<html>{head}<body>{story}</body></html>"
    closed = close_open_title(html)
    assert closed.startswith("<html><head><title>Harbour news library--></title>\n<script>")
    assert page_text(html) == page_text(closed)  # the page's own text (the corpus rules' evidence) as well
    assert "harbour board met on day 5" in page_text(html)
    assert "harbour board met on day 5" in extract_main_text(html, seconds=None, metadata=False)[0]


def test_an_unclosed_title_ends_at_the_first_markup_on_its_line():
    from cleaner.io.page_text import close_open_title

    assert close_open_title("<title>Gale warning<meta charset='utf-8'><p>x") == (
        "<title>Gale warning</title><meta charset='utf-8'><p>x")
    assert close_open_title("<TITLE>\n  Gale warning  \n<p>x") == "<TITLE>\n  Gale warning</title>  \n<p>x"
    assert close_open_title("<title>Gale warning") == "<title>Gale warning</title>"


def test_a_closed_title_and_titles_that_are_not_the_documents_are_left_alone():
    from cleaner.io.page_text import close_open_title

    for html in [
        "<title>Gale\n warning</title><p>x",  # over two lines, closed
        "<TITLE>Gale warning</TITLE ><p>x",
        "<p>no title at all</p>",
        "<svg><title>Share</svg><p>x",  # SVG's own title is an element, not the page's
        "<!-- <title> old --><p>x",
        "<script>document.write('<title>x');</script><p>x",
        "<textarea><title></textarea><p>x",
        "<title>Page</title><svg><title>Share</svg>",  # only the first title counts
    ]:
        assert close_open_title(html) == html, html
