"""Translation marker for user-visible strings produced by the Qt-free core.

Chinese is the source language. The core cannot use Qt's ``tr()``, so it marks strings
with ``_()`` (GNU gettext); without a catalogue the Chinese text is returned unchanged.
"""

from __future__ import annotations

import gettext

_translation = gettext.translation("competition_app", fallback=True)


# The bound method itself, not a wrapper: results for thousands of entries call it per sentence.
_ = _translation.gettext
"""Return a message translated into the active language (Chinese by default)."""
