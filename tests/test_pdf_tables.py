"""Chinese table PDFs: the bundled font embedded as a subset, text that never overflows its cell."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from competition_app.pdf.fonts import BUNDLED_FONT_NAME, FontError, cannot_start_line, register_cjk_font
from competition_app.pdf.tables import (
    CELL_PADDING,
    Column,
    TableDocument,
    column_widths,
    fit_text,
    render_table_pdf,
    render_tables_pdf,
    wrap_text,
)

LONG_UNIT = "山东省济宁市任城区运河经济开发区某某重型机械装备制造有限责任公司第二分厂焊接车间（一），联合实训基地"


def _document(count: int = 3, **changes: object) -> TableDocument:
    fields: dict[str, object] = {
        "title": "签到表",
        "subtitle_lines": ('2026年济宁市"运河之星"职业技能大赛', "赛项：焊工　组别：职工组"),
        "columns": (Column("序号", 0.6), Column("参赛编号", 1.2), Column("姓名", 1.2), Column("单位", 3.5, "left")),
        "rows": tuple((str(n), f"HG-{n:03d}", "欧阳娜娜", "济宁市技师学院") for n in range(1, count + 1)),
        "signature_line": "裁判长签字：__________  日期：__________",
    }
    fields.update(changes)
    return TableDocument(**fields)  # type: ignore[arg-type]


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def test_the_bundled_font_registers_once() -> None:
    assert register_cjk_font() == BUNDLED_FONT_NAME
    assert register_cjk_font() == BUNDLED_FONT_NAME


def test_closing_punctuation_cannot_start_a_line() -> None:
    register_cjk_font()
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for char in "，。、；：！？）》」”":
        assert char in cannot_start_line()
        assert char in textsplit.ALL_CANNOT_START and char in paragraph.ALL_CANNOT_START


def test_a_postscript_outlined_font_is_refused_in_chinese(tmp_path: Path) -> None:
    otf = tmp_path / "NotoSansCJK-Regular.otf"
    otf.write_bytes(b"OTTO" + bytes(200))
    with pytest.raises(FontError, match="CFF"):
        register_cjk_font(otf)
    collection = tmp_path / "NotoSansCJK-Regular.ttc"
    collection.write_bytes(
        b"ttcf" + (1 << 16).to_bytes(4, "big") + (1).to_bytes(4, "big") + (16).to_bytes(4, "big") + b"OTTO"
    )
    with pytest.raises(FontError, match="TrueType"):
        register_cjk_font(collection)
    with pytest.raises(FontError, match="无法读取字体文件"):
        register_cjk_font(tmp_path / "missing.ttf")
    garbage = tmp_path / "garbage.ttf"
    garbage.write_bytes(b"not a font at all")
    with pytest.raises(FontError, match="无法使用字体"):
        register_cjk_font(garbage)


WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@pytest.mark.skipif(not WQY.exists(), reason="fonts-wqy-microhei is not installed")
def test_a_system_truetype_collection_face_can_be_chosen() -> None:
    name = register_cjk_font(WQY, subfont_index=1)
    assert name == "wqy-microhei-1"
    reader = _reader(render_table_pdf(_document(), font=WQY))  # the collection's first face
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert [str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()] == ["WenQuanYiMicroHei-0"]
    assert "欧阳娜娜" in reader.pages[0].extract_text()


def test_a_short_text_keeps_its_size_and_a_little_too_long_one_shrinks() -> None:
    font = register_cjk_font()
    short = fit_text("张三", font, 80, size=10.5, min_size=6)
    assert (short.font_size, short.lines) == (10.5, ("张三",))
    text = "济宁市技师学院机电系"  # 10 characters at 10.5 pt ≈ 105 pt
    width = stringWidth(text, font, 10.5) * 0.9
    shrunk = fit_text(text, font, width, size=10.5, min_size=6)
    assert shrunk.lines == (text,)
    assert 10.5 * 0.85 <= shrunk.font_size < 10.5
    assert stringWidth(text, font, shrunk.font_size) <= width


@pytest.mark.parametrize("width", [40.0, 90.0, 160.0, 300.0])
def test_a_very_long_unit_name_wraps_and_never_overflows(width: float) -> None:
    font = register_cjk_font()
    fitted = fit_text(LONG_UNIT, font, width, size=10.5, min_size=6)
    assert "".join(fitted.lines) == LONG_UNIT
    assert 6 <= fitted.font_size <= 10.5
    for line in fitted.lines:
        assert stringWidth(line, font, fitted.font_size) <= width + 1e-6
    assert all(line[:1] not in "，。、；：）" for line in fitted.lines)


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet="济宁市技师学院焊工（一），。：AbcXYZ0123-", min_size=1, max_size=80),
    width=st.floats(min_value=12, max_value=300),
)
def test_wrapped_lines_keep_every_character_and_stay_within_the_width(text: str, width: float) -> None:
    font = register_cjk_font()
    fitted = fit_text(text, font, width, size=10.5, min_size=6)
    assert "".join(fitted.lines) == text
    assert all(stringWidth(line, font, fitted.font_size) <= width + 1e-6 for line in fitted.lines)


def test_wrapping_keeps_latin_words_whole_and_breaks_only_overlong_ones() -> None:
    font = register_cjk_font()
    lines = wrap_text("Welding 焊接 Technology", font, 10, 60)
    assert "Technology" in lines or any("Technology" in line for line in lines)
    lines = wrap_text("X" * 50, font, 10, 30)
    assert "".join(lines) == "X" * 50 and all(stringWidth(line, font, 10) <= 30 for line in lines)


def test_the_cell_fitting_the_renderer_uses_fits_the_real_column() -> None:
    font = register_cjk_font()
    document = _document(count=1)
    unit_width = column_widths(document)[3] - 2 * CELL_PADDING
    fitted = fit_text(LONG_UNIT, font, unit_width, size=document.font_size, min_size=document.min_font_size)
    assert len(fitted.lines) > 1
    assert max(stringWidth(line, font, fitted.font_size) for line in fitted.lines) <= unit_width


def test_a_rendered_table_has_chinese_text_page_numbers_and_an_embedded_subset_font() -> None:
    rows = tuple((str(n), f"HG-{n:03d}", "欧阳娜娜", LONG_UNIT if n == 7 else "济宁市技师学院") for n in range(1, 91))
    data = render_table_pdf(_document(rows=rows, signature_line="裁判长签字：__________"))
    reader = _reader(data)
    pages = len(reader.pages)
    assert pages >= 2
    texts = [page.extract_text() for page in reader.pages]
    assert "签到表" in texts[0] and "运河之星" in texts[0] and "欧阳娜娜" in texts[0]
    assert "HG-090" in texts[-1]
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 / 共 {pages} 页" in text
        assert "参赛编号" in text  # the header row repeats on every page
        assert "裁判长签字" in text
    compact = "".join("".join(texts).split())
    assert "".join(LONG_UNIT.split()) in compact
    assert reader.metadata is not None and reader.metadata.title == "签到表"

    fonts = reader.pages[0]["/Resources"]["/Font"]
    base_fonts = [font.get_object()["/BaseFont"] for font in fonts.values()]
    assert base_fonts and all(str(name).split("+", 1)[-1] == BUNDLED_FONT_NAME for name in base_fonts)
    assert all("+" in str(name) for name in base_fonts)  # a subset, e.g. AAAAAA+LXGWWenKai-Regular
    for font in fonts.values():
        assert "/FontFile2" in font.get_object()["/FontDescriptor"]
    assert len(data) < 400_000  # a subset, not the 15 MB font


def test_several_tables_in_one_file_are_numbered_each_on_their_own() -> None:
    data = render_tables_pdf([_document(count=3, title="焊工签到表"), _document(count=3, title="电工签到表")])
    texts = [page.extract_text() for page in _reader(data).pages]
    assert len(texts) == 2
    assert "焊工签到表" in texts[0] and "电工签到表" in texts[1]
    assert all("第 1 页 / 共 1 页" in text for text in texts)


def test_landscape_and_notes() -> None:
    data = render_table_pdf(_document(landscape=True, notes=("本表一式两份。",)))
    page = _reader(data).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    assert "本表一式两份" in page.extract_text()


def test_a_row_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="第 1 行有 2 个单元格"):
        TableDocument(title="x", columns=(Column("a"), Column("b"), Column("c")), rows=(("1", "2"),))
