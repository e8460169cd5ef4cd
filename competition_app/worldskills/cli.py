"""``competition-app marking-scheme FILE.xlsx [--json]``: read and check a WorldSkills marking scheme.

Exit codes:

* 0 — the scheme was read and is consistent (no problems);
* 1 — the scheme was read but problems were found; the summary or JSON is still printed,
  with the problems in it;
* 2 — the file could not be read (the Chinese reason goes to stderr), or the arguments were
  wrong (argparse's own code).

Kept light on purpose: the scheme reader is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from competition_app.i18n import _

if TYPE_CHECKING:
    from competition_app.worldskills.scheme import MarkingScheme

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_UNREADABLE = 2


def add_marking_scheme_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register the ``marking-scheme`` command; its handler is stored as ``args.handler``."""
    parser = subparsers.add_parser(
        "marking-scheme",
        help=_("读取并检查世赛评分方案（CIS Marking Scheme Import 工作簿）"),
        description=_("读取世赛 CIS“Marking Scheme Import”评分方案工作簿，核对分项、WSOS 与评分项的分值。"),
        epilog=_("退出码：0 = 评分方案一致；1 = 发现问题（仍输出摘要或 JSON）；2 = 文件无法读取。"),
    )
    parser.add_argument("file", metavar="FILE.xlsx", type=Path, help=_("评分方案工作簿（.xlsx）"))
    parser.add_argument("--json", action="store_true", help=_("以 JSON 输出完整评分方案（数值为字符串）"))
    parser.add_argument(
        "--wsos-tolerance",
        metavar="MARKS",
        type=_decimal_argument,
        default=Decimal(0),
        help=_("WSOS 标准权重与评分项合计的允许偏差（分），超出时给出提示；默认 0"),
    )
    parser.set_defaults(handler=run_marking_scheme)
    return parser


def run_marking_scheme(args: argparse.Namespace) -> int:
    """Handle ``marking-scheme``: print the summary (or JSON) and return the exit code."""
    from competition_app.worldskills.scheme import MarkingSchemeError, read_marking_scheme, scheme_to_json

    try:
        scheme = read_marking_scheme(args.file, wsos_tolerance=args.wsos_tolerance)
    except MarkingSchemeError as error:
        print(error, file=sys.stderr)
        return EXIT_UNREADABLE
    if args.json:
        print(json.dumps(scheme_to_json(scheme), ensure_ascii=False, indent=2))
    else:
        print(format_summary(scheme))
    return EXIT_PROBLEMS if scheme.problems else EXIT_OK


def format_summary(scheme: MarkingScheme) -> str:
    """A readable Chinese summary: skill, total, criteria with marks, the WSOS table, problems."""
    from competition_app.domain.enums import AspectType
    from competition_app.worldskills.scheme import format_decimal, wsos_aspect_totals

    lines = [
        _("技能：{skill}").format(skill=scheme.skill or _("（未注明）")),
        _("总分：{total}").format(total=format_decimal(scheme.total)),
        "",
        _("分项："),
    ]
    for criterion in scheme.criteria:
        aspects = [aspect for sub in criterion.sub_criteria for aspect in sub.aspects]
        judged = sum(1 for aspect in aspects if aspect.type is AspectType.JUDGEMENT)
        lines.append(
            _("  {id}  {name}：{mark} 分（{subs} 个子项，{count} 个评分项：测量 {measured}，评价 {judged}）").format(
                id=criterion.id,
                name=criterion.name or _("（未命名）"),
                mark=format_decimal(criterion.mark),
                subs=len(criterion.sub_criteria),
                count=len(aspects),
                measured=len(aspects) - judged,
                judged=judged,
            )
        )
    lines += ["", _("WSOS（标准权重 / 文件 Aspect Marks / 评分项合计）：")]
    totals = wsos_aspect_totals(scheme)
    for section in scheme.wsos:
        lines.append(
            _("  {id}  {name}：{marks} / {stated} / {actual}").format(
                id=section.id,
                name=section.name,
                marks=format_decimal(section.marks),
                stated=format_decimal(section.aspect_marks),
                actual=format_decimal(totals.get(section.id, Decimal(0))),
            )
        )
    if scheme.calculations:
        names = "、".join(f"{calculation.name}（{calculation.type}）" for calculation in scheme.calculations)
        lines += ["", _("计算规则（Calculations）：{names}").format(names=names)]
    lines.append("")
    if scheme.problems:
        lines.append(_("发现 {count} 个问题：").format(count=len(scheme.problems)))
        lines += [f"  - {problem}" for problem in scheme.problems]
    else:
        lines.append(_("未发现问题：分值一致。"))
    return "\n".join(lines)


def _decimal_argument(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(_("应为不小于 0 的数字：{text}").format(text=text))
    return value
