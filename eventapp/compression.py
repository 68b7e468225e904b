"""gzip for responses worth it, when the client accepts it, with validators per encoding.

Feeds compress their cached bodies themselves (feeds.views); every other large page or text
export is compressed here after the view. A compressed representation is a different
representation: its strong ETag gets a "-gzip" suffix and every response says Vary: Accept-Encoding.
"""

from __future__ import annotations

import gzip

from flask import Response, request
from werkzeug.http import parse_accept_header

MIN_SIZE = 1400  # below one packet the header and the CPU cost more than they save
LEVEL = 6
# Pages and text exports; the JSON API is left to the proxy (its clients are scanners and integrations).
COMPRESSIBLE = {"text/html", "text/calendar", "text/csv", "text/plain", "image/svg+xml"}
GZIP_SUFFIX = "-gzip"


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (q > 0, by name or by "*")."""
    return bool(accept_encoding) and parse_accept_header(accept_encoding)["gzip"] > 0


def etag_for(etag: str, gzipped: bool) -> str:
    """The strong ETag of one encoding of a representation (unquoted)."""
    return etag + GZIP_SUFFIX if gzipped else etag


def add_vary(response: Response) -> None:
    if "accept-encoding" not in {v.lower() for v in response.vary}:
        response.vary.add("Accept-Encoding")


def compress_response(response: Response) -> Response:
    """after_request: gzip a large text response if the client accepts it."""
    if (response.status_code != 200 or response.direct_passthrough or response.is_streamed
            or "Content-Encoding" in response.headers or response.mimetype not in COMPRESSIBLE):
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    add_vary(response)
    if not accepts_gzip(request.headers.get("Accept-Encoding")):
        return response
    response.set_data(gzip.compress(data, LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(etag_for(etag, True), weak=bool(weak))
    return response
