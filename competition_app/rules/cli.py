"""``competition-app rules list`` and ``competition-app rules show PRESET``: the tier presets.

Registered by ``competition_app.cli`` with :func:`add_rules_command`; the command needs no
database.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Sequence
from typing import TextIO

from competition_app.i18n import _
from competition_app.rules.presets import UnknownPresetError, describe_rule_set, list_presets, load_preset
from competition_app.rules.serialise import RuleFileError

COMMAND = "rules"


def add_rules_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``rules list`` and ``rules show PRESET`` to a command line's subparsers."""
    rules = subparsers.add_parser(COMMAND, help=_("规则预设：列出各层级预设，或查看一个预设的全部规则及来源"))
    actions = rules.add_subparsers(dest="rules_action", metavar="ACTION", required=True)
    actions.add_parser("list", help=_("列出规则预设（键、名称、层级）"))
    show = actions.add_parser("show", help=_("显示一个规则预设的全部规则，每条附来源"))
    show.add_argument("preset", metavar="PRESET", help=_("预设的键，如 municipal_class_1_jining"))
    rules.set_defaults(handler=run_rules_command)


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join("  ".join(_pad(cell, widths[column]) for column, cell in enumerate(row)).rstrip() for row in rows)


def run_rules_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``rules list`` or ``rules show``; returns the exit code (2 for an unknown preset)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        if args.rules_action == "list":
            rows = [(_("键"), _("名称"), _("层级"))]
            rows += [(info.key, info.name, info.tier) for info in list_presets()]
            print(_table(rows), file=out)
            return 0
        print(describe_rule_set(load_preset(args.preset)), file=out)
        return 0
    except UnknownPresetError as error:
        print(error, file=err)
        return 2
    except RuleFileError as error:
        print(_("规则预设文件有误："), file=err)
        print(error, file=err)
        return 1
