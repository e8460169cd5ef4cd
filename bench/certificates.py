"""Certificates with QR codes: 1,000 into one PDF (target ≤ 3 s) and as 1,000 files (target ≤ 8 s).

Each figure is the best of 3 runs (the machine is shared). For comparison: mail-merged Word
certificates converted with LibreOffice headless cost about 0.16 s each (about 165 s for 1,000).

    python bench/certificates.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from competition_app.certificates.numbering import chinese_date  # noqa: E402
from competition_app.certificates.render import CertificateItem, render_certificates, render_each  # noqa: E402
from competition_app.certificates.signing import make_payload, sign  # noqa: E402
from competition_app.pdf.fonts import register_cjk_font  # noqa: E402

COUNT = 1000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def items() -> list[CertificateItem]:
    secret = b"bench secret of thirty-two bytes"
    made = []
    for index in range(1, COUNT + 1):
        number = f"JN2026-HG-{index:04d}"
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)] + GIVEN[(index * 7) % len(GIVEN)]
        award = ("一等奖", "二等奖", "三等奖", "优秀奖")[index % 4]
        made.append(
            CertificateItem(
                number=number,
                name=name,
                unit="济宁市技师学院机电工程系" if index % 3 else "山东省济宁市任城区某某精密机械制造有限公司",
                competition="2026年济宁市“运河之星”职业技能大赛",
                event="焊工",
                group="职工组",
                award=award,
                issuer="济宁市人力资源和社会保障局",
                date=chinese_date(date(2026, 5, 20)),
                payload=make_payload(number, name, sign(secret, number, name, award)),
            )
        )
    return made


def best_of(runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def _workers() -> int:
    from competition_app.certificates.render import _worker_count

    return _worker_count()


def main() -> None:
    register_cjk_font()  # once per process, as in the app
    batch = items()
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder)
        one = best_of(3, lambda: render_certificates(batch, target / "all.pdf"))
        size = (target / "all.pdf").stat().st_size
        each = best_of(3, lambda: render_each(batch, target / "each"))
        serial = best_of(1, lambda: render_each(batch, target / "serial", workers=1))
    print(f"{COUNT} certificates with QR, one PDF:      {one:6.2f} s  ({size / 1e6:.1f} MB; target ≤ 3 s)")
    print(f"{COUNT} certificates with QR, one file each: {each:6.2f} s  (target ≤ 8 s; {_workers()} processes)")
    print(f"  the same in one process:                {serial:6.2f} s")
    print(f"LibreOffice mail merge, for comparison:  ~{0.165 * COUNT:5.0f} s")


if __name__ == "__main__":
    main()
