"""One class per concept: no two public top-level classes of ``medcoder`` share a name.

A reader (or an import) should never have to ask which ``Encounter`` or ``Rule`` is meant; where
one concept lives in several layers, each class is named for its layer (``docs/glossary.md``).
The source files are parsed, not imported, so optional dependencies (server, Spark) need not be
installed.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "medcoder"


def public_classes(path: Path) -> list[str]:
    """The public classes a module defines at its top level (under ``if`` blocks too, as in
    ``if TYPE_CHECKING:``/``else:`` definitions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            names.append(node.name)
        elif isinstance(node, ast.If | ast.Try):
            pending += [*node.body, *node.orelse]
            pending += [s for h in getattr(node, "handlers", []) for s in h.body]
    return names


def classes_by_name(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Each public class name with the modules that define it."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        for name in public_classes(path):
            found[name].append(module.removesuffix(".__init__"))
    return found


def duplicates(package: Path = PACKAGE) -> dict[str, list[str]]:
    return {name: mods for name, mods in classes_by_name(package).items() if len(mods) > 1}


def test_the_package_is_found() -> None:
    found = classes_by_name()
    assert found["Encounter"] == ["medcoder.documents.model"]
    assert len(found) > 100


def test_no_two_public_classes_share_a_name() -> None:
    found = duplicates()
    assert found == {}, "public classes defined more than once (name each by its role):\n" + (
        "\n".join(f"  {name}: {', '.join(mods)}" for name, mods in sorted(found.items()))
    )


def test_a_shared_name_is_reported_with_its_modules(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("class Party: ...\n", encoding="utf-8")
    (package / "sub" / "remit.py").write_text(
        "class _Private: ...\nif True:\n    class Party: ...\nclass Remittance: ...\n",
        encoding="utf-8",
    )
    (package / "sub" / "other.py").write_text("class _Private: ...\n", encoding="utf-8")
    assert duplicates(package) == {"Party": ["pkg", "pkg.sub.remit"]}
