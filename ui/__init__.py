"""The desktop user interface (PySide6). All Qt lives here; data comes only from services."""
