"""The dialog shown after an internal error: where the PHI-free report was saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget


def crash_message(report: Path) -> str:
    """The sentence the VMA reads (the report holds code locations only, never PHI)."""
    return (
        "vmadesk hit an internal error; a report without patient data was saved to "
        f"{report}. Your work up to the last action is saved."
    )


class CrashDialog(QMessageBox):
    """A critical message box naming the report file."""

    def __init__(self, report: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle("vmadesk: internal error")
        self.setText(crash_message(report))
        self.setStandardButtons(QMessageBox.StandardButton.Ok)


def show_crash_dialog(report: Path) -> None:
    """Excepthook callback: show the dialog when a Qt application runs."""
    if QApplication.instance() is None:
        import sys

        print(crash_message(report), file=sys.stderr)
        return
    dialog = CrashDialog(report)
    dialog.exec()
