"""The logs pane's filter: level at or above, controller, kind/ns/name without case, free words
or a regex over the text, and the filter line that spells them."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES_ROOT
from tuiops.domain.decode_live import decode_log_line
from tuiops.domain.log_filters import LEVEL_CYCLE, PaneFilter, parse_filter
from tuiops.domain.log_records import LogRecord, LogStream
from tuiops.domain.logs import LogLevel

TEXT = (FIXTURES_ROOT / "flux" / "controller-logs.jsonl").read_text(encoding="utf-8").splitlines()
HELM = LogStream("flux-system", "helm-controller-abc", "manager", "helm-controller")
KUSTOMIZE = LogStream("flux-system", "kustomize-controller-abc", "manager", "kustomize-controller")


def record(text: str, stream: LogStream = HELM) -> LogRecord:
    return LogRecord(stream, "2025-11-25T10:09:42.118000000Z", text, decode_log_line(text))


RECORDS = [record(text) for text in TEXT]


def json_line(level: str, kind: str = "HelmRelease", ns: str = "apps", name: str = "web") -> str:
    return (
        f'{{"level":"{level}","ts":"2025-11-25T10:09:42.118Z","msg":"hello",'
        f'"controllerKind":"{kind}","namespace":"{ns}","name":"{name}"}}'
    )


def test_no_filter_passes_everything() -> None:
    assert PaneFilter().empty
    assert all(PaneFilter().matches(r) for r in [*RECORDS, record("plain text")])


def test_level_at_or_above() -> None:
    levels = {"error": 0, "info": 1, "debug": 2, "trace": 3}
    lines = [record(json_line(level)) for level in levels]
    for threshold, rank in levels.items():
        wanted = PaneFilter(level=LogLevel(threshold))
        shown = [r.line.level for r in lines if r.line is not None and wanted.matches(r)]
        assert shown == [level for level, other in levels.items() if other <= rank]


def test_lines_without_a_level_pass_only_without_a_level_filter() -> None:
    plain = record("panic: something broke")
    unknown = record(json_line("warning"))
    assert PaneFilter().matches(plain) and PaneFilter().matches(unknown)
    for level in LEVEL_CYCLE[1:]:
        assert not PaneFilter(level=level).matches(plain)
        assert not PaneFilter(level=level).matches(unknown)


def test_fixture_errors_by_level() -> None:
    errors = [i + 1 for i, r in enumerate(RECORDS) if PaneFilter(level=LogLevel.ERROR).matches(r)]
    assert errors == [3, 10, 20, 24]  # as tests/unit/test_logs_filter.py reads the fixture


def test_controller_kind_namespace_name_without_case() -> None:
    line = json_line("info", "HelmRelease", "Apps", "Web")
    helm, kustomize = record(line), record(line, KUSTOMIZE)
    assert PaneFilter(controller="helm-controller").matches(helm)
    assert PaneFilter(controller="HELM").matches(helm)
    assert not PaneFilter(controller="helm").matches(kustomize)
    assert PaneFilter(kind="helmrelease", namespace="apps", name="WEB").matches(helm)
    assert not PaneFilter(kind="Kustomization").matches(helm)
    assert PaneFilter(kind="hr").matches(helm) and PaneFilter(kind="HelmReleases").matches(helm)
    assert not PaneFilter(name="web2").matches(helm)
    assert not PaneFilter(namespace="apps").matches(record("not json apps"))


def test_text_words_and_regex() -> None:
    line = record('{"level":"info","msg":"Reconciliation finished in 1.5s"}')
    assert PaneFilter(text="RECONCILIATION 1.5s").matches(line)
    assert not PaneFilter(text="reconciliation failed").matches(line)
    assert PaneFilter(text=r"finished in \d", regex=True).matches(line)
    assert not PaneFilter(text=r"failed in \d", regex=True).matches(line)


def test_an_invalid_regex_is_one_line_and_does_not_filter() -> None:
    broken = PaneFilter(text="([", regex=True)
    assert broken.error.startswith("invalid regex:")
    assert "\n" not in broken.error
    assert all(broken.matches(r) for r in RECORDS)
    assert PaneFilter(text="([").error == ""  # plain words are never a regex


def test_the_filter_line() -> None:
    parsed = parse_filter("level:error ctl:helm kind:hr ns:flux-system name:podinfo oops now")
    assert parsed == PaneFilter(
        level=LogLevel.ERROR,
        controller="helm",
        kind="hr",
        namespace="flux-system",
        name="podinfo",
        text="oops now",
    )
    assert parse_filter("ns:apps re:fail(ed|ure) x") == PaneFilter(
        namespace="apps", text="fail(ed|ure) x", regex=True
    )
    assert parse_filter("level:loud", LogLevel.INFO) == PaneFilter(
        level=LogLevel.INFO, text="level:loud"
    )
    assert parse_filter("") == PaneFilter()


fields = st.text(alphabet="abcXYZ-._", max_size=6).filter(lambda s: ":" not in s)


@given(
    level=st.sampled_from(LEVEL_CYCLE),
    controller=fields,
    kind=fields,
    namespace=fields,
    name=fields,
    text=st.text(alphabet="ab cd", max_size=8),
    regex=st.booleans(),
)
def test_describe_reads_back(
    level: LogLevel | None,
    controller: str,
    kind: str,
    namespace: str,
    name: str,
    text: str,
    regex: bool,
) -> None:
    text = " ".join(text.split())
    if regex and not text:
        regex = False
    wanted = PaneFilter(level, controller, kind, namespace, name, text, regex)
    assert parse_filter(wanted.describe()) == wanted


@given(st.sampled_from(RECORDS), st.text(max_size=6))
def test_regex_search_agrees_with_re(one: LogRecord, pattern: str) -> None:
    wanted = PaneFilter(text=pattern, regex=True)
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error:
        assert wanted.error and wanted.matches(one)
        return
    assert wanted.matches(one) == (compiled.search(one.text) is not None or not pattern)


@given(st.sampled_from(RECORDS), st.sampled_from(LEVEL_CYCLE), st.sampled_from(["", "helm"]))
def test_matcher_equals_matches(one: LogRecord, level: LogLevel | None, controller: str) -> None:
    wanted = PaneFilter(level=level, controller=controller)
    assert wanted.matcher()(one) == wanted.matches(one)
