"""Translation marker for user-visible strings produced by the Qt-free core.

Chinese is the source language. The core cannot use Qt's ``tr()``, so it marks strings
with ``_()`` (GNU gettext); without a catalogue the Chinese text is returned unchanged.
"""

from __future__ import annotations

import gettext

_translation = gettext.translation("competition_app", fallback=True)


def _(message: str) -> str:
    """Return ``message`` translated into the active language (Chinese by default)."""
    return _translation.gettext(message)
