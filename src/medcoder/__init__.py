"""medcoder: medical coding from clinical documentation, each code with its evidence.

Public API::

    import medcoder
    from medcoder import codesets
    codesets.validate("E11.22")
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "code"]


def code(source, **kwargs):  # noqa: ANN001, ANN201 - thin re-export, see medcoder.coding.api
    """Code a text, Document or Encounter; see :func:`medcoder.coding.api.code`."""
    from medcoder.coding.api import code as _code

    return _code(source, **kwargs)
