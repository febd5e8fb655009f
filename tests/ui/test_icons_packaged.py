"""The console's icons ship inside the package: every icon an action or a lane names is found
through ``importlib.resources``, and the wheel's package data covers it."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.console.import_actions import IMPORT_ACTION
from vmadesk.ui.console.item_actions import ITEM_ACTIONS
from vmadesk.ui.console.shell import SHELL_ACTIONS
from vmadesk.ui.console.shift_actions import SHIFT_ACTIONS
from vmadesk.ui.console.view_actions import VIEW_ACTIONS
from vmadesk.ui.icons import icon, icons_dir, lane_icon_name

ROOT = Path(__file__).resolve().parents[2]


def _named_icons() -> set[str]:
    specs = (IMPORT_ACTION, *ITEM_ACTIONS, *SHELL_ACTIONS, *SHIFT_ACTIONS, *VIEW_ACTIONS)
    names = {spec.icon for spec in specs if spec.icon}
    return names | {lane_icon_name(lane) for lane in Lane}


def test_every_named_icon_is_package_data(qtbot) -> None:  # type: ignore[no-untyped-def]
    folder = resources.files("vmadesk").joinpath("resources", "icons")
    assert Path(str(folder)) == icons_dir()
    names = _named_icons()
    assert len(names) > 10
    for name in sorted(names):
        assert folder.joinpath(f"{name}.svg").is_file(), name
        assert not icon(name).isNull(), name
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["vmadesk"]
    for name in names:
        assert any(fnmatch.fnmatch(f"resources/icons/{name}.svg", g) for g in globs), name
