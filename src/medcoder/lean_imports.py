"""Keep the command line quick to start.

medspaCy's package ``__init__`` imports all of its components, among them PyRuSH (which pulls
in ``nltk.collocations`` and with it ``scipy.stats``) and QuickUMLS (``nltk``): about a second
of imports on every run, for two components medcoder never uses. spaCy's own ``__init__``
imports its command line (``spacy.cli.info``: requests, jinja2, the training config tools;
about 0.15 s) for the ``spacy.info`` helper, and ``spacy.util`` imports ``langcodes`` (its
language-distance tables, about 0.03 s) for looking up a language by a code spaCy has no
module for; medcoder needs neither. In the CLI process only, and only for these packages
when nothing has imported them yet, we register stand-in modules while medspaCy is imported
and remove them afterwards; an attribute of a stand-in that is ever used loads the real
package then. The library API does not do this: a program that embeds medcoder keeps its
imports exactly as Python makes them.
"""

from __future__ import annotations

import importlib
import sys
import types

# module -> the attributes its importers take from it (every one they use, since a module
# that did ``import X`` keeps the stand-in: see spacy/util.py for langcodes).
_DEFERRED = {
    "PyRuSH": ("PyRuSHSentencizer",),
    "quickumls": ("spacy_component",),
    "spacy.cli.info": ("info",),
    "langcodes": ("tag_is_valid", "closest_supported_match", "tag_parser"),
}


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
    """Import ``medspacy`` without loading PyRuSH, QuickUMLS, spaCy's CLI and langcodes eagerly."""
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
        placed.append((name, stand_in))
    try:
        importlib.import_module("medspacy")
    finally:
        for name, stand_in in placed:
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
