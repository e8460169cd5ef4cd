"""Chinese fonts for reportlab: register a TrueType CJK font once, embedded as a subset.

The bundled font is LXGW WenKai Regular (霞鹜文楷, SIL OFL 1.1, ``resources/fonts``). A caller
may prefer another TrueType font by path, e.g. Windows' 楷体 ``simkai.ttf`` or a face of the
collection 宋体 ``simsun.ttc``. reportlab embeds only TrueType (glyf) outlines: fonts with CFF
(PostScript) outlines, such as Debian's Noto CJK ``.otf``/``.ttc``, are refused with a Chinese
message rather than silently replaced by a non-embedded CID font that looks different in every
viewer.
"""

from __future__ import annotations

import threading
from importlib.resources import as_file, files
from pathlib import Path

from competition_app.i18n import _

BUNDLED_FONT_FILE = "LXGWWenKai-Regular.ttf"
BUNDLED_FONT_NAME = "LXGWWenKai-Regular"

# Full-width closing punctuation that must never begin a line. reportlab's list (written for
# Japanese) lacks most of these, so a wrapped Chinese line could start with "，".
CJK_CANNOT_START = "，。、；：！？）》〉」』】〕〗〙〛”’％…·"

_lock = threading.Lock()
_registered: dict[tuple[str, int], str] = {}
_line_breaking_patched = False


class FontError(ValueError):
    """A font that cannot be used for PDF output; the message is Chinese and says why."""


def _patch_cjk_line_breaking() -> None:
    """Add full-width closing punctuation to reportlab's "cannot start a line" set, once.

    ``reportlab.platypus.paragraph`` copies the set at import time, so both modules are patched.
    """
    global _line_breaking_patched  # noqa: PLW0603 - a process-wide, idempotent library tweak
    if _line_breaking_patched:
        return
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    missing = "".join(char for char in CJK_CANNOT_START if char not in textsplit.ALL_CANNOT_START)
    patched = textsplit.ALL_CANNOT_START + missing
    for module in (textsplit, paragraph):
        setattr(module, "ALL_CANNOT_START", patched)  # noqa: B010 - the stubs mark it Final
    _line_breaking_patched = True


def cannot_start_line() -> str:
    """The characters that may not begin a wrapped line (after the CJK patch)."""
    _patch_cjk_line_breaking()
    from reportlab.lib import textsplit

    return str(textsplit.ALL_CANNOT_START)


def has_postscript_outlines(data: bytes, subfont_index: int) -> bool:
    """True for an OpenType font (or collection member) with CFF outlines ('OTTO' signature)."""
    if data[:4] == b"ttcf":
        count = int.from_bytes(data[8:12], "big")
        if not 0 <= subfont_index < count:
            return False  # reportlab reports the bad index itself
        offset = int.from_bytes(data[12 + 4 * subfont_index : 16 + 4 * subfont_index], "big")
        return data[offset : offset + 4] == b"OTTO"
    return data[:4] == b"OTTO"


def _font_name(path: Path, subfont_index: int) -> str:
    return path.stem if subfont_index == 0 else f"{path.stem}-{subfont_index}"


def _register(path: Path, name: str, subfont_index: int) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        data = path.read_bytes()
    except OSError as error:
        raise FontError(
            _("无法读取字体文件 {path}：{error}").format(path=path, error=error.strerror or error)
        ) from error
    if has_postscript_outlines(data, subfont_index):
        raise FontError(
            _(
                "字体 {path} 使用 CFF（PostScript）轮廓，PDF 生成程序无法嵌入此类字体；"
                "请改用 TrueType 字体（如 .ttf 格式的楷体、宋体或随程序附带的霞鹜文楷）。"
            ).format(path=path)
        )
    try:
        # A TTFont embeds only the glyphs a document uses (a subset), never the whole font.
        font = TTFont(name, str(path), subfontIndex=subfont_index)
    except (TTFError, ValueError, OSError) as error:
        raise FontError(_("无法使用字体 {path}：{error}").format(path=path, error=error)) from error
    pdfmetrics.registerFont(font)
    return name


def register_cjk_font(preferred: str | Path | None = None, *, subfont_index: int = 0) -> str:
    """Register a Chinese TrueType font with reportlab (once per file and face); return its name.

    ``preferred`` is a path to a ``.ttf`` or ``.ttc`` file (``subfont_index`` picks the face of a
    collection); without it, the bundled LXGW WenKai is used. Raises :class:`FontError` for a
    missing file, a CFF/PostScript-outlined font, or anything reportlab cannot read.
    """
    _patch_cjk_line_breaking()
    with _lock:
        if preferred is not None:
            path = Path(preferred).expanduser()
            key = (str(path.resolve()), subfont_index)
            if key not in _registered:
                _registered[key] = _register(path, _font_name(path, subfont_index), subfont_index)
            return _registered[key]
        key = ("<bundled>", 0)
        if key not in _registered:
            with as_file(files("resources") / "fonts" / BUNDLED_FONT_FILE) as bundled:
                _registered[key] = _register(Path(bundled), BUNDLED_FONT_NAME, 0)
        return _registered[key]
