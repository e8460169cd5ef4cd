"""Small dialogs, each behind one classmethod that tests monkeypatch instead of clicking."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QMessageBox, QWidget

from competition_app import __version__
from ui.i18n import translate


class ErrorDialog:
    """A plain Chinese message for something that failed; the traceback goes to the log only."""

    @classmethod
    def show_error(cls, parent: QWidget | None, title: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, parent)
        box.exec()


class InfoDialog:
    @classmethod
    def show_info(cls, parent: QWidget | None, title: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok, parent)
        box.exec()


class DemoOfferDialog:
    """Offered when the database holds no competition yet."""

    @classmethod
    def ask(cls, parent: QWidget | None) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(translate("DemoOfferDialog", "创建演示数据"))
        box.setText(translate("DemoOfferDialog", "数据库中还没有任何赛事。要创建演示数据吗？"))
        box.setInformativeText(
            translate(
                "DemoOfferDialog",
                "演示数据包括三项赛事（市级、省级和世赛选拔赛）及其赛项、选手、裁判和部分成绩，"
                "可随时在“文件”菜单中再次创建。",
            )
        )
        create = box.addButton(translate("DemoOfferDialog", "创建演示数据"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(translate("DemoOfferDialog", "暂不创建"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(create)
        box.exec()
        return box.clickedButton() is create


class AboutDialog:
    @classmethod
    def show(cls, parent: QWidget | None, database_description: str) -> None:
        title = translate("AboutDialog", "关于 职业技能竞赛管理")
        text = translate(
            "AboutDialog",
            "<h3>职业技能竞赛管理 {version}</h3>"
            "<p>报名、评分、排名、奖项与证书，离线运行。</p>"
            "<p>数据库：{database}</p>",
        )
        QMessageBox.about(parent, title, text.format(version=__version__, database=html.escape(database_description)))
