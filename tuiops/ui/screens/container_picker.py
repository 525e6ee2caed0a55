"""`c` on a pod's logs: pick one of its containers (`kubectl logs -c`) or all of them again, in
the list `:ctx` uses (`ChooseScreen`).

The names come from the feeds' streams: a feed on every container has one stream per
container, a feed on one container only that one, so the pod's list is what every feed of the
pane found so far (a pod's containers never change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuiops.ports import LogFeed
    from tuiops.ui.screens.choose import ChooseScreen

ALL_CONTAINERS = "all containers"
"""The first entry: every container, interleaved by time. No container has this name
(container names are DNS labels, without spaces)."""


def containers_seen(known: tuple[str, ...], feed: LogFeed | None) -> tuple[str, ...]:
    """`known`, then the containers `feed` streams that are not in it yet, in the order found
    (the discovery's own status, with no container, is left out)."""
    statuses = feed.statuses() if feed is not None else ()
    found = [status.stream.container for status in statuses if status.stream.container]
    return tuple(dict.fromkeys([*known, *found]))


def container_picker(containers: tuple[str, ...], chosen: str) -> ChooseScreen:
    """The list: all containers, then each one; the one read now is marked. Titled
    "Containers" only: the pane's source line names the pod, and a pod's name (up to 63
    characters) would wrap the title.

    Args:
        containers: The pod's containers, as `containers_seen` gathered them.
        chosen: The container read now; empty when every one is.

    Returns:
        The screen to push; it returns the picked container, `ALL_CONTAINERS` or None.
    """
    from tuiops.ui.screens.choose import Choice, ChooseScreen  # imported when first shown

    choices = (
        Choice(ALL_CONTAINERS, "interleaved by time", in_use=not chosen),
        *(Choice(name, in_use=name == chosen) for name in containers),
    )
    return ChooseScreen("Containers", choices)


def container_words(container: str, previous: bool) -> str:
    """What the pane reads, in a few words: `all containers`, `previous container web`."""
    when = "previous " if previous else ""
    return f"{when}container {container}" if container else f"all {when}containers"
