"""The workbench's web pages: server-rendered Jinja2 over the store, with small vanilla JS
(static/ui.js) calling the JSON API for every change.

Wire it into :func:`medcoder.server.create_app`::

    from medcoder.server.ui import ui_router, ui_static
    app.include_router(ui_router)
    app.mount("/ui/static", ui_static, name="ui-static")
"""

from __future__ import annotations

from fastapi.staticfiles import StaticFiles

from medcoder.server.ui._page import HERE
from medcoder.server.ui.views import router as ui_router

STATIC_DIR = HERE / "static"
ui_static = StaticFiles(directory=STATIC_DIR)

__all__ = ["STATIC_DIR", "ui_router", "ui_static"]
