"""`FluxReader` over the Kubernetes API: list Kustomizations and HelmReleases, decode them."""

from __future__ import annotations

from datetime import UTC, datetime

from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kube_watch import not_served_message
from tuiops.domain.decode_live import DecodeError, decode_live_object
from tuiops.domain.feed import FeedState, FeedStatus
from tuiops.domain.kinds import FLUX_APPLIERS
from tuiops.domain.live import LiveObject
from tuiops.errors import Forbidden, NotFound


def decode_flux_object(obj: dict[str, object]) -> LiveObject | None:
    """The decoded object, or None for one without kind or name (it cannot be shown or acted
    on); the one place the live readers make that choice."""
    try:
        return decode_live_object(obj)
    except DecodeError:
        return None


class KubeFluxReader:
    """Reads the Flux appliers of one kube context (implements `ports.FluxReader`)."""

    def __init__(self, api: KubeApi) -> None:
        self._api = api

    @property
    def context(self) -> str:
        return self._api.context_name

    @property
    def server(self) -> str:
        return self._api.server

    def read_appliers(self) -> tuple[tuple[LiveObject, ...], tuple[FeedStatus, ...]]:
        """One list of each applier kind. A kind RBAC forbids or the server does not serve
        is a feed state (the other kind is still read); a transport failure is not: it
        raises, as the whole answer would be a guess.

        Raises:
            ClusterError: the server could not be reached or did not answer in time.
        """
        objects: list[LiveObject] = []
        feeds: list[FeedStatus] = []
        for kind in FLUX_APPLIERS:
            try:
                items, _version = self._api.list_all(kind)
            except Forbidden as error:
                feeds.append(FeedStatus(kind.kind, FeedState.FORBIDDEN, str(error)))
                continue
            except NotFound as error:
                message = not_served_message(self._api, kind, error)
                feeds.append(FeedStatus(kind.kind, FeedState.NOT_SERVED, message))
                continue
            listed_at = datetime.now(UTC)
            decoded = (decode_flux_object(item) for item in items)
            objects.extend(obj for obj in decoded if obj is not None)
            feeds.append(
                FeedStatus(
                    kind.kind, FeedState.LIVE, last_contact=listed_at, since=listed_at, listed=True
                )
            )
        return tuple(objects), tuple(feeds)
