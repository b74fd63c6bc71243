"""The locked URL fetcher of `exitprog.pdf`: the app's static files and nothing else."""

import functools
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

from exitprog.pdf import REPORT_ORIGIN, STATIC_SCHEME, RefusedURL


class StaticFilesURLFetcher(URLFetcher):
    """Serves only the app's static files; every other URL is refused.

    Never calls the parent's `fetch`, so no urllib handler (file, http, ftp, data) is ever
    opened. WeasyPrint turns the refusal into a warning and leaves the resource out.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)

    def static_path(self, url: str) -> str:
        """The path of `url` under STATIC_URL, or `RefusedURL`."""
        parts = urlsplit(url)
        if parts.scheme == STATIC_SCHEME and not parts.netloc:
            path = parts.path
        elif f"{parts.scheme}://{parts.netloc}" == REPORT_ORIGIN:
            prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            if not parts.path.startswith(prefix):
                raise RefusedURL(f"not a static file: {url}")
            path = parts.path.removeprefix(prefix)
        else:
            raise RefusedURL(f"refused: {url}")
        path = unquote(path).lstrip("/")
        if not path or any(part in ("", ".", "..") for part in path.split("/")):
            raise RefusedURL(f"not a static file: {url}")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self.static_path(url)
        found = finders.find(path)
        if not found or isinstance(found, list):
            raise RefusedURL(f"no such static file: {url}")
        file = Path(found)
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=file.read_bytes(), headers={"Content-Type": content_type}
        )


@functools.cache
def fetcher() -> StaticFilesURLFetcher:
    """One fetcher per process: making one costs about 30 ms (the parent class builds urllib
    handlers and a TLS context that are never used), and it keeps no state between URLs."""
    return StaticFilesURLFetcher()
