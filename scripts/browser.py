"""The one place that finds the browser: tests, ``make bench``, ``make pdf``, ``make lighthouse``.

Order: the ``DLNOTES_BROWSER`` environment variable (a path or a command name; if set, it
must work: no silent fallback), then ``chromium`` (Debian), ``chromium-browser`` (Ubuntu,
often only a snap shim), ``google-chrome`` and ``google-chrome-stable`` (preinstalled on
GitHub's Ubuntu runners) on ``PATH``. A candidate counts only if ``<it> --version``
succeeds, so a snap shim that merely says "install the snap" is skipped. When none works,
:class:`BrowserNotFound` names everything that was tried and why it failed.

``python -m scripts.browser`` prints the browser found (or the reason, exit 1).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

ENV = "DLNOTES_BROWSER"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless flags every caller uses (Debian's chromium needs --no-sandbox as root).
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


class BrowserNotFound(RuntimeError):
    """No working Chromium-family browser; the message lists every candidate tried."""


def _works(exe: str) -> str | None:
    """None if ``exe --version`` succeeds, else why it does not."""
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{type(e).__name__}: {e}"
    if proc.returncode != 0:
        out = (proc.stdout + proc.stderr).strip().splitlines()
        return f"`--version` exited {proc.returncode}" + (f": {out[0][:120]}" if out else "")
    return None


def find_browser(environ: dict | None = None) -> str:
    """Absolute path of the browser to drive; raises :class:`BrowserNotFound`."""
    environ = os.environ if environ is None else environ
    path = environ.get("PATH", os.defpath)
    tried: list[str] = []
    wanted = environ.get(ENV, "").strip()
    if wanted:
        exe = shutil.which(wanted, path=path)
        why = "not an executable file, nor a command on PATH" if exe is None else _works(exe)
        if why is None:
            return os.path.abspath(exe)
        raise BrowserNotFound(f"${ENV}={wanted!r} does not work: {why}. Point {ENV} at a Chromium or "
                              f"Chrome executable, or unset it to search PATH for {', '.join(CANDIDATES)}.")
    tried.append(f"${ENV} (not set)")
    for name in CANDIDATES:
        exe = shutil.which(name, path=path)
        if exe is None:
            tried.append(f"{name} (not on PATH)")
            continue
        why = _works(exe)
        if why is None:
            return os.path.abspath(exe)
        tried.append(f"{name} at {exe} ({why})")
    raise BrowserNotFound("no Chromium-family browser found; tried: " + "; ".join(tried)
                          + f". Install one (Debian: apt-get install chromium fonts-wqy-microhei) "
                            f"or set {ENV} to its path.")


if __name__ == "__main__":
    try:
        print(find_browser())
    except BrowserNotFound as e:
        sys.exit(str(e))
