"""What members see of what they wrote: a safe Markdown subset with #hashtags and @mentions linked."""
from __future__ import annotations

import re

import pytest

from portal.kernel import text as markup


def render(text: str, known: set[str] = frozenset()) -> markup.Rendered:
    return markup.render(text, tag_url=lambda tag: f"/tags/{tag}", member_url=lambda handle: f"/@{handle}",
                         known_handles=known)


def links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]*)"', html)


# -- the Markdown subset -------------------------------------------------------


def test_bold_italic_code_and_lists_render():
    html = render("**loud** and *soft* and `x = 1`\n\n- one\n- two\n\n1. first\n2. second").html

    assert "<strong>loud</strong>" in html
    assert "<em>soft</em>" in html
    assert "<code>x = 1</code>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


def test_fenced_code_keeps_its_text_verbatim():
    html = render("```\nfor x in y:\n    print('<b>')\n```").html

    assert html.startswith("<pre><code>")
    assert "    print('&lt;b&gt;')" in html


def test_strikethrough_renders_as_struck_text():
    html = render("the ~~old~~ new price").html

    assert re.search(r"<(s|del)>old</\1>", html), html


def test_bare_urls_are_linked_with_nofollow_ugc():
    html = render("see https://example.com/shop?x=1 now").html

    assert links(html) == ["https://example.com/shop?x=1"]
    assert 'rel="nofollow ugc"' in html


def test_markdown_links_get_nofollow_ugc():
    html = render("[our shop](https://example.com/shop)").html

    assert '<a href="https://example.com/shop" rel="nofollow ugc">our shop</a>' in html


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="https://evil.example" onclick="steal()">click</a>',
    "<iframe src=https://evil.example></iframe>",
])
def test_raw_html_is_shown_as_text_not_run(text):
    html = render(text).html

    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert not re.search(r"<[^>]*\son\w+=", html)  # no event handler on any real tag
    assert "&lt;" in html  # the member sees what they typed


@pytest.mark.parametrize("text", [
    "[click me](javascript:alert(1))",
    "[click me](JAVASCRIPT:alert(1))",
    "[click me](data:text/html;base64,PHNjcmlwdD4=)",
    "<javascript:alert(1)>",
    "[click me](vbscript:msgbox)",
])
def test_script_links_are_dropped(text):
    html = render(text).html

    assert "javascript:" not in " ".join(links(html)).lower()
    assert not any(href.lower().startswith(("javascript", "data", "vbscript")) for href in links(html))


def test_images_are_not_embedded():
    html = render("![tracker](https://evil.example/pixel.png)").html

    assert "<img" not in html
    assert "tracker" in html  # the alt text is still shown


@pytest.mark.parametrize("text", ["# Big title", "Big title\n=========", "## Big title"])
def test_headings_stay_plain_paragraph_text(text):
    html = render(text).html

    assert not re.search(r"<h\d", html)
    assert html.startswith("<p>") and "Big title" in html


# -- hashtags ---------------------------------------------------------------------


def test_hashtags_are_linked_lower_cased():
    found = render("Loving the #NewFlavour and #summer_2026!")

    assert '<a href="/tags/newflavour" class="hashtag" rel="nofollow ugc">#NewFlavour</a>' in found.html
    assert '<a href="/tags/summer_2026" class="hashtag" rel="nofollow ugc">#summer_2026</a>' in found.html
    assert found.hashtags == {"newflavour", "summer_2026"}


def test_unicode_hashtags_are_linked():
    found = render("Vive l'#été et le #café")

    assert found.hashtags == {"été", "café"}
    assert ">#été</a>" in found.html and ">#café</a>" in found.html


def test_digits_only_is_not_a_hashtag():
    found = render("We are #1 and issue #42 is fixed, but #2026launch is a tag")

    assert found.hashtags == {"2026launch"}
    assert "#1 and issue #42" in found.html


def test_no_hashtags_inside_code_spans_code_blocks_or_links():
    found = render("`#notatag` and\n\n```\n#nottag either\n```\n\n[#linktext](https://example.com) "
                   "https://example.com/page#anchor and a#b")

    assert found.hashtags == set()
    assert 'class="hashtag"' not in found.html


def test_html_entities_do_not_make_hashtags():
    found = render("it&#39;s fine &#x27;")

    assert found.hashtags == set()


# -- cleaning what was typed ---------------------------------------------------------


def test_text_is_trimmed_with_one_kind_of_line_break(app):
    errors: dict = {}

    assert markup.clean_text("  hello\r\nthere  \n", 50, errors) == "hello\nthere"
    assert errors == {}


def test_missing_or_too_long_text_is_reported_on_its_field(app):
    errors: dict = {}

    markup.clean_text("   ", 10, errors)
    markup.clean_text("x" * 11, 10, errors, "title")

    assert [str(m) for m in errors["body"]] == ["Write something first."]
    assert [str(m) for m in errors["title"]] == ["Keep it under 10 characters (this is 11)."]


def test_optional_text_may_stay_empty(app):
    errors: dict = {}

    assert markup.clean_text(None, 10, errors, required=False) == ""
    assert errors == {}
