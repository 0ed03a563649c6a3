"""Search measured as a reader meets it, in Chromium on 127.0.0.1 (used by ``scripts.bench``):

* quality on the repo's query set (``tests/search/queries.tsv``) through the real worker:
  recall@1, recall@3 and MRR per language;
* cost: bytes the search loads with the page, bytes its first query loads, and the time
  from the last keystroke to the results on screen, first query (index load included)
  and a later one, on a CPU slowed 4x (Chrome's phone-class throttling).

``python -m scripts.search_bench SITE_DIR`` prints the numbers as JSON.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "tests" / "search" / "queries.tsv"
THROTTLE = 4

# Runs in a page of the site: posts each query to a fresh copy of the site's search worker
# (the URL Material would use) and returns the pages of the results, best first.
RUN_QUERIES = """async (queries) => {
  const cfg = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(cfg.base.endsWith("/") ? cfg.base : cfg.base + "/", location.href);
  const stub = await (await fetch(new URL("search/search_index.json", base))).json();
  const worker = new Worker(new URL(cfg.search, location.href));
  const next = () => new Promise(resolve => worker.addEventListener("message", e => resolve(e.data), {once: true}));
  worker.postMessage({type: 0, data: {config: stub.config, docs: stub.docs, options: {suggest: true}}});
  await next();
  const out = [];
  for (const q of queries) {
    worker.postMessage({type: 2, data: q});
    const res = await next();
    out.push(res.data.items
      .filter(group => !(group[0].tags || []).length)
      .map(group => new URL(group.find(d => !d.location.includes("#")).location, base).pathname));
  }
  worker.terminate();
  return out;
}"""

# Time from the last keystroke to the first result in the list.
WATCH_RESULTS = """() => { window.__dlResults = new Promise(resolve => {
  const box = document.querySelector("input.md-search__input");
  const list = document.querySelector(".md-search-result__list");
  let last = 0;
  box.addEventListener("keyup", () => { last = performance.now(); });
  new MutationObserver((_, obs) => {
    if (list.querySelector(".md-search-result__item") && last) { obs.disconnect(); resolve(performance.now() - last); }
  }).observe(list, {childList: true});
}); }"""


def read_queries() -> list[tuple[str, str, str]]:
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            lang, query, expected = line.split("\t")[:3]
            rows.append((lang, query, expected))
    return rows


def run_queries(page, site_url: str, lang: str, queries: list[str]) -> list[list[str]]:
    """Result pages (paths under the language root, no slashes at the ends) per query."""
    prefix = urlsplit(site_url).path + ("zh/" if lang == "zh" else "")
    found = page.evaluate(RUN_QUERIES, queries)
    return [[p[len(prefix):].strip("/") if p.startswith(prefix) else p for p in pages] for pages in found]


def quality(results: list[tuple[str, list[str]]]) -> dict:
    """recall@1, recall@3 and MRR of (expected, found) pairs."""
    n = len(results)
    rank = [found.index(exp) + 1 if exp in found else 0 for exp, found in results]
    return {"queries": n, "recall@1": sum(r == 1 for r in rank) / n, "recall@3": sum(0 < r <= 3 for r in rank) / n,
            "mrr": sum(1 / r for r in rank if r) / n}


def _type(page, query: str) -> float:
    page.evaluate(WATCH_RESULTS)
    box = page.locator("input.md-search__input")
    box.fill(query[:-1])
    box.type(query[-1])
    return page.evaluate("() => window.__dlResults")


def _gzip_bytes(site: Path, site_url: str, urls: list[str]) -> int:
    """What the files behind ``urls`` weigh gzipped (as GitHub Pages serves them)."""
    import gzip
    prefix = urlsplit(site_url).path
    total = 0
    for url in urls:
        path = urlsplit(url).path[len(prefix):]
        f = site / (path + "index.html" if path.endswith("/") or not path else path)
        total += len(gzip.compress(f.read_bytes(), 6)) if f.is_file() else 0
    return total


def measure(browser, site_url: str, site: Path) -> dict:
    out: dict = {"throttle": THROTTLE}
    rows = read_queries()
    for lang in ("en", "zh"):
        ctx = browser.new_context(viewport={"width": 390, "height": 844})
        page = ctx.new_page()
        page.goto(site_url + ("zh/" if lang == "zh" else ""))
        mine = [r for r in rows if r[0] == lang]
        found = run_queries(page, site_url, lang, [q for _, q, _ in mine])
        out[lang] = quality([(exp, f) for (_, _, exp), f in zip(mine, found)])
        ctx.close()

    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    urls: list[str] = []
    ctx.on("request", lambda r: urls.append(r.url))        # the context sees the worker's requests too
    cdp = ctx.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
    page.goto(site_url + "training/dropout/")
    page.wait_for_load_state("networkidle")
    on_load = [u for u in urls if "/search/" in u]
    seen = len(urls)
    page.keyboard.press("/")
    out["first_query_ms"] = round(_type(page, "batch normalization"))
    page.wait_for_load_state("networkidle")
    page.locator("input.md-search__input").fill("")
    out["later_query_ms"] = round(_type(page, "dropout"))
    first = [u for u in urls[seen:] if "/search/" in u]
    out["search_files_on_load"] = sorted({urlsplit(u).path.rsplit("/", 1)[-1] for u in on_load})
    out["search_gzip_bytes_on_load"] = _gzip_bytes(site, site_url, sorted(set(on_load)))
    out["search_files_first_query"] = sorted({urlsplit(u).path.rsplit("/", 1)[-1] for u in first})
    out["search_gzip_bytes_first_query"] = _gzip_bytes(site, site_url, sorted(set(first)))
    ctx.close()
    return out


def report(m: dict) -> str:
    """The Markdown table ``make bench`` writes to BENCHMARKS.md."""
    rows = ["The repo's query set (`tests/search/queries.tsv`) through the site's search worker in Chromium; "
            f"cost on a phone-sized window with the CPU slowed {m['throttle']}x.", "",
            "| measure | English | Chinese |", "|---|---|---|",
            f"| queries | {m['en']['queries']} | {m['zh']['queries']} |"]
    for key in ("recall@1", "recall@3", "mrr"):
        rows.append(f"| {key} | {m['en'][key]:.3f} | {m['zh'][key]:.3f} |")
    rows += ["", "| cost | value |", "|---|---|",
             f"| search files loaded with every page | {', '.join(m['search_files_on_load'])}: "
             f"{m['search_gzip_bytes_on_load'] / 1024:.1f} KB gzip |",
             f"| loaded by the first query | {', '.join(m['search_files_first_query'])}: "
             f"{m['search_gzip_bytes_first_query'] / 1024:.1f} KB gzip |",
             f"| last keystroke to results, first query (index load included) | {m['first_query_ms']} ms |",
             f"| last keystroke to results, later query | {m['later_query_ms']} ms |"]
    return "\n".join(rows)


if __name__ == "__main__":
    from playwright.sync_api import sync_playwright

    from scripts.browser import LAUNCH_ARGS, find_browser
    from scripts.serve import serve

    site = Path(sys.argv[1]).resolve()
    server, base = serve(site)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_browser(), args=LAUNCH_ARGS)
        result = measure(b, base, site)
        b.close()
    server.shutdown()
    print(json.dumps(result, indent=1))
    print(report(result))
