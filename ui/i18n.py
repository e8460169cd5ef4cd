"""Translation helpers for the UI. Chinese is the source language of every string.

``pyside6-lupdate`` extracts ``QCoreApplication.translate(context, text)``, ``self.tr(text)``
and ``QT_TRANSLATE_NOOP(context, text)`` calls; this module's ``QT_TRANSLATE_NOOP`` is the
same marker with a ``str`` return type, for strings kept in tables and translated later.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for extraction in ``context``; translate it later with ``translate``."""
    del context
    return text


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)
