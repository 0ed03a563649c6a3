"""Build the offline bundle: ``python -m scripts.offline [OUT_DIR]``.

Builds the site with Material's offline plugin enabled (``DLNOTES_OFFLINE=true``:
``.html`` URLs, inlined search index, vendored iframe-worker shim) and zips it as
``<OUT_DIR>/dl-interview-notes-offline.zip``. Unzip and open ``index.html``.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "dl-interview-notes-offline"


def build(out_dir: Path, config_file: str = "mkdocs.yml") -> Path:
    out_dir = Path(out_dir).resolve()       # mkdocs runs in ROOT: a relative path would land elsewhere
    site = out_dir / NAME
    env = dict(os.environ, DLNOTES_OFFLINE="true", NO_MKDOCS_2_WARNING="1")
    env.pop("DLNOTES_REPO_URL", None)     # no "edit this page" links: the bundle is read offline
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config_file,
                           "-d", str(site)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"offline build failed:\n{proc.stderr[-4000:]}")
    if not (site / "index.html").is_file() or not (site / "zh" / "index.html").is_file():
        raise SystemExit(f"offline build wrote no site to {site}")
    archive = out_dir / f"{NAME}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(site.rglob("*")):
            if path.is_file():
                zf.write(path, Path(NAME) / path.relative_to(site))
    return archive


if __name__ == "__main__":
    out = (Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist").resolve()
    out.mkdir(parents=True, exist_ok=True)
    archive = build(out)
    print(f"{archive} ({archive.stat().st_size / 1e6:.1f} MB); open {out / NAME / 'index.html'}")
