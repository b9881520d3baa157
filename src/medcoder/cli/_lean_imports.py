"""Keep the command line quick to start.

medspaCy's package ``__init__`` imports all of its components, among them PyRuSH (which pulls
in ``nltk.collocations`` and with it ``scipy.stats``) and QuickUMLS (``nltk``): about a second
of imports on every run, for two components medcoder never uses. In the CLI process only, and
only for those two packages when nothing has imported them yet, we register stand-in modules
while medspaCy is imported and remove them afterwards; an attribute of a stand-in that is ever
used loads the real package then. The library API does not do this: a program that embeds
medcoder keeps its imports exactly as Python makes them.
"""

from __future__ import annotations

import importlib
import sys
import types

_DEFERRED = {"PyRuSH": ("PyRuSHSentencizer",), "quickumls": ("spacy_component",)}


class _Deferred:
    """Stands for ``module.attr`` until first use, then behaves as the real object."""

    def __init__(self, module: str, attr: str) -> None:
        self._module, self._attr = module, attr

    def _real(self) -> object:
        module = importlib.import_module(self._module)
        try:
            return getattr(module, self._attr)
        except AttributeError:
            return importlib.import_module(f"{self._module}.{self._attr}")

    def __getattr__(self, name: str) -> object:
        return getattr(self._real(), name)

    def __call__(self, *args: object, **kwargs: object) -> object:
        return self._real()(*args, **kwargs)  # type: ignore[operator]


def import_medspacy_lean() -> None:
    """Import ``medspacy`` without loading PyRuSH and QuickUMLS eagerly."""
    if "medspacy" in sys.modules:
        return
    placed = []
    for name, attrs in _DEFERRED.items():
        if name in sys.modules:
            continue
        stand_in = types.ModuleType(name)
        for attr in attrs:
            setattr(stand_in, attr, _Deferred(name, attr))
        sys.modules[name] = stand_in
        placed.append(name)
    try:
        importlib.import_module("medspacy")
    finally:
        for name in placed:
            if sys.modules.get(name) is not None and isinstance(
                sys.modules[name], types.ModuleType
            ):
                del sys.modules[name]
