"""The workbench server: a FastAPI app over the store (``medcoder serve``).

::

    from medcoder.server import create_app
    app = create_app("sqlite:///workbench.db")   # or a postgresql:// URL; None: data dir
"""

from __future__ import annotations

from medcoder.server.app import Workbench, create_app

__all__ = ["Workbench", "create_app"]
