"""The apps keep their layer order (README "Layout"; the contract is in pyproject.toml).

import-linter builds the import graph with grimp, which reads every import statement —
inside functions too — so a lazy import upward breaks the contract like a module-level one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_function_level_imports_count(tmp_path: Path) -> None:
    """The contract relies on grimp seeing an import inside a function; prove it does."""
    import grimp

    package = tmp_path / "pk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def f():\n    from pk import high\n    return high\n")
    (package / "high.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    try:
        graph = grimp.build_graph("pk", cache_dir=None)
    finally:
        sys.path.remove(str(tmp_path))
    assert graph.find_modules_directly_imported_by("pk.low") == {"pk.high"}
