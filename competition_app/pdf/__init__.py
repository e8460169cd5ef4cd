"""PDF rendering for the Qt-free core: embedded CJK fonts and pure table/document renderers.

Everything here is a pure function from plain data to ``bytes``; nothing touches the database
or Qt, so the renderers run in the background runner and in tests alike.
"""

from __future__ import annotations

from competition_app.pdf.fonts import FontError, register_cjk_font

__all__ = ["FontError", "register_cjk_font"]
