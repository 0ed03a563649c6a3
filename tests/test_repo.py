"""Repository hygiene: README commands, CI script, workflow lint, lock file, generated files."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_commands(name):
    """The commands of the first fenced block of a README."""
    text = (ROOT / name).read_text(encoding="utf-8")
    block = re.search(r"```(?:bash|sh|console)?\n(.*?)```", text, re.S).group(1)
    return [ln.split(" #")[0].strip() for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]


@pytest.mark.parametrize("readme", ["README.md", "README.zh.md"])
def test_readme_starts_with_serve_then_test(readme):
    cmds = readme_commands(readme)
    assert cmds[-2:] == ["make serve", "make test"], cmds


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test\b", ci, re.M), ".ci/run must run `make test`"
    assert "chromium" in ci and "fonts-wqy-microhei" in ci
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


def test_workflow_is_valid():
    exe = Path(sys.executable).with_name("check-jsonschema")
    for wf in (ROOT / ".github" / "workflows").glob("*.y*ml"):
        proc = subprocess.run([str(exe), "--builtin-schema", "vendor.github-workflows", str(wf)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    for action in ("configure-pages", "upload-pages-artifact", "deploy-pages"):
        assert f"actions/{action}@" in text


def test_lock_pins_every_direct_dependency_exactly():
    import tomllib
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned exactly: {line}"
            lock[re.sub(r"[-_.]+", "-", name.lower())] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    for dep in deps:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", dep).group(0).lower())
        assert name in lock, f"{name} is not in requirements.lock"
    assert lock["mkdocs"].startswith("1."), "MkDocs 2 drops plugins: stay on 1.x"


def test_no_generated_files_are_tracked():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    bad = [f for f in files if f.startswith(("site/", ".cache/", ".venv/")) or "/figures/" in f and f.endswith(".png")]
    assert not bad, bad
