"""Certificates as PDF: one page per certificate, from a :class:`Template` and :class:`CertificateItem`.

Pure functions of dataclasses, no Qt and no database. The CJK TrueType font is registered once
and embedded as a subset; the parts every page shares (border, fixed texts, background) are
drawn once into a PDF form and placed on each page; QR codes are drawn straight onto the page
as filled rectangles. Long names and unit names shrink to fit their box (:func:`fit_font_size`).

**Pre-printed stock**: with ``preprinted=True`` only the variable fields and the QR code are
printed, shifted by the printer's calibration offsets (mm; x to the right, y upwards).
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from competition_app.i18n import _
from competition_app.pdf.fonts import register_cjk_font
from competition_app.tasks import NO_PROGRESS, Progress

Align = Literal["left", "center", "right"]
FIELD_NAMES = ("name", "unit", "competition", "event", "group", "award", "issuer", "date", "number")
FIELD_LABELS = {
    "name": "姓名",
    "unit": "单位",
    "competition": "赛事",
    "event": "赛项（职业）",
    "group": "组别",
    "award": "奖项或名次",
    "issuer": "发证单位",
    "date": "发证日期",
    "number": "证书编号",
}
_FORM_NAME = "certificate-fixed"
_BORDER_RED: Color = HexColor("#9B1C1C")
_BORDER_GOLD: Color = HexColor("#B8860B")


class TemplateError(ValueError):
    """A stored template that cannot be read; the message is Chinese and names the field."""


@dataclass(frozen=True, slots=True)
class TextBox:
    """Where a text goes: left edge and baseline in mm from the page's bottom left, a width it
    must fit in, its alignment in that width, and its nominal font size in points."""

    x_mm: float
    y_mm: float
    width_mm: float
    font_size: float
    align: Align = "left"


@dataclass(frozen=True, slots=True)
class FixedText:
    """Text that is the same on every certificate (the title, labels); pre-printed on stock."""

    text: str
    box: TextBox


@dataclass(frozen=True, slots=True)
class QrBox:
    x_mm: float
    y_mm: float
    size_mm: float


@dataclass(frozen=True, slots=True)
class Template:
    """A certificate layout; stored as ``CertificateTemplate.layout`` (see :meth:`to_dict`)."""

    name: str
    page_width_mm: float
    page_height_mm: float
    fields: Mapping[str, TextBox]
    texts: tuple[FixedText, ...] = ()
    qr: QrBox | None = None
    border: bool = True
    background: bytes | None = field(default=None, repr=False)
    """An image (PNG/JPEG) filling the page; kept in ``CertificateTemplate.background``."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (without the background image)."""
        return {
            "name": self.name,
            "page": [self.page_width_mm, self.page_height_mm],
            "fields": {key: _box_dict(box) for key, box in self.fields.items()},
            "texts": [{"text": text.text, **_box_dict(text.box)} for text in self.texts],
            "qr": None if self.qr is None else {"x": self.qr.x_mm, "y": self.qr.y_mm, "size": self.qr.size_mm},
            "border": self.border,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], background: bytes | None = None) -> Template:
        """The template stored by :meth:`to_dict`; raises TemplateError naming what is wrong."""
        try:
            width, height = (float(value) for value in data["page"])
            fields = {str(key): _box(value, key) for key, value in dict(data["fields"]).items()}
            texts = tuple(FixedText(str(item["text"]), _box(item, str(item["text"]))) for item in data.get("texts", []))
            qr_data = data.get("qr")
            qr = None if qr_data is None else QrBox(float(qr_data["x"]), float(qr_data["y"]), float(qr_data["size"]))
            name = str(data.get("name", ""))
            border = bool(data.get("border", True))
        except TemplateError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise TemplateError(_("证书模板数据不完整或有误：{error}").format(error=error)) from None
        unknown = sorted(set(fields) - set(FIELD_NAMES))
        if unknown:
            raise TemplateError(_("证书模板含有无法识别的字段：{fields}").format(fields="、".join(unknown)))
        if width <= 0 or height <= 0:
            raise TemplateError(_("证书模板的纸张尺寸必须为正数"))
        return cls(name, width, height, fields, texts, qr, border, background)


def _box_dict(box: TextBox) -> dict[str, Any]:
    return {"x": box.x_mm, "y": box.y_mm, "width": box.width_mm, "size": box.font_size, "align": box.align}


def _box(data: Mapping[str, Any], where: str) -> TextBox:
    try:
        align = str(data.get("align", "left"))
        if align not in ("left", "center", "right"):
            raise TemplateError(_("证书模板中“{where}”的对齐方式“{align}”无效").format(where=where, align=align))
        box = TextBox(float(data["x"]), float(data["y"]), float(data["width"]), float(data["size"]), align)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as error:
        raise TemplateError(_("证书模板中“{where}”的位置有误：{error}").format(where=where, error=error)) from None
    if box.width_mm <= 0 or box.font_size <= 0:
        raise TemplateError(_("证书模板中“{where}”的宽度和字号必须为正数").format(where=where))
    return box


def default_template() -> Template:
    """获奖证书 on A4 landscape: a double border, title, labelled fields, issuer, date, number, QR."""
    label_x, value_x, label_size = 62.0, 106.0, 16.0
    rows: tuple[tuple[str, str, float], ...] = (("unit", "工作单位：", 114.0), ("competition", "赛事名称：", 102.0))
    rows += (("event", "比赛项目：", 90.0), ("group", "组　　别：", 78.0), ("award", "获得奖项：", 66.0))
    fields: dict[str, TextBox] = {
        "name": TextBox(78.5, 133.0, 140.0, 30.0, "center"),
        "issuer": TextBox(165.0, 40.0, 100.0, 16.0, "center"),
        "date": TextBox(165.0, 30.0, 100.0, 14.0, "center"),
        "number": TextBox(47.5, 19.0, 70.0, 10.0),
    }
    texts = [
        FixedText("获 奖 证 书", TextBox(48.5, 158.0, 200.0, 44.0, "center")),
        FixedText("特发此证，以资鼓励。", TextBox(value_x, 52.0, 140.0, 16.0)),
        FixedText("证书编号：", TextBox(28.0, 19.0, 20.0, 10.0)),
    ]
    for key, label, y in rows:
        fields[key] = TextBox(value_x, y, 150.0, 20.0 if key == "award" else label_size)
        texts.append(FixedText(label, TextBox(label_x, y, value_x - label_x, label_size)))
    return Template("获奖证书", 297.0, 210.0, fields, tuple(texts), QrBox(28.0, 24.0, 26.0))


@dataclass(frozen=True, slots=True)
class CertificateItem:
    """The texts of one certificate, ready to print."""

    number: str
    name: str
    unit: str
    competition: str
    event: str
    group: str
    award: str
    issuer: str
    date: str
    """Already in Chinese numerals (see numbering.chinese_date)."""
    payload: str
    """The QR code's text (signing.make_payload)."""

    def text(self, key: str) -> str:
        value: str = getattr(self, key)
        return value


def fit_font_size(text: str, font_name: str, nominal: float, width_mm: float) -> float:
    """The font size (pt) at which ``text`` fits ``width_mm``: the nominal size, or smaller."""
    natural = stringWidth(text, font_name, nominal)
    available = width_mm * mm
    if natural <= available or natural == 0:
        return nominal
    # Round down a hair so that float error never lets a glyph touch the box's edge.
    return nominal * available / natural * 0.999


def _draw_text(canvas: Canvas, font_name: str, text: str, box: TextBox) -> None:
    if not text:
        return
    size = fit_font_size(text, font_name, box.font_size, box.width_mm)
    canvas.setFont(font_name, size)
    x, y = box.x_mm * mm, box.y_mm * mm
    if box.align == "center":
        canvas.drawCentredString(x + box.width_mm * mm / 2, y, text)
    elif box.align == "right":
        canvas.drawRightString(x + box.width_mm * mm, y, text)
    else:
        canvas.drawString(x, y, text)


_qr_patched = False


def _patch_qr_encoder() -> None:
    """Cache reportlab's Reed-Solomon generator polynomials (pure, and rebuilt for every code).

    A third of the time of encoding a QR code went into rebuilding the same few polynomials.
    """
    global _qr_patched  # noqa: PLW0603 - a process-wide, idempotent library tweak
    if _qr_patched:
        return
    generator = functools.cache(qrencoder.QRUtil.getErrorCorrectPolynomial)
    setattr(qrencoder.QRUtil, "getErrorCorrectPolynomial", staticmethod(generator))  # noqa: B010
    _qr_patched = True


_font_tables_patched = False


def _patch_font_tables() -> None:
    """Keep each TrueType table reportlab slices out of the font file, per font file.

    Making a font subset copies whole tables (for a CJK font, megabytes of outlines) out of
    the file's bytes every time; one file per certificate made that the slowest step.
    Tables are immutable bytes, so caching them changes nothing but the time.
    """
    global _font_tables_patched  # noqa: PLW0603 - a process-wide, idempotent library tweak
    if _font_tables_patched:
        return
    from reportlab.pdfbase import ttfonts

    original: Callable[[Any, str], bytes] = ttfonts.TTFontFile.get_table

    def get_table(self: Any, tag: str) -> bytes:
        cache: dict[str, bytes] = self.__dict__.setdefault("_competition_app_tables", {})
        if tag not in cache:
            cache[tag] = original(self, tag)
        return cache[tag]

    setattr(ttfonts.TTFontFile, "get_table", get_table)  # noqa: B010
    _font_tables_patched = True


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code's dark modules (error correction M).

    Mask pattern 2 (vertical stripes) is used for every code instead of trying all eight: any
    mask is valid and decodes the same; the search would cost five times as long.
    """
    _patch_qr_encoder()
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.version = code.calculate_version()  # type: ignore[no-untyped-call]
    code.makeImpl(False, 2)
    modules: list[list[bool]] = code.modules
    return modules


def qr_operators(modules: Sequence[Sequence[bool]]) -> str:
    """PDF path operators filling the dark modules, in module units (row 0 at the top).

    Written directly with integers: reportlab's path object formats every coordinate as a float
    in pure Python, which made QR codes the slowest part of a page.
    """
    count = len(modules)
    parts: list[str] = []
    for row_index, row in enumerate(modules):
        y = count - 1 - row_index
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            parts.append(f"{start} {y} {column - start} 1 re")
    parts.append("f")
    return "\n".join(parts)


def _draw_qr(canvas: Canvas, payload: str, box: QrBox) -> None:
    modules = qr_modules(payload)
    count = len(modules)
    quiet = 2  # modules of white margin inside the box
    cell = box.size_mm * mm / (count + 2 * quiet)
    canvas.saveState()
    canvas.translate(box.x_mm * mm + quiet * cell, box.y_mm * mm + quiet * cell)
    canvas.scale(cell, cell)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.addLiteral(qr_operators(modules))
    canvas.restoreState()


def _draw_border(canvas: Canvas, width: float, height: float) -> None:
    canvas.setStrokeColor(_BORDER_RED)
    canvas.setLineWidth(3)
    canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    canvas.setStrokeColor(_BORDER_GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)
    canvas.setFillColor(_BORDER_GOLD)
    corner = 5 * mm
    for x, y in ((14 * mm, 14 * mm), (width - 14 * mm, 14 * mm), (14 * mm, height - 14 * mm)):
        canvas.rect(x - corner / 2, y - corner / 2, corner, corner, stroke=0, fill=1)
    canvas.rect(width - 14 * mm - corner / 2, height - 14 * mm - corner / 2, corner, corner, stroke=0, fill=1)


def _define_fixed_form(canvas: Canvas, template: Template, font_name: str) -> None:
    """Draw what every page shares once, as a form that each page places."""
    width, height = template.page_width_mm * mm, template.page_height_mm * mm
    canvas.beginForm(_FORM_NAME, lowerx=0, lowery=0, upperx=width, uppery=height)
    if template.background is not None:
        canvas.drawImage(ImageReader(BytesIO(template.background)), 0, 0, width, height, mask="auto")
    if template.border:
        _draw_border(canvas, width, height)
    canvas.setFillColor(_BORDER_RED)
    for text in template.texts:
        _draw_text(canvas, font_name, text.text, text.box)
    canvas.endForm()


def _draw_page(canvas: Canvas, template: Template, item: CertificateItem, font_name: str, *, fixed: bool) -> None:
    if fixed:
        canvas.doForm(_FORM_NAME)
    canvas.setFillColorRGB(0, 0, 0)
    for key, box in template.fields.items():
        _draw_text(canvas, font_name, item.text(key), box)
    if template.qr is not None and item.payload:
        _draw_qr(canvas, item.payload, template.qr)


def _write(
    items: Sequence[CertificateItem],
    target: Path,
    template: Template,
    *,
    preprinted: bool,
    offset_mm: tuple[float, float],
    font_name: str,
    on_page: Callable[[], None],
) -> None:
    size = (template.page_width_mm * mm, template.page_height_mm * mm)
    # The CJK font as the initial font: otherwise every page names an unused, unembedded Helvetica.
    canvas = Canvas(str(target), pagesize=size, pageCompression=1, initialFontName=font_name)  # type: ignore[arg-type]  # stubs say float
    canvas.setTitle(template.name)
    canvas.setCreator("competition-app")
    if not preprinted:
        _define_fixed_form(canvas, template, font_name)
    for item in items:
        canvas.saveState()
        if preprinted:
            canvas.translate(offset_mm[0] * mm, offset_mm[1] * mm)
        _draw_page(canvas, template, item, font_name, fixed=not preprinted)
        canvas.restoreState()
        canvas.showPage()
        on_page()
    with _binary_streams():
        canvas.save()


_save_lock = threading.Lock()


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    """Write compressed streams without the ASCII85 layer while saving.

    ASCII85 only makes a PDF 25 % larger and, in reportlab's pure-Python encoder, took a third
    of the time of saving; every viewer reads plain Flate streams.
    """
    with _save_lock:
        previous = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = previous


def render_certificates(
    items: Sequence[CertificateItem],
    path: str | Path,
    *,
    template: Template | None = None,
    preprinted: bool = False,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
    font: str | Path | None = None,
) -> Path:
    """All certificates in one PDF, one page each; returns the path written.

    ``font`` is a TrueType font file to use instead of the bundled LXGW WenKai.
    """
    template = template or default_template()
    progress = progress or NO_PROGRESS
    font_name = register_cjk_font(font)
    target = Path(path)
    total = len(items)
    done = 0

    def on_page() -> None:
        nonlocal done
        done += 1
        if done % 25 == 0 or done == total:
            progress.report(done, total, _("证书 {done}/{total}").format(done=done, total=total))
        else:
            progress.check()

    progress.report(0, total, _("正在生成证书"))
    _write(items, target, template, preprinted=preprinted, offset_mm=offset_mm, font_name=font_name, on_page=on_page)
    return target


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def safe_stem(text: str) -> str:
    """``text`` as a file name stem that Windows accepts: separators, reserved characters and
    white space become "_" (a run of them one "_"), none at either end."""
    return _UNSAFE.sub("_", text).strip("_.")


def file_name(item: CertificateItem) -> str:
    """A file name for one certificate: its number and the holder's name, safe on Windows."""
    return safe_stem(f"{item.number}_{item.name}") + ".pdf"


def _write_each(
    items: Sequence[CertificateItem],
    folder: Path,
    *,
    template: Template,
    preprinted: bool,
    offset_mm: tuple[float, float],
    font: str | Path | None,
    on_file: Callable[[Path], None],
) -> None:
    font_name = register_cjk_font(font)
    _patch_font_tables()
    for item in items:
        target = folder / file_name(item)
        _write([item], target, template, preprinted=preprinted, offset_mm=offset_mm, font_name=font_name,
               on_page=lambda: None)  # fmt: skip
        on_file(target)


def _render_chunk(
    items: Sequence[CertificateItem],
    folder: Path,
    *,
    template: Template,
    preprinted: bool,
    offset_mm: tuple[float, float],
    font: str | Path | None,
) -> list[Path]:
    """One worker process's share of :func:`render_each` (module level, so it can be pickled)."""
    written: list[Path] = []
    _write_each(items, folder, template=template, preprinted=preprinted, offset_mm=offset_mm, font=font,
                on_file=written.append)  # fmt: skip
    return written


PARALLEL_FROM = 60
"""From this many certificates on, :func:`render_each` spreads the files over worker processes."""
_CHUNK = 25


def _worker_count() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def render_each(
    items: Sequence[CertificateItem],
    directory: str | Path,
    *,
    template: Template | None = None,
    preprinted: bool = False,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
    font: str | Path | None = None,
    workers: int | None = None,
) -> list[Path]:
    """One PDF per certificate in ``directory`` (made if missing); returns the paths in order.

    Every file embeds its own font subset, which is CPU work that does not share: from
    ``PARALLEL_FROM`` certificates on, chunks go to ``workers`` processes (default: one per
    CPU). Processes are *spawned*, never forked, so this is safe from a Qt worker thread.
    When cancelled, the files already written are removed again.
    """
    template = template or default_template()
    progress = progress or NO_PROGRESS
    register_cjk_font(font)  # a bad font fails here, before any process starts
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    total = len(items)
    written: list[Path] = []
    progress.report(0, total, _("正在生成证书"))

    def done(count: int) -> None:
        progress.report(count, total, _("证书 {done}/{total}").format(done=count, total=total))

    count = workers if workers is not None else _worker_count()
    try:
        if count < 2 or total < PARALLEL_FROM:

            def on_file(path: Path) -> None:
                written.append(path)
                if len(written) % _CHUNK == 0 or len(written) == total:
                    done(len(written))
                else:
                    progress.check()

            _write_each(items, folder, template=template, preprinted=preprinted, offset_mm=offset_mm, font=font,
                        on_file=on_file)  # fmt: skip
        else:
            _render_parallel(items, folder, template=template, preprinted=preprinted, offset_mm=offset_mm, font=font,
                             workers=count, written=written, done=done)  # fmt: skip
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return [folder / file_name(item) for item in items]


def _render_parallel(
    items: Sequence[CertificateItem],
    folder: Path,
    *,
    template: Template,
    preprinted: bool,
    offset_mm: tuple[float, float],
    font: str | Path | None,
    workers: int,
    written: list[Path],
    done: Callable[[int], None],
) -> None:
    chunks = [items[start : start + _CHUNK] for start in range(0, len(items), _CHUNK)]
    context = multiprocessing.get_context("spawn")
    options: dict[str, Any] = {"template": template, "preprinted": preprinted, "offset_mm": offset_mm, "font": font}
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=context) as pool:
        futures = [pool.submit(functools.partial(_render_chunk, chunk, folder, **options)) for chunk in chunks]
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    written.extend(future.result())
                done(len(written))  # every 0.2 s at least: this is also where a cancel is noticed
        except BaseException:
            for future in futures:
                future.cancel()
            for future in futures:  # the chunks already running finish; their files go too
                if not future.cancelled():
                    with contextlib.suppress(Exception):
                        written.extend(future.result())
            raise


def with_background(template: Template, image: bytes | None) -> Template:
    """The same template with another background image (None removes it)."""
    return replace(template, background=image)
