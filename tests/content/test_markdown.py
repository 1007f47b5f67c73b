from __future__ import annotations

from lms.content.markdown import render, split_title


def test_script_tags_are_shown_as_text_never_run():
    html = render('Before <script>alert("x")</script> after\n\n<img src=x onerror="alert(1)">\n')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_javascript_and_data_links_are_not_links():
    html = render("[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](vbscript:x) [d](data:text/html;base64,xx)"
                  " [e](&#106;avascript:alert(1))\n")
    assert "<a " not in html
    assert "href" not in html


def test_safe_links_keep_working_and_external_ones_get_noopener():
    html = render("[EUR-Lex](https://eur-lex.europa.eu/eli/reg/2017/745/oj) [next](../other) [mail](mailto:a@b.eu)\n")
    assert '<a href="https://eur-lex.europa.eu/eli/reg/2017/745/oj" rel="noopener noreferrer">EUR-Lex</a>' in html
    assert '<a href="../other">next</a>' in html
    assert 'href="mailto:a@b.eu"' in html


def test_tables_callouts_footnotes_and_images_render():
    html = render(
        "| Class | Rule |\n|---|---|\n| III | 8 |\n\n"
        "::: warning Sample material\nPending review.\n:::\n\n"
        "A claim.[^1]\n\n[^1]: Regulation (EU) 2017/745, Article 51.\n\n"
        "![Flow of a conformity assessment](https://example.org/figure.png)\n"
    )
    assert "<table>" in html and "<th>Class</th>" in html
    assert '<div class="callout callout-warning" role="note">' in html
    assert '<p class="callout-title">Sample material</p>' in html
    assert 'class="footnote-ref"' in html and "Article 51." in html
    assert '<img src="https://example.org/figure.png" alt="Flow of a conformity assessment" loading="lazy">' in html


def test_callout_titles_are_escaped():
    html = render('::: note <b onclick="x">Hi</b>\ntext\n:::\n')
    assert "<b onclick" not in html and "&lt;b onclick=" in html


def test_title_line_is_split_from_the_body():
    assert split_title("# Risk classification\n\n## Objectives\n") == ("Risk classification", "\n## Objectives\n")
    assert split_title("No heading\n") == (None, "No heading\n")
    assert split_title("#\n") == (None, "#\n")
