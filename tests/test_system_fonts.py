"""System Chinese fonts (楷体, 宋体 …) found by name, used in place of the bundled font, embedded."""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from competition_app.certificates.render import CertificateItem, render_certificates
from competition_app.pdf.fonts import BUNDLED_FONT_FILE, FontError
from competition_app.pdf.system_fonts import resolve_font, system_cjk_fonts


@pytest.fixture
def fonts(tmp_path: Path) -> Path:
    """A font folder as Windows has it: a TrueType 楷体 (a copy of the bundled font under
    simkai.ttf's name, in a subfolder) and a CFF-outlined 宋体 that must be passed over."""
    folder = tmp_path / "Fonts"
    (folder / "cjk").mkdir(parents=True)
    with as_file(files("resources") / "fonts" / BUNDLED_FONT_FILE) as bundled:
        shutil.copyfile(bundled, folder / "cjk" / "SIMKAI.TTF")
    (folder / "simsun.ttc").write_bytes(b"ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10OTTO" + bytes(64))
    return folder


def test_known_fonts_are_found_by_file_name_and_cff_fonts_are_skipped(fonts: Path) -> None:
    found = system_cjk_fonts([fonts])
    assert [(font.name, font.path.name) for font in found] == [("楷体", "SIMKAI.TTF")]
    assert resolve_font("楷体", [fonts]) == fonts / "cjk" / "SIMKAI.TTF"
    assert resolve_font(None, [fonts]) is None
    assert resolve_font(fonts / "cjk" / "SIMKAI.TTF", [fonts]) == fonts / "cjk" / "SIMKAI.TTF"


def test_unknown_fonts_are_refused_with_what_there_is(fonts: Path, tmp_path: Path) -> None:
    with pytest.raises(FontError, match="没有名为“宋体”的中文 TrueType 字体；可用的系统字体：楷体"):
        resolve_font("宋体", [fonts])
    with pytest.raises(FontError, match="找不到字体文件"):
        resolve_font(tmp_path / "nowhere.ttf", [fonts])


def test_a_certificate_in_the_system_font_embeds_that_font(fonts: Path, tmp_path: Path) -> None:
    font = resolve_font("楷体", [fonts])
    item = CertificateItem("JN2026-HG-0001", "欧阳娜娜", "单位", "赛事", "焊工", "职工组", "一等奖", "主办",
                           "二〇二六年五月二十日", "CERT|JN2026-HG-0001|欧阳娜娜|X")  # fmt: skip
    path = render_certificates([item], tmp_path / "kai.pdf", font=font)
    page = PdfReader(path).pages[0]
    assert "SIMKAI" in pdfmetrics.getRegisteredFontNames()  # registered under the file's name
    for value in page["/Resources"]["/Font"].values():  # type: ignore[index]
        descriptor = value.get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # embedded TrueType outlines, not a CFF or unembedded font
    assert "欧阳娜娜" in page.extract_text()
