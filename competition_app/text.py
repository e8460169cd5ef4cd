"""Text as it lines up in a fixed-width grid (terminal reports, spreadsheet column widths)."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns ``text`` takes: two for each wide or full-width character (汉字, ＡＢ), one otherwise."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
