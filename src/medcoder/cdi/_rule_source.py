"""Reading rule files with line numbers, so a validation error can point at the line.

PyYAML's composer keeps a start mark on every node; we keep the node tree beside the plain
data and walk it with pydantic's error location (``criteria[0].any_of[1].comparator``) to find
the line of the offending field. JSON files are parsed strictly with :mod:`json` (for its
error positions) and located with the same YAML node walk (JSON is valid YAML here).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from medcoder.errors import SourceFileError

Locator = Callable[[tuple[int | str, ...]], int | None]


def _yaml() -> Any:
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - pyyaml is a declared dependency
        raise SourceFileError("<cdi rules>", "PyYAML is needed to read YAML rule files") from exc
    return yaml


def parse_rule_source(path: Path) -> tuple[Any, Locator]:
    """The file's data and a function from an error location to a 1-based line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceFileError(path, f"cannot read rule file: {exc}") from exc
    yaml = _yaml()
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceFileError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            raise SourceFileError(path, f"invalid YAML: {exc.problem}", line=line) from exc
    if not isinstance(data, dict):
        raise SourceFileError(path, "a rule file must hold one mapping (id, title, ...)", line=1)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        root = None
    return data, lambda loc: _line_of(root, loc)


def _line_of(root: Any, loc: tuple[int | str, ...]) -> int | None:
    """Line of the deepest node on ``loc`` that exists in the file.

    A scalar field points at its value, a block field at its key; a missing field points at
    the mapping that lacks it. Pydantic's union tags (``lab``) name no node and are skipped.
    """
    if root is None:
        return None
    node = root
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(part, int) and node.id == "sequence" and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        elif isinstance(part, str) and node.id == "mapping":
            found = next(((k, v) for k, v in node.value if k.value == part), None)
            if found is None:
                continue
            key, node = found
            line = (node if node.id == "scalar" else key).start_mark.line + 1
    return line


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('criteria', 0, 'any_of', 1, 'lab', 'comparator')`` -> ``criteria[0].any_of[1].comparator``.

    Pydantic inserts the union member's tag (``lab``) and validator names
    (``function-after[...]``); they are not fields the author wrote.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _TAGS or "[" in part:
            continue
        else:
            out += f".{part}" if out else part
    return out or "(file)"


_TAGS = {"lab", "vital", "trend", "treatment", "phrase", "code", "poa_unclear", "str", "dict"}


def problem_from_validation(exc: ValidationError, locate: Locator) -> tuple[str, int | None]:
    """One message naming the field, what was wrong and what was given, plus its line."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and ("[" in p)))
    where = field_path(loc)
    message = first["msg"].removeprefix("Value error, ")
    problem = f"field {where}: {message}"
    if first["type"] != "missing" and "input" in first and not isinstance(first["input"], dict):
        problem += f" (got {first['input']!r})"
    if len(errors) > 1:
        problem += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return problem, locate(loc)
