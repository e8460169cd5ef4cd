"""The ``competition-app`` console script.

Qt is imported only when the window is about to open, so ``competition-app demo`` and
``competition-app --help`` run without loading PySide6.
"""

from __future__ import annotations

import sys


def _launch_gui(url: str) -> int:
    from ui.app import run_app

    return run_app(url)


def main() -> int:
    """Run the command line; with no command, open the desktop app."""
    from competition_app.cli import main as cli_main

    return cli_main(sys.argv[1:], launch_gui=_launch_gui)


if __name__ == "__main__":
    raise SystemExit(main())
