"""The build code keeps its shape: a short hook, one module per concern, no sideways imports."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "scripts" / "site"
HELPERS = {"common", "css_prune", "font_subset"}      # what concern modules may import from scripts.site


def site_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("scripts.site"):
            names |= {node.module.split(".")[2]} if node.module.count(".") >= 2 else {a.name for a in node.names}
    return names


def test_concern_modules_import_only_shared_helpers():
    for path in SITE.glob("*.py"):
        if path.stem in HELPERS | {"__init__"}:
            continue
        sideways = site_imports(path) - HELPERS
        assert not sideways, f"{path.name} imports {sideways}: pass what it needs in from the hook"


def test_every_module_says_what_it_owns_and_has_tests():
    for path in SITE.glob("*.py"):
        if path.stem == "__init__":
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"{path.name} needs a docstring saying what it owns"
        if path.stem not in HELPERS:
            assert (ROOT / "tests" / f"test_site_{path.stem}.py").exists(), f"no tests/test_site_{path.stem}.py"


def test_the_hook_is_a_short_dispatcher():
    hook = ROOT / "scripts" / "hooks" / "site_hooks.py"
    tree = ast.parse(hook.read_text(encoding="utf-8"))
    assert len(hook.read_text(encoding="utf-8").splitlines()) < 150
    events = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
    assert events <= {"on_config", "on_pre_build", "on_files", "on_page_markdown", "on_page_content",
                      "on_post_page", "on_post_build", "on_serve", "on_startup", "on_shutdown"}, events
