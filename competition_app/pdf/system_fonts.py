"""Chinese TrueType fonts already on the computer, as alternatives to the bundled LXGW WenKai.

Certificates are often wanted in 楷体 or 宋体, which every Chinese Windows has (``simkai.ttf``,
``simsun.ttc``). Those fonts may not be redistributed, so the app never bundles them: it looks
for them in the system's font folders and uses them by name. Only TrueType outlines qualify
(reportlab can embed those); CFF-outlined fonts such as Noto CJK are skipped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from competition_app.i18n import _
from competition_app.pdf.fonts import FontError, has_postscript_outlines

KNOWN_FONTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("楷体", ("simkai.ttf", "stkaiti.ttf")),
    ("宋体", ("simsun.ttc", "simsun.ttf", "stsong.ttf")),
    ("仿宋", ("simfang.ttf", "stfangso.ttf")),
    ("黑体", ("simhei.ttf", "stheiti.ttf")),
    ("微软雅黑", ("msyh.ttc", "msyh.ttf")),
    ("文鼎PL中楷", ("ukai.ttc",)),
    ("文泉驿微米黑", ("wqy-microhei.ttc",)),
    ("霞鹜文楷", ("lxgwwenkai-regular.ttf",)),
)
"""(Chinese name, file names in order of preference, lower case)."""


@dataclass(frozen=True, slots=True)
class SystemFont:
    name: str
    path: Path


def font_folders() -> list[Path]:
    """Where this system keeps fonts (the folders that exist)."""
    home = Path.home()
    if sys.platform == "win32":
        windows = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        candidates = [windows / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    elif sys.platform == "darwin":
        candidates = [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    else:
        candidates = [
            Path("/usr/share/fonts"),
            Path("/usr/local/share/fonts"),
            home / ".local" / "share" / "fonts",
            home / ".fonts",
        ]
    return [folder for folder in candidates if folder.is_dir()]


def _files(folders: Iterable[Path]) -> dict[str, Path]:
    """Lower-case file name → the first such file under the folders (searched recursively)."""
    found: dict[str, Path] = {}
    wanted = {name for _label, names in KNOWN_FONTS for name in names}
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for file in files:
                key = file.lower()
                if key in wanted and key not in found:
                    found[key] = Path(root) / file
    return found


def _is_truetype(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)  # a collection's directory sits at the start
    except OSError:
        return False
    return len(head) >= 4 and not has_postscript_outlines(head, 0)


def system_cjk_fonts(folders: Sequence[Path] | None = None) -> list[SystemFont]:
    """The known Chinese TrueType fonts installed, one per name, in the order of ``KNOWN_FONTS``."""
    files = _files(font_folders() if folders is None else folders)
    fonts = []
    for label, names in KNOWN_FONTS:
        path = next((files[name] for name in names if name in files and _is_truetype(files[name])), None)
        if path is not None:
            fonts.append(SystemFont(label, path))
    return fonts


def resolve_font(spec: str | Path | None, folders: Sequence[Path] | None = None) -> Path | None:
    """A font file for ``spec``: None (the bundled font), a path to a font file, or a system
    font's Chinese name (楷体, 宋体 …). Raises FontError naming the fonts that are available."""
    if spec is None or not str(spec).strip():
        return None
    path = Path(spec).expanduser()
    if path.is_file():
        return path
    text = str(spec).strip()
    available = system_cjk_fonts(folders)
    for font in available:
        if text in (font.name, font.path.name, font.path.stem):
            return font.path
    if path.suffix.lower() in (".ttf", ".ttc", ".otf") or os.sep in text:
        raise FontError(_("找不到字体文件 {path}").format(path=path))
    names = "、".join(font.name for font in available) or _("（未找到）")
    raise FontError(
        _("本机没有名为“{name}”的中文 TrueType 字体；可用的系统字体：{names}").format(name=text, names=names)
    )
