"""Markdown written in the editor becomes safe HTML: nothing a browser would execute survives."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from explainers.rendering import plain_text, render_markdown
from tests.factories import make_explainer

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "svg",
    "math",
    "meta",
    "link",
    "base",
    "frame",
    "frameset",
    "applet",
    "noscript",
    "template",
    "details",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "xlink:href", "poster", "background", "data"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
C0_AND_SPACE = "".join(map(chr, range(0x21)))


class Markup(HTMLParser):
    """Collect every start tag and its attributes, as a browser's tokenizer would see them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def scheme_of(url):
    """Return the scheme a browser would see (WHATWG: trim C0 controls and spaces, drop tabs and newlines)."""
    compact = re.sub(r"[\t\n\r]", "", url.strip(C0_AND_SPACE))
    return urlsplit(compact).scheme.lower()


def assert_nothing_executable(html):
    for tag, attrs in Markup(html).tags:
        assert tag not in FORBIDDEN_TAGS, f"<{tag}> survived in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name}= survived in {html!r}"
            assert name != "style", f"style= survived in {html!r}"
            if name in URL_ATTRIBUTES:
                assert scheme_of(value) in SAFE_SCHEMES, f"{name}={value!r} survived in {html!r}"


HOSTILE = {
    "script tag": "<script>alert(1)</script>",
    "script tag in a paragraph": "Before <script>alert(1)</script> after.",
    "script with odd casing": "<ScRiPt>alert(1)</sCrIpT>",
    "img onerror": '<img src="x" onerror="alert(1)">',
    "svg onload": "<svg onload=alert(1)><circle r=4 /></svg>",
    "svg with script": "<svg><script>alert(1)</script></svg>",
    "markdown javascript link": "[click me](javascript:alert(1))",
    "mixed case javascript link": "[click me](JaVaScRiPt:alert(1))",
    "javascript link with leading spaces": "[click me](  javascript:alert(1))",
    "javascript link with a tab in the scheme": "[click me](java\tscript:alert(1))",
    "data html link": "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data svg image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "javascript image": "![x](javascript:alert(1))",
    "raw iframe": '<iframe src="https://evil.example/"></iframe>',
    "raw object": '<object data="https://evil.example/x.swf"></object>',
    "raw embed": '<embed src="https://evil.example/x.swf">',
    "raw style": "<style>body { display: none }</style>",
    "style attribute": '<p style="position:fixed;top:0;left:0;width:100%;height:100%">Click</p>',
    "vbscript link": '<a href="vbscript:msgbox(1)">x</a>',
    "entity encoded javascript": '<a href="&#106;avascript:alert(1)">x</a>',
    "hex entity encoded javascript": '<a href="&#x6A;&#x61;vascript:alert(1)">x</a>',
    "colon entity": '<a href="javascript&colon;alert(1)">x</a>',
    "markdown link with entity encoded scheme": "[x](&#106;avascript:alert(1))",
    "form and input": '<form action="https://evil.example/"><input name="password"><button>Go</button></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base tag": '<base href="https://evil.example/">',
    "link stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "reference style javascript link": "[click me][bad]\n\n[bad]: javascript:alert(1)",
    "reference style javascript link with title": '[click me][bad]\n\n[bad]: javascript:alert(1) "Title"',
    "javascript autolink": "<javascript:alert(1)>",
    "attribute list onclick": '# Heading {: onclick="alert(1)" }\n\nText {: onmouseover="alert(1)" }',
    "div onmouseover": '<div onmouseover="alert(1)">hover</div>',
    "details ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "markdown inside html block": '<div markdown="1">[x](javascript:alert(1))</div>',
    "image srcset": '<img src="https://example.org/a.png" srcset="javascript:alert(1) 1x">',
    "textarea breakout": "<textarea></textarea><script>alert(1)</script>",
    "comment breakout": "<!-- --><script>alert(1)</script> -->",
    "math": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
}


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_to_nothing_executable(markdown):
    html = render_markdown(markdown)

    assert_nothing_executable(html)


@pytest.mark.parametrize(
    "markdown",
    ["<script>alert(1)</script>", "<style>body { display: none }</style>", "<svg><script>alert(1)</script></svg>"],
)
def test_the_contents_of_script_and_style_elements_are_removed_too(markdown):
    html = render_markdown(markdown)

    assert "alert" not in html
    assert "display" not in html


def test_a_javascript_link_keeps_its_text_but_loses_its_address():
    assert render_markdown("[click me](javascript:alert(1))") == '<p><a rel="noopener noreferrer">click me</a></p>'


def test_raw_html_around_text_keeps_the_text():
    assert render_markdown('<p style="color:red" onclick="x()">Plain words.</p>') == "<p>Plain words.</p>"


# -- good Markdown survives ------------------------------------------------------------


def test_lists_survive():
    html = render_markdown("- muscle weakness\n- skin rash\n\n3. third\n4. fourth")

    assert "<ul>\n<li>muscle weakness</li>\n<li>skin rash</li>\n</ul>" in html
    assert '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>' in html


def test_tables_survive():
    html = render_markdown("| Test | Result |\n|---|---|\n| CK | Raised |")

    assert [tag for tag, _ in Markup(html).tags] == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert "<th>Test</th>" in html
    assert "<td>Raised</td>" in html


def test_emphasis_quotes_and_code_survive():
    html = render_markdown("**Strong** and *gentle*.\n\n> A quote.\n\n`CK`")

    assert "<strong>Strong</strong>" in html
    assert "<em>gentle</em>" in html
    assert "<blockquote>\n<p>A quote.</p>\n</blockquote>" in html
    assert "<code>CK</code>" in html


@pytest.mark.parametrize(
    ("markdown", "heading"),
    [
        ("# One", "<h3>One</h3>"),
        ("## Two", "<h4>Two</h4>"),
        ("### Three", "<h5>Three</h5>"),
        ("#### Four", "<h6>Four</h6>"),
        ("###### Six", "<h6>Six</h6>"),
        ("Setext\n======", "<h3>Setext</h3>"),
    ],
)
def test_headings_are_shifted_below_the_page_and_section_headings(markdown, heading):
    html = render_markdown(markdown)

    assert html == heading
    assert "<h1" not in html and "<h2" not in html


@pytest.mark.parametrize(
    ("markdown", "href"),
    [
        ("[NHS](https://www.nhs.uk/conditions/)", "https://www.nhs.uk/conditions/"),
        ("[PubMed](http://pubmed.ncbi.nlm.nih.gov/1/)", "http://pubmed.ncbi.nlm.nih.gov/1/"),
        ("[Write to us](mailto:editors@example.org)", "mailto:editors@example.org"),
        ("[Our policy](/about/editorial-policy/)", "/about/editorial-policy/"),
        ("<https://www.nhs.uk/>", "https://www.nhs.uk/"),
    ],
)
def test_safe_links_survive_with_rel_noopener(markdown, href):
    (tag, attrs), *_ = [(t, a) for t, a in Markup(render_markdown(markdown)).tags if t == "a"]

    assert attrs["href"] == href
    assert attrs["rel"] == "noopener noreferrer"


def test_uploaded_images_survive():
    html = render_markdown('![A rash on the knuckles](/media/uploads/rash.png "Gottron papules")')

    assert Markup(html).tags == [
        ("p", {}),
        ("img", {"src": "/media/uploads/rash.png", "alt": "A rash on the knuckles", "title": "Gottron papules"}),
    ]


def test_footnotes_get_the_anchor_prefix():
    html = render_markdown("Raised CK.[^1]\n\n[^1]: A blood test.", anchor_prefix="s2-")

    assert '<sup id="s2-fnref:1"><a class="footnote-ref" href="#s2-fn:1"' in html
    assert '<li id="s2-fn:1">' in html
    assert 'href="#s2-fnref:1"' in html
    assert '<div class="footnote">' in html
    assert 'id="fn:1"' not in html


def test_footnotes_keep_their_ids_without_a_prefix():
    html = render_markdown("Raised CK.[^1]\n\n[^1]: A blood test.")

    assert '<sup id="fnref:1">' in html
    assert '<li id="fn:1">' in html


def test_raw_ids_cannot_take_over_the_pages_own_anchors():
    html = render_markdown('<ol><li id="answer">One</li></ol>\n\nText<sup id="main">2</sup>', anchor_prefix="s1-")

    assert "id=" not in html
    assert "<li>One</li>" in html
    assert "<sup>2</sup>" in html


def test_plain_text_has_no_markup():
    assert plain_text("# Title\n\nSome **bold** [link](https://example.org) <script>x()</script>") == (
        "Title Some bold link"
    )


# -- the frozen snapshot ---------------------------------------------------------------


def test_the_snapshot_of_a_hostile_section_is_clean(author):
    hostile = "\n\n".join(HOSTILE.values())
    explainer = make_explainer(author=author, sections=(f"A heading\n\nSafe words. {hostile}",))

    version = explainer.submit_for_review(by=author)

    (section,) = version.sections
    assert section["body"].startswith("Safe words. <script>")  # the Markdown is kept as written
    assert "Safe words." in section["html"]
    assert_nothing_executable(section["html"])
    assert version.body_text.startswith("A heading\nSafe words. Before after. click me")
    assert "<" not in version.body_text


def test_footnote_anchors_are_unique_across_the_sections_of_a_snapshot(author):
    explainer = make_explainer(
        author=author,
        sections=("Onset\n\nFirst.[^1]\n\n[^1]: Note one.", "Course\n\nSecond.[^1]\n\n[^1]: Note two."),
    )

    version = explainer.submit_for_review(by=author)

    ids = [attrs["id"] for section in version.sections for _, attrs in Markup(section["html"]).tags if "id" in attrs]
    assert ids == ["s1-fnref:1", "s1-fn:1", "s2-fnref:1", "s2-fn:1"]
