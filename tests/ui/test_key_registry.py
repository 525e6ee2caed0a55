"""One key registry, really: every binding any screen or widget of the console declares is
an entry of `ui/actions.py` (same id, keys, action), so it shows in help and can be remapped."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

import tuiops.ui
from tuiops.ui.actions import ACTIONS_BY_ID, ALL_ACTIONS, keys_for


def _console_classes() -> list[type[DOMNode]]:
    """Every screen, widget and app class defined in `tuiops.ui`."""
    found: dict[str, type[DOMNode]] = {}
    for info in pkgutil.walk_packages(tuiops.ui.__path__, "tuiops.ui."):
        module = importlib.import_module(info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, DOMNode) and value.__module__ == info.name:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def unregistered_bindings(classes: list[type[DOMNode]]) -> list[str]:
    """Bindings declared by `classes` (in their own BINDINGS) that the registry lacks."""
    problems = []
    for cls in classes:
        for binding in cls.__dict__.get("BINDINGS", []):
            if not isinstance(binding, Binding):
                problems.append(f"{cls.__name__}: {binding!r} is not a Binding with an id")
                continue
            spec = ACTIONS_BY_ID.get(binding.id or "")
            if spec is None:
                problems.append(f"{cls.__name__}: {binding.key!r} has no registry id")
            elif (spec.keys, spec.action) != (binding.key, binding.action):
                problems.append(f"{cls.__name__}: {binding.id} differs from the registry")
    return problems


def test_the_console_has_screens_and_widgets_with_bindings() -> None:
    # The walk below must see the classes it judges, or it would pass on nothing.
    names = {cls.__name__ for cls in _console_classes() if cls.__dict__.get("BINDINGS")}
    assert {"TuiopsApp", "AppsScreen", "DetailScreen", "ResourceTable"} <= names


def test_every_binding_is_in_the_registry() -> None:
    assert unregistered_bindings(_console_classes()) == []


def test_a_binding_without_an_id_is_caught() -> None:
    class Stray(DOMNode):
        BINDINGS = [Binding("z", "zap", "Zap")]  # noqa: RUF012 (a test's one-off class)

    assert unregistered_bindings([Stray]) == ["Stray: 'z' has no registry id"]


def test_remapped_keys_are_read_through_the_registry() -> None:
    assert keys_for("help", {}) == ACTIONS_BY_ID["help"].keys
    assert keys_for("help", {"help": "f1"}) == "f1"
    assert len(ACTIONS_BY_ID) == len({spec.id for spec in ALL_ACTIONS})
