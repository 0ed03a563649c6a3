"""Serve a built site on 127.0.0.1 under its ``site_url`` path, for bench, pdf and lighthouse.

``serve(site)`` resolves ``site`` first (a relative ``site`` once became a symlink that
pointed nowhere, so every page was a 404 and ``make pdf`` printed the error page), refuses a
directory that is not a built site, and serves it gzip-compressed as GitHub Pages does.
Whoever loads a page through it checks the answer with :func:`require_ok`: anything but
HTTP 200 is an error, never a result.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import io
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_SITE_URL = "http://127.0.0.1:8000/dl-interview-notes/"


class SiteError(RuntimeError):
    """The site could not be served, or a page of it did not load (not HTTP 200)."""


def site_path_prefix() -> str:
    """The path part of site_url (mkdocs.yml, or $SITE_URL), e.g. '/dl-interview-notes/'."""
    from tests.pages import mkdocs_config
    path = urlparse(mkdocs_config()["site_url"] or DEFAULT_SITE_URL).path or "/"
    return path if path.endswith("/") else path + "/"


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed for text types as GitHub Pages serves them."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".tsv", ".txt", ".ipynb")

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix not in self.TEXT or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        if not self.path.split("?")[0].endswith("/") and Path(self.translate_path(self.path)).is_dir():
            return super().send_head()            # let the base class redirect to the slash URL
        body = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


class SiteServer(http.server.ThreadingHTTPServer):
    """A threading server that removes its temporary mount directory on shutdown."""

    mount_root: Path | None = None

    def handle_error(self, request, client_address):
        import sys
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return                    # a browser that closed a connection it no longer needed
        super().handle_error(request, client_address)

    def shutdown(self):
        super().shutdown()
        self.server_close()
        if self.mount_root is not None:
            shutil.rmtree(self.mount_root, ignore_errors=True)


def serve(site: Path | str, prefix: str | None = None) -> tuple[SiteServer, str]:
    """Serve ``site`` under ``prefix`` (default: the site_url path); return (server, base URL).

    Call ``server.shutdown()`` when done.
    """
    site = Path(site).resolve()
    if not (site / "index.html").is_file():
        raise SiteError(f"{site} is not a built site (no index.html): run `make build` first")
    prefix = prefix if prefix is not None else site_path_prefix()
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    mount_root = None
    directory = site
    if prefix != "/":
        mount_root = Path(tempfile.mkdtemp(prefix="dlnotes-serve-"))
        mount = mount_root / prefix.strip("/")
        mount.parent.mkdir(parents=True, exist_ok=True)
        mount.symlink_to(site, target_is_directory=True)
        directory = mount_root
    server = SiteServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(directory)))
    server.mount_root = mount_root
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}{prefix}"


def require_ok(response, url: str) -> None:
    """Raise :class:`SiteError` unless ``response`` (Playwright or urllib) is HTTP 200."""
    status = None if response is None else getattr(response, "status", None)
    if status != 200:
        raise SiteError(f"{url} answered HTTP {status}, not 200: the served directory is not the built "
                        f"site, or the page is missing")


def get_ok(url: str) -> None:
    """GET ``url`` and raise :class:`SiteError` unless it answers HTTP 200."""
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            require_ok(resp, url)
    except urllib.error.HTTPError as e:
        require_ok(e, url)
