"""Feeds a person can open: an `xml-stylesheet` processing instruction that makes a browser show
an RSS or Atom feed as a page (static/feed.xsl, in the feed's language, with how to subscribe).

Feed readers ignore the instruction. The stylesheet is linked root-relative (with the base path)
because browsers apply XSLT only from the feed's own origin.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

STYLESHEET = "feed.xsl"  # in static/


def with_stylesheet(xml: bytes, href: str) -> bytes:
    """Insert `<?xml-stylesheet href=… type="text/xsl"?>` after the XML declaration of `xml`."""
    pi = f"<?xml-stylesheet href={quoteattr(href)} type=\"text/xsl\"?>\n".encode()
    if xml.startswith(b"<?xml "):
        end = xml.index(b"?>") + 2
        return xml[:end] + b"\n" + pi + xml[end:].lstrip(b"\n")
    return pi + xml
