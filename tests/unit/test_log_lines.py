"""How the logs pane draws one line (pure): short time, controller, level word, object and
message, every piece inert; the streams' worst state; the filter `l` opens the pane with."""

from __future__ import annotations

from tuiops.domain.decode_live import decode_log_line
from tuiops.domain.log_filters import PaneFilter
from tuiops.domain.log_records import LogRecord, LogStream, StreamState, StreamStatus
from tuiops.domain.refs import ObjectRef
from tuiops.ui.screens.logs import object_filter, streams_summary
from tuiops.ui.tones import Tone
from tuiops.ui.widgets.log_view import line_content, short_time

HELM = LogStream("flux-system", "helm-controller-abc", "manager", "helm-controller")
POD = LogStream("apps", "web-1", "nginx")


def test_short_time() -> None:
    assert short_time("2025-11-25T10:09:42.118Z") == "10:09:42.118"
    assert short_time("2025-11-25T10:09:42.118123456Z") == "10:09:42.118"
    assert short_time("2025-11-25T10:09:42.1Z") == "10:09:42.100"
    assert short_time("2025-11-25T10:09:42Z") == "10:09:42.000"
    assert short_time("") == " " * 12


def test_a_controller_line() -> None:
    text = (
        '{"level":"error","ts":"2025-11-25T10:09:42.118Z","msg":"Reconciler error",'
        '"controllerKind":"HelmRelease","namespace":"apps","name":"web",'
        '"error":"boom\\n"}'
    )
    content = line_content(LogRecord(HELM, "", text, decode_log_line(text)))
    assert content.plain == "10:09:42.118 helm   ERR hr/apps/web Reconciler error boom"
    styles = {content.plain[span.start : span.end]: span.style for span in content.spans}
    assert styles["Reconciler error"] is Tone.BAD
    assert styles["boom"] is Tone.BAD


def test_a_plain_line_is_shown_as_it_is_but_inert() -> None:
    record = LogRecord(POD, "2025-11-25T10:00:00.5Z", "[b]hi[/b] \x1b]52;c;eA==\x07")
    content = line_content(record)
    assert content.plain.endswith("[b]hi[/b] \\x1b]52;c;eA==\\x07")
    assert content.plain.startswith("10:00:00.500 nginx ")
    assert "\x1b" not in content.plain


def test_streams_summary_shows_the_worst() -> None:
    live = StreamStatus(HELM, StreamState.LIVE)
    broken = StreamStatus(HELM, StreamState.RECONNECTING, "connection refused")
    forbidden = StreamStatus(HELM, StreamState.FORBIDDEN, "pods/log is forbidden")
    assert streams_summary((live, live)) == ("live · 2 streams", Tone.GOOD)
    assert streams_summary((live, broken)) == ("reconnecting: connection refused", Tone.WARN)
    assert streams_summary((broken, forbidden))[0] == "forbidden: pods/log is forbidden"
    assert streams_summary(()) == ("starting", Tone.MUTED)


def test_object_filter_names_the_controller() -> None:
    hr = ObjectRef("HelmRelease", "apps", "web")
    assert object_filter(hr) == PaneFilter(
        controller="helm-controller", kind="HelmRelease", namespace="apps", name="web"
    )
    assert object_filter(ObjectRef("Kustomization", "flux-system", "apps")).controller == (
        "kustomize-controller"
    )
    assert object_filter(ObjectRef("GitRepository", "flux-system", "x")).controller == (
        "source-controller"
    )


def test_a_pods_containers_are_told_apart() -> None:
    server = LogStream("nextcloud", "nextcloud-7d9f-abcde", "nextcloud")
    cron = LogStream("nextcloud", "nextcloud-7d9f-abcde", "nextcloud-cron")
    shown = {
        line_content(LogRecord(stream, "2025-11-25T10:00:00Z", "same text")).plain
        for stream in (server, cron)
    }
    assert len(shown) == 2
    assert any("nextcloud-cron" in text for text in shown)
