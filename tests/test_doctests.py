"""Every docstring example in dlnotes runs: the pages show them through snippets
(``--8<-- "dlnotes/x.py:section"``), so a reader sees them. conftest.py collects the ``>>>``
blocks written on the pages themselves; this file covers the ones in the modules."""
import doctest
import importlib
from pathlib import Path

import pytest

MODULES = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "dlnotes").glob("*.py")
                 if p.stem != "__init__")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"dlnotes.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"dlnotes/{name}.py: {result.failed} of {result.attempted} examples failed (run python -m doctest -v dlnotes/{name}.py)"


def test_every_example_written_in_a_module_is_one_doctest_runs():
    """A ``>>>`` outside a docstring (a comment, a string) would look tested and not be."""
    root = Path(__file__).resolve().parents[1] / "dlnotes"
    for name in MODULES:
        written = (root / f"{name}.py").read_text(encoding="utf-8").count(">>> ")
        found = sum(len([e for e in t.examples]) for t in doctest.DocTestFinder().find(
            importlib.import_module(f"dlnotes.{name}")))
        assert found >= written, f"dlnotes/{name}.py: {written} '>>> ' lines, {found} run by doctest"
    assert sum((root / f"{n}.py").read_text(encoding="utf-8").count(">>> ") for n in MODULES) >= 2
