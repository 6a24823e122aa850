"""Student HTML made inert in the pages nbconvert renders for nbgrader: feedback and formgrader.

Both `nbgrader generate_feedback` and formgrader (which builds `HTMLExporter(config=...)` itself) render
through nbconvert's HTMLExporter, so HTMLExporter's config reaches both. Its `sanitize_html` option is
not enough on its own: it makes nbconvert's templates pass cell outputs and raw cells through the
`clean_html` filter and drop JavaScript outputs, but nbgrader's `feedback` and `formgrade` templates
replace the markdown-cell block with `cell.source | markdown2html | strip_files_prefix`, never cleaned;
and nbconvert's own `clean_html` allows so few tags that paragraphs, headings and images would show as
escaped text. nbgrader_config.py therefore swaps in two Jinja filters (`HTMLExporter.filters`):
`markdown2html`, the exporter's own rendering (attachments, anchors, math) then cleaned, and
`clean_html`, the same cleaner. A tag outside the list is shown escaped, so the grader sees what was
written; event-handler attributes and `javascript:` links are dropped; `$…$` is text to the cleaner and
stays for MathJax.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import bleach
from bleach.css_sanitizer import CSSSanitizer
from jinja2 import pass_context
from traitlets.config import LoggingConfigurable

if TYPE_CHECKING:
    from nbconvert.exporters import HTMLExporter

TAGS = bleach.ALLOWED_TAGS | {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "span",
    "div",
    "sub",
    "sup",
    "del",
    "s",
    "u",
    "kbd",
    "mark",
    "small",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "img",
    "table",
    "caption",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
}
# data: only so that an image pasted into a markdown cell (an attachment, rendered as data:) still shows
PROTOCOLS = bleach.ALLOWED_PROTOCOLS | {"data"}
# what browsers ignore before a URL's scheme (bleach strips the same before it checks the protocol)
_IGNORED_IN_URL = re.compile(r"[`\000-\040\177-\240\s]+")


# no class or id: formgrader's own script finds its comment box by class (`.comment`) inside a cell, and page
# classes could hide or restyle the grading view; code in markdown loses its colours, nothing else
ON_EVERY_TAG = ["title", "style"]


def _link_attribute(tag: str, name: str, value: str) -> bool:
    """A link's href may be http(s), mailto or relative, never a data: document. (bleach asks only this
    function about an <a>'s attributes, not the "*" list too.)"""
    return name in ON_EVERY_TAG or (name == "href" and not _IGNORED_IN_URL.sub("", value).lower().startswith("data:"))


ATTRIBUTES = {
    "*": ON_EVERY_TAG,
    "a": _link_attribute,
    "img": ["src", "alt", "width", "height"],
    "th": ["colspan", "rowspan"],
    "td": ["colspan", "rowspan"],
}


def clean_html(html) -> str:
    """HTML with no script, event handler, iframe, form, style sheet or javascript: link left in it."""
    text = html.decode() if isinstance(html, bytes) else str(html)
    # a Cleaner per call, as bleach.clean makes: its parser is not thread-safe. The CSS sanitizer keeps only
    # bleach's harmless properties (no position, no url()).
    return bleach.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        protocols=PROTOCOLS,
        strip=False,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(),
    )


class CleanMarkdown2HTML(LoggingConfigurable):
    """Jinja filter replacing HTMLExporter's `markdown2html`: the exporter's own rendering, then `clean_html`.

    nbconvert constructs a configurable filter class with the exporter as its parent."""

    @pass_context
    def __call__(self, context, source: str) -> str:
        exporter = cast("HTMLExporter", self.parent)  # nbconvert makes the exporter this filter's parent
        return clean_html(exporter.markdown2html(context, source))

    # Jinja looks for pass_context's mark on the filter object itself, not on its __call__
    jinja_pass_arg = cast(Any, __call__).jinja_pass_arg
