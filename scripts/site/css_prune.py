"""Cut a big stylesheet down to the rules one HTML page can use.

mkdocs-jupyter ships JupyterLab's whole stylesheet (~590 KB, ~88 KB gzip: widgets,
menus, dialogs, 1200 theme variables, 94 inline SVG icons) with every notebook page,
which uses a few dozen of its classes. ``prune(css, used_classes)`` keeps

* a rule's selector if every class it *requires* is on the page (classes inside
  ``:not()``, ``:is()``, ``:where()``, ``:has()`` are not required, so those selectors
  are kept conservatively; ids, elements and attributes are never used to drop one);
* ``@media`` / ``@supports`` blocks with anything left inside;
* ``@keyframes`` whose name a kept declaration mentions;
* a custom property (``--x: …``) only if a kept declaration reads it with ``var(--x)``,
  directly or through other custom properties.

A kept rule is kept whole, so a page renders exactly as with the full stylesheet as
long as its HTML is static (nbconvert's output is: no script adds classes later).
"""
from __future__ import annotations

import functools
import re

import tinycss2

FUNCTIONAL_PSEUDO_RE = re.compile(r":(?:not|is|where|has|matches|-webkit-any|-moz-any)\(")
CLASS_RE = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
VAR_RE = re.compile(r"var\(\s*(--[\w-]+)")
CLASS_ATTR_RE = re.compile(r'class="([^"]*)"')


def page_classes(html: str) -> set[str]:
    """Every class name used in ``class="…"`` attributes of ``html``."""
    if not isinstance(html, str):
        raise TypeError(f"page_classes needs the page's HTML as a str, got {type(html).__name__}")
    return {c for m in CLASS_ATTR_RE.finditer(html) for c in m.group(1).split()}


def _strip_functional(selector: str) -> str:
    """Drop the arguments of :not(...)/:is(...)/... (their classes are optional)."""
    out, i = [], 0
    while (m := FUNCTIONAL_PSEUDO_RE.search(selector, i)) is not None:
        out.append(selector[i:m.start()])
        depth, j = 1, m.end()
        while j < len(selector) and depth:
            depth += {"(": 1, ")": -1}.get(selector[j], 0)
            j += 1
        i = j
    out.append(selector[i:])
    return "".join(out)


def _split_selectors(prelude: str) -> list[str]:
    """Split a selector list on top-level commas (not the ones inside parentheses)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(prelude):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def _declarations(content) -> list[tuple[str, str, bool]]:
    decls = tinycss2.parse_declaration_list(content, skip_comments=True, skip_whitespace=True)
    return [(d.name if d.name.startswith("--") else d.lower_name,
             tinycss2.serialize(d.value).strip(), d.important)
            for d in decls if d.type == "declaration"]


def _select(rules, classes: set[str]) -> list:
    """First pass: the rules whose selectors can match; returns a nested plan."""
    plan = []
    for rule in rules:
        if rule.type == "qualified-rule":
            prelude = tinycss2.serialize(rule.prelude).strip()
            keep = [s for s in _split_selectors(prelude)
                    if set(CLASS_RE.findall(_strip_functional(s))) <= classes]
            if keep:
                plan.append(("rule", ", ".join(keep), _declarations(rule.content)))
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
            inner = _select(tinycss2.parse_rule_list(rule.content or [], skip_comments=True,
                                                     skip_whitespace=True), classes)
            if inner:
                plan.append(("block", f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}", inner))
        elif rule.type == "at-rule" and rule.lower_at_keyword.endswith("keyframes"):
            plan.append(("keyframes", tinycss2.serialize(rule.prelude).strip(), rule))
        # @charset, @import, @font-face, @page: not used by nbconvert's output
    return plan


def _walk_decls(plan):
    for kind, _, body in plan:
        if kind == "rule":
            yield from body
        elif kind == "block":
            yield from _walk_decls(body)


def _render(plan, used_vars: set[str], text_of_kept: str) -> str:
    out = []
    for kind, head, body in plan:
        if kind == "rule":
            decls = [f"{n}:{v}{' !important' if imp else ''}" for n, v, imp in body
                     if not n.startswith("--") or n in used_vars]
            if decls:
                out.append(f"{head}{{{';'.join(decls)}}}")
        elif kind == "block":
            inner = _render(body, used_vars, text_of_kept)
            if inner:
                out.append(f"{head}{{{inner}}}")
        elif re.search(rf"(?<![\w-]){re.escape(head)}(?![\w-])", text_of_kept):
            out.append(body.serialize())
    return "\n".join(out)


@functools.lru_cache(maxsize=4)
def _parse(css: str) -> list:
    """The stylesheet's rules, parsed once per process: every lab page inlines the same
    JupyterLab CSS (590 KB), and parsing it was most of a cold build's pruning time."""
    return tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)


def prune(css: str, classes: set[str]) -> str:
    """The part of ``css`` that a page using exactly ``classes`` can need."""
    if not isinstance(css, str):
        raise TypeError(f"prune needs the stylesheet as a str, got {type(css).__name__}")
    if not isinstance(classes, (set, frozenset)) or not all(isinstance(c, str) for c in classes):
        raise TypeError("prune needs the page's class names as a set of str")
    plan = _select(_parse(css), set(classes))
    decls = list(_walk_decls(plan))
    custom = {}
    for name, value, _ in decls:
        if name.startswith("--"):
            custom.setdefault(name, []).append(value)
    # Variables read by ordinary declarations, then whatever those variables read.
    used, todo = set(), [v for n, value, _ in decls if not n.startswith("--")
                         for v in VAR_RE.findall(value)]
    while todo:
        name = todo.pop()
        if name not in used:
            used.add(name)
            todo += [v for value in custom.get(name, []) for v in VAR_RE.findall(value)]
    kept_text = " ".join(value for n, value, _ in decls if not n.startswith("--") or n in used)
    return _render(plan, used, kept_text) + "\n"
