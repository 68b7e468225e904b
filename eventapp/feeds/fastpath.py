"""A WSGI fast path: a public feed's 304 answered from the version memo before Flask runs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.http import parse_etags, remove_entity_headers

from eventapp import compression, logs
from eventapp.feeds import cache, services
from eventapp.feeds.views import validator_headers
from eventapp.web import security_headers

# Only the public feeds: anyone may poll them, so there is no token, session or limit to check.
PUBLIC_FEEDS = {"/calendar.ics": services.public_scope().key} | {
    f"/calendar/{slug}.ics": services.public_scope(kind).key for slug, kind in services.KIND_SLUGS.items()}


class NotModifiedFastPath:
    """Hundreds of calendar clients poll the same feed, and nearly every poll is unchanged.

    When a poll's If-None-Match names the version the app itself confirmed less than
    FEED_VERSION_TTL seconds ago, the answer is that same 304, so it is given here without
    building a request, a session or a database round trip. Every other request, and every
    poll the memo cannot answer, goes to the app, which stays the one place that decides.
    """

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.config = app.config
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        key = PUBLIC_FEEDS.get(environ.get("PATH_INFO", ""))
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if key is None or not if_none_match or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        version = cache.version_memo.recent(key, self.config.get("FEED_VERSION_TTL", 0))
        if version is None:
            return self.wsgi_app(environ, start_response)
        gzipped = compression.accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        if not parse_etags(if_none_match).contains_weak(compression.etag_for(version.etag, gzipped)):
            return self.wsgi_app(environ, start_response)
        request_id = logs.request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        headers = Headers([*validator_headers(version, private=False, gzipped=gzipped).items(),
                           *security_headers(bool(self.config.get("SESSION_COOKIE_SECURE"))),
                           ("X-Request-ID", request_id)])
        remove_entity_headers(headers)  # as werkzeug does for the app's own 304
        start_response("304 NOT MODIFIED", headers.to_wsgi_list())
        if self.config.get("ACCESS_LOG", False):
            logs.log_access(request_id, environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), 304, started)
        return []
