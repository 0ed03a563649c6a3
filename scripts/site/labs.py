"""Labs: notebooks executed once per distinct code, and their HTML made fit for the site.

Events: ``on_pre_build`` (``jobs``: the labs whose page is not cached, executed by
``background`` beside the figures, so a cold build uses both cores), ``on_post_page``
(``post_page``: heading ids, a shared pruned stylesheet, images as lazy files with alt
text). ``executed_copy`` is what ``patches`` routes mkdocs-jupyter's execution to.
Owns: ``.cache/nb-exec``, ``.cache/css-prune``, ``.cache/nb-images``, ``assets/nb`` and
``assets/css/jupyter-*.css`` in the site. Must not touch: non-notebook pages.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import html as _html
import io
import json
import os
import re
import tempfile
from pathlib import Path

from scripts.site import css_prune
from scripts.site.common import CACHE_DIR, ONE_THREAD_ENV, ROOT_PREFIX_RE, Job, dlnotes_digest, log


def _outputs_path(nb_path: str) -> Path:
    """Where ``lab_outputs`` keeps the executed notebook: keyed by its code and dlnotes."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    key = hashlib.sha256((json.dumps(code) + dlnotes_digest()).encode()).hexdigest()[:20]
    return CACHE_DIR / "nb-exec" / f"{key}.ipynb"


def lab_outputs(nb_path: str, kernel_name: str, allow_errors: bool):
    """The executed notebook for ``nb_path``: run once per distinct code (the EN and ZH
    twins share it), cached by the hash of its code cells and of dlnotes."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(nb_path, as_version=4)
    cached = _outputs_path(nb_path)
    if cached.exists():
        return nbformat.read(cached, as_version=4)
    log.info(f"running lab: {nb_path}")
    executed = copy.deepcopy(nb)
    NotebookClient(executed, timeout=600, kernel_name=kernel_name or "python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(Path(nb_path).parent)}}).execute(env=ONE_THREAD_ENV)
    cached.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(executed, cached)
    return executed


def executed_copy(nb_path: str, kernel_name: str, allow_errors: bool) -> str:
    """A copy of ``nb_path`` (its own Markdown cells) carrying the outputs of ``lab_outputs``."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    executed = lab_outputs(nb_path, kernel_name, allow_errors)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell, done in zip(code, [c for c in executed.cells if c.cell_type == "code"]):
        cell.outputs, cell.execution_count = done.outputs, done.execution_count
    out = Path(tempfile.mkdtemp(prefix="dlnotes-nb-")) / Path(nb_path).name
    nbformat.write(nb, out)
    return str(out)


def jobs(config) -> list[Job]:
    """The labs whose rendered page is not cached yet, as background jobs (run before the
    pages render, beside the figures, instead of one by one while pages render). Each
    runs ``lab_outputs``: the EN and ZH twins share one run."""
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None or not plugin.config["execute"]:
        return []
    import mkdocs_jupyter.plugin as mjp

    out = {}
    for nb in sorted(Path(config.docs_dir).rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb.parts:
            continue
        page_cache = mjp._get_cache_path(plugin.config["cache_dir"],
                                         mjp._compute_cache_key(str(nb), plugin.config, True))
        outputs = _outputs_path(str(nb))
        if (plugin.config["cache"] and page_cache.exists()) or outputs.exists() or outputs in out:
            continue                     # a Chinese twin with the same code shares the run
        rel = nb.relative_to(config.docs_dir).as_posix()
        out[outputs] = Job(f"lab:{rel}", "scripts.site.labs", "lab_outputs",
                           (str(nb), plugin.config["kernel_name"], plugin.config["allow_errors"]),
                           guess=6.0, label=f"lab {rel}")
    return list(out.values())


def is_lab(page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def post_page(output: str, page) -> str:
    """A lab page's HTML: TOC-matching heading ids, linked pruned CSS, image files."""
    output = heading_ids(output, page)
    output = shared_css(output, page)
    return images(output, page)


NB_HEADING_RE = re.compile(r'<h(?P<level>[1-6]) id="(?P<id>[^"]*)"(?P<rest>.*?)</h(?P=level)>', re.S)


def heading_ids(output: str, page) -> str:
    """Give a notebook's headings the ids its table of contents links to.

    nbconvert drops non-ASCII characters from heading ids and does not make them
    unique (a Chinese-only heading gets id=""), while the TOC that mkdocs-jupyter
    builds de-duplicates (#crf, #crf_1, #_1). Headings and TOC entries come in the
    same order, so the i-th heading takes the i-th TOC anchor.
    """
    anchors = []

    def walk(items):
        for item in items:
            anchors.append(item.id)
            walk(item.children)
    walk(page.toc)
    it = iter(anchors)

    def fix(m):
        new = next(it, None)
        if new is None:
            return m.group(0)
        rest = m["rest"].replace(f'href="#{m["id"]}"', f'href="#{new}"')
        return f'<h{m["level"]} id="{new}"{rest}</h{m["level"]}>'
    return NB_HEADING_RE.sub(fix, output)


STYLE_RE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.S)


def _pruned_css(css: str, classes: set[str]) -> str:
    """``css_prune.prune``, cached on disk by the stylesheet and the class set."""
    key = hashlib.sha256((css + "\0" + " ".join(sorted(classes))).encode()).hexdigest()[:20]
    cached = CACHE_DIR / "css-prune" / f"{key}.css"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    out = css_prune.prune(css, classes)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(out, encoding="utf-8")
    return out


def shared_css(output: str, page) -> str:
    """Replace the ~590 KB of JupyterLab CSS that mkdocs-jupyter inlines into every
    notebook page by a linked file with only the rules this page can use (~19 KB,
    3 KB gzip; see ``css_prune``), named by its hash so pages with the same classes
    share one cached file."""
    head, sep, body = output.partition("<article")
    css = "\n".join(m.group(1) for m in STYLE_RE.finditer(body))
    prefix = ROOT_PREFIX_RE.search(head)
    if not sep or not css or prefix is None:
        return output
    body = STYLE_RE.sub("", body)
    css = _pruned_css(css, css_prune.page_classes(head + body))
    name = f"assets/css/jupyter-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    target = Path(os.path.normpath(Path(page.file.abs_dest_path).parent / prefix.group(1) / name))
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    link = f'<link rel="stylesheet" href="{prefix.group(1)}{name}">\n'
    return head.replace("</head>", link + "</head>", 1) + sep + body


NB_IMG_RE = re.compile(r'<img\b(?P<before>[^>]*?)\ssrc="data:image/(?P<mime>png|jpeg);base64,(?P<data>[^"]+)"'
                       r'(?P<after>[^>]*)>')
ALT_ATTR_RE = re.compile(r'\salt="[^"]*"')
NB_IMG_DEST = "assets/nb"


def lab_alts(nb_path: str) -> list[str]:
    """The alt texts of a lab's image outputs, in order: code cells carry them in
    ``metadata.alt`` (a string, or a list for a cell with several images)."""
    import nbformat

    alts = []
    for cell in nbformat.read(nb_path, as_version=4).cells:
        alt = cell.metadata.get("alt") if cell.cell_type == "code" else None
        alts += [alt] if isinstance(alt, str) else list(alt or [])
    return alts


def web_image(mime: str, data: bytes) -> tuple[str, bytes]:
    """(extension, bytes) to publish. A photo becomes a WebP at quality 85 (a mixup grid:
    240 -> 22 KB, no visible change); plots stay lossless PNG, lossy coding blurs their
    lines and text. Photo-like = opaque and over half a byte per pixel as PNG (photos
    here take ~1.0, plots and masks 0.1-0.2); a plot becomes a 256-colour palette PNG."""
    from PIL import Image

    if mime != "png":
        return "jpg", data
    im = Image.open(io.BytesIO(data))
    if im.mode in ("RGBA", "LA") and im.getchannel("A").getextrema()[0] < 255:
        return "png", data                       # transparent: keep the alpha channel exact
    if len(data) < 0.5 * im.width * im.height:
        # A plot: a 256-colour palette is 3-4x smaller and looks the same (max-coverage keeps
        # white exactly white, octree turned it 254); kept only if it is smaller.
        buf = io.BytesIO()
        im.convert("RGB").quantize(colors=256, method=Image.Quantize.MAXCOVERAGE,
                                   dither=Image.Dither.NONE).save(buf, "PNG", optimize=True)
        return "png", min(data, buf.getvalue(), key=len)
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "WEBP", quality=85, method=6)
    return "webp", buf.getvalue()


def _web_image_cached(mime: str, data: bytes) -> tuple[str, bytes]:
    """``web_image``, cached on disk by the input (WebP encoding is the slow part)."""
    key = hashlib.sha256(mime.encode() + data).hexdigest()[:20]
    folder = CACHE_DIR / "nb-images"
    for hit in folder.glob(f"{key}.*"):
        return hit.suffix[1:], hit.read_bytes()
    ext, out = web_image(mime, data)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key}.{ext}").write_bytes(out)
    return ext, out


def images(output: str, page) -> str:
    """Move a lab's inline base64 images into files: lazy-loaded, with their size, and
    with the alt text of their cell (nbconvert writes a placeholder alt)."""
    from mkdocs.exceptions import PluginError
    from PIL import Image

    found = list(NB_IMG_RE.finditer(output))
    prefix = ROOT_PREFIX_RE.search(output)       # relative path to the site's assets/
    if not found or prefix is None:
        return output
    alts = lab_alts(page.file.abs_src_path)
    if len(alts) != len(found):
        raise PluginError(f"{page.file.src_uri}: {len(found)} image output(s) but {len(alts)} alt text(s) "
                          f"in the code cells' metadata.alt; give every image a description")
    it = iter(alts)

    def fix(m):
        ext, data = _web_image_cached(m["mime"], base64.b64decode(m["data"]))
        name = f"{NB_IMG_DEST}/{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
        dest = Path(os.path.normpath(Path(page.file.abs_dest_path).parent / prefix.group(1) / name))
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        width, height = Image.open(io.BytesIO(data)).size
        attrs = ALT_ATTR_RE.sub("", m["before"] + m["after"]).strip()
        return (f'<img src="{prefix.group(1)}{name}" alt="{_html.escape(next(it))}" '
                f'width="{width}" height="{height}" loading="lazy" decoding="async" {attrs}>')
    return NB_IMG_RE.sub(fix, output)
