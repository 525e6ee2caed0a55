"""goyaml types, prints and hashes scalars exactly as go-yaml v3 and sops 3.11 do."""

from __future__ import annotations

import copy
import datetime as dt
import math
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuiops.gitops.sops.goyaml import (
    NanoTime,
    go_parse_float,
    parse_sops_plaintext,
    resolve_plain,
    resolve_tagged,
    sops_plaintext,
    string_style,
    yaml_scalar_text,
)
from tuiops.gitops.sops.tree import ScalarKind, ScalarValue

UTC = dt.UTC
PLUS2 = dt.timezone(dt.timedelta(hours=2))
MINUS3 = dt.timezone(dt.timedelta(hours=-3))
INF = math.inf


def _same(got: tuple[ScalarKind, ScalarValue], want: tuple[ScalarKind, ScalarValue]) -> None:
    """Equal kind and value, with NaN equal to NaN and float/int kept apart."""
    assert got[0] == want[0]
    if isinstance(want[1], float) and math.isnan(want[1]):
        assert isinstance(got[1], float)
        assert math.isnan(got[1])
    else:
        assert got[1] == want[1]
        assert type(got[1]) is type(want[1]) or isinstance(got[1], dt.datetime)


# -- resolve_plain ----------------------------------------------------------------------------

RESOLVE_PLAIN: list[tuple[str, tuple[ScalarKind, ScalarValue]]] = [
    # nulls
    ("~", ("null", None)),
    ("null", ("null", None)),
    ("Null", ("null", None)),
    ("NULL", ("null", None)),
    ("", ("null", None)),
    ("nULL", ("str", "nULL")),
    # bools: YAML 1.2 spellings only
    ("true", ("bool", True)),
    ("True", ("bool", True)),
    ("TRUE", ("bool", True)),
    ("false", ("bool", False)),
    ("False", ("bool", False)),
    ("FALSE", ("bool", False)),
    ("tRUE", ("str", "tRUE")),
    *[(word, ("str", word)) for word in ("yes", "no", "on", "off", "y", "n", "Y", "N", "ON")],
    # ints: underscores dropped, Go base-0 syntax
    ("42", ("int", 42)),
    ("-17", ("int", -17)),
    ("+1", ("int", 1)),
    ("-0", ("int", 0)),
    ("0", ("int", 0)),
    ("1_000", ("int", 1000)),
    ("1__0", ("int", 10)),
    ("1_", ("int", 1)),
    ("0x1F", ("int", 31)),
    ("0X1f", ("int", 31)),
    ("-0x1F", ("int", -31)),
    ("0x_1F", ("int", 31)),
    ("0o17", ("int", 15)),
    ("0O17", ("int", 15)),
    ("017", ("int", 15)),
    ("-017", ("int", -15)),
    ("0b101", ("int", 5)),
    ("0B101", ("int", 5)),
    ("-0b101", ("int", -5)),
    ("9223372036854775807", ("int", 9223372036854775807)),
    ("-9223372036854775808", ("int", -9223372036854775808)),
    ("9223372036854775808", ("int", 9223372036854775808)),  # uint64 in go-yaml
    ("18446744073709551615", ("int", 18446744073709551615)),
    ("0x", ("str", "0x")),
    ("0b", ("str", "0b")),
    ("0b102", ("str", "0b102")),
    ("_1", ("str", "_1")),
    ("-", ("str", "-")),
    ("+", ("str", "+")),
    # floats
    ("1.5", ("float", 1.5)),
    ("1e3", ("float", 1000.0)),
    ("1E3", ("float", 1000.0)),
    ("1.5e3", ("float", 1500.0)),
    ("1e21", ("float", 1e21)),
    ("0.000001", ("float", 1e-06)),
    ("2.0", ("float", 2.0)),
    ("1.", ("float", 1.0)),
    (".5", ("float", 0.5)),
    ("+.5", ("float", 0.5)),
    ("-.5", ("float", -0.5)),
    (".5_0", ("float", 0.5)),
    ("1_0.5", ("float", 10.5)),
    ("08", ("float", 8.0)),  # not octal, not an int: Go's float parser takes it
    ("019", ("float", 19.0)),
    ("18446744073709551616", ("float", 18446744073709551616.0)),  # past uint64
    ("-9223372036854775809", ("float", -9223372036854775809.0)),
    ("1e400", ("str", "1e400")),  # overflow is an error in Go, so it stays a string
    (".1e400", ("str", ".1e400")),
    ("1e-400", ("float", 0.0)),
    ("._5", ("str", "._5")),
    (".", ("str", ".")),
    ("..", ("str", "..")),
    ("0x1p-2", ("str", "0x1p-2")),  # hex floats are not YAML floats
    (".inf", ("float", INF)),
    (".Inf", ("float", INF)),
    (".INF", ("float", INF)),
    ("+.inf", ("float", INF)),
    ("-.inf", ("float", -INF)),
    ("-.Inf", ("float", -INF)),
    ("-.INF", ("float", -INF)),
    (".nan", ("float", math.nan)),
    (".NaN", ("float", math.nan)),
    (".NAN", ("float", math.nan)),
    (".Nan", ("str", ".Nan")),
    ("inf", ("str", "inf")),
    ("nan", ("str", "nan")),
    # timestamps
    ("2024-01-01", ("time", dt.datetime(2024, 1, 1, tzinfo=UTC))),
    ("2024-1-2", ("time", dt.datetime(2024, 1, 2, tzinfo=UTC))),
    ("2024-01-01T10:00:00Z", ("time", dt.datetime(2024, 1, 1, 10, tzinfo=UTC))),
    ("2024-01-01t10:00:00Z", ("time", dt.datetime(2024, 1, 1, 10, tzinfo=UTC))),
    ("2024-01-01T10:00:00+02:00", ("time", dt.datetime(2024, 1, 1, 10, tzinfo=PLUS2))),
    ("2024-01-01T10:00:00.5Z", ("time", dt.datetime(2024, 1, 1, 10, 0, 0, 500000, tzinfo=UTC))),
    ("2024-01-01T10:00:00,5Z", ("time", dt.datetime(2024, 1, 1, 10, 0, 0, 500000, tzinfo=UTC))),
    ("2024-1-2T3:4:5Z", ("time", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))),
    ("2024-01-01 10:00:00", ("time", dt.datetime(2024, 1, 1, 10, tzinfo=UTC))),
    ("2024-01-01   10:00:00.25", ("time", dt.datetime(2024, 1, 1, 10, 0, 0, 250000, tzinfo=UTC))),
    ("2024-01-01T10:00:00", ("str", "2024-01-01T10:00:00")),  # the T layouts need a zone
    ("2024-01-01 10:00:00Z", ("str", "2024-01-01 10:00:00Z")),  # the space layout has none
    ("2024-01-01T10:00:00z", ("str", "2024-01-01T10:00:00z")),
    ("2024-01-01T24:00:00Z", ("str", "2024-01-01T24:00:00Z")),
    ("2024-01-01T10:00:00+2:00", ("str", "2024-01-01T10:00:00+2:00")),
    ("2023-02-29", ("str", "2023-02-29")),
    ("2024-13-01", ("str", "2024-13-01")),
    ("2024-001-01", ("str", "2024-001-01")),
    ("12024-01-01", ("str", "12024-01-01")),
    ("+2024-01-01", ("str", "+2024-01-01")),
    ("2024-01-01x", ("str", "2024-01-01x")),
    # strings
    ("hello", ("str", "hello")),
    ("12:30", ("str", "12:30")),  # base 60 is gone in YAML 1.2
    ("<<", ("str", "<<")),
    ("1.2.3.4", ("str", "1.2.3.4")),
    ("192.168.20.200", ("str", "192.168.20.200")),
    (
        "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",
        ("str", "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]"),
    ),
]


@pytest.mark.parametrize(("text", "want"), RESOLVE_PLAIN, ids=[repr(t) for t, _ in RESOLVE_PLAIN])
def test_resolve_plain(text: str, want: tuple[ScalarKind, ScalarValue]) -> None:
    _same(resolve_plain(text), want)


# Every plain-scalar case of go-yaml v3's own decode_test.go `unmarshalTests` (decoded into
# interface{}), with the value go-yaml expects.
GO_YAML_UNMARSHAL: list[tuple[str, tuple[ScalarKind, ScalarValue]]] = [
    ("hi", ("str", "hi")),
    ("true", ("bool", True)),
    ("10", ("int", 10)),
    ("0b10", ("int", 2)),
    ("0xA", ("int", 10)),
    ("4294967296", ("int", 4294967296)),
    ("0.1", ("float", 0.1)),
    (".1", ("float", 0.1)),
    (".Inf", ("float", INF)),
    ("-.Inf", ("float", -INF)),
    ("-10", ("int", -10)),
    ("-.1", ("float", -0.1)),
    ("123", ("int", 123)),
    ("6.8523e+5", ("float", 6.8523e5)),
    ("685.230_15e+03", ("float", 685.23015e03)),
    ("685_230.15", ("float", 685230.15)),
    ("-.inf", ("float", -INF)),
    (".NaN", ("float", math.nan)),
    ("false", ("bool", False)),
    ("True", ("bool", True)),
    ("False", ("bool", False)),
    ("TRUE", ("bool", True)),
    ("FALSE", ("bool", False)),
    ("on", ("str", "on")),
    ("685230", ("int", 685230)),
    ("+685_230", ("int", 685230)),
    ("02472256", ("int", 685230)),
    ("-02472256", ("int", -685230)),
    ("0o2472256", ("int", 685230)),
    ("-0o2472256", ("int", -685230)),
    ("0x_0A_74_AE", ("int", 685230)),
    ("0b1010_0111_0100_1010_1110", ("int", 685230)),
    ("-0b101010", ("int", -42)),
    ("-0b" + "1" + "0" * 63, ("int", -9223372036854775808)),
    ("", ("null", None)),
    ("~", ("null", None)),
    ("null", ("null", None)),
    ("-b_c", ("str", "-b_c")),
    ("+b_c", ("str", "+b_c")),
    ("1.2.3.4", ("str", "1.2.3.4")),
    ("2015-02-24 18:19:39", ("time", dt.datetime(2015, 2, 24, 18, 19, 39, tzinfo=UTC))),
    ("2015-01-01", ("time", dt.datetime(2015, 1, 1, tzinfo=UTC))),
    ("123456e1", ("float", 123456e1)),
    ("123456E1", ("float", 123456e1)),
    ("hello", ("str", "hello")),
]


@pytest.mark.parametrize(
    ("text", "want"), GO_YAML_UNMARSHAL, ids=[repr(t) for t, _ in GO_YAML_UNMARSHAL]
)
def test_resolve_plain_matches_go_yaml_unmarshal_tests(
    text: str, want: tuple[ScalarKind, ScalarValue]
) -> None:
    _same(resolve_plain(text), want)


@given(st.integers(-(2**63), 2**63 - 1))
def test_resolve_plain_reads_every_int64(number: int) -> None:
    assert resolve_plain(str(number)) == ("int", number)
    assert (
        resolve_plain(hex(number).replace("0x", "0x_") if number >= 0 else str(number))[1] == number
    )


def test_nanosecond_timestamps_keep_their_nanoseconds() -> None:
    kind, value = resolve_plain("2024-01-01T10:00:00.123456789-03:00")
    assert kind == "time"
    assert isinstance(value, NanoTime)
    assert value.extra_ns == 789
    assert value == NanoTime.of(dt.datetime(2024, 1, 1, 10, 0, 0, 123456, tzinfo=MINUS3), 789)
    assert value != NanoTime.of(dt.datetime(2024, 1, 1, 10, 0, 0, 123456, tzinfo=MINUS3), 788)
    assert value != dt.datetime(2024, 1, 1, 10, 0, 0, 123456, tzinfo=MINUS3)
    assert copy.deepcopy(value) == value
    assert pickle.loads(pickle.dumps(value)) == value
    assert sops_plaintext("time", value) == "2024-01-01T10:00:00.123456789-03:00"
    plain = resolve_plain("2024-01-01T10:00:00.1234560Z")[1]
    assert type(plain) is dt.datetime  # no nanoseconds beyond the microsecond: a plain datetime


def test_fractions_past_nine_digits_are_cut_like_go() -> None:
    value = resolve_plain("2024-01-01T10:00:00.1234567891Z")[1]
    assert sops_plaintext("time", value) == "2024-01-01T10:00:00.123456789Z"


# -- resolve_tagged ---------------------------------------------------------------------------

RESOLVE_TAGGED: list[tuple[str, str, tuple[ScalarKind, ScalarValue]]] = [
    ("!!str", "2015-01-01", ("str", "2015-01-01")),
    ("tag:yaml.org,2002:str", "true", ("str", "true")),
    ("!!str", "", ("str", "")),
    ("!!int", "0x1F", ("int", 31)),
    ("tag:yaml.org,2002:int", "1_000", ("int", 1000)),
    ("!!float", "1.1", ("float", 1.1)),
    ("!!float", "0", ("float", 0.0)),
    ("!!float", "-1", ("float", -1.0)),
    ("tag:yaml.org,2002:float", ".inf", ("float", INF)),
    ("!!bool", "False", ("bool", False)),
    ("!!null", "", ("null", None)),
    ("!!null", "~", ("null", None)),
    ("!!timestamp", "2015-01-01", ("time", dt.datetime(2015, 1, 1, tzinfo=UTC))),
    (
        "tag:yaml.org,2002:timestamp",
        "2024-01-01T10:00:00Z",
        ("time", dt.datetime(2024, 1, 1, 10, tzinfo=UTC)),
    ),
    ("!", "test", ("str", "test")),
    ("!", "42", ("int", 42)),  # go-yaml resolves the non-specific tag like a plain scalar
    ("!custom", "42", ("str", "42")),
    ("tag:example.com,2000:thing", "true", ("str", "true")),
    ("!!binary", "aGVsbG8=", ("str", "hello")),
    ("tag:yaml.org,2002:binary", "AAAA\nAAAA\n", ("str", "\0" * 6)),
]


@pytest.mark.parametrize(("tag", "text", "want"), RESOLVE_TAGGED)
def test_resolve_tagged(tag: str, text: str, want: tuple[ScalarKind, ScalarValue]) -> None:
    _same(resolve_tagged(tag, text), want)


@pytest.mark.parametrize(
    ("tag", "text"),
    [
        ("!!int", "abc"),
        ("!!int", "1.5"),
        ("!!int", "2015-01-01"),  # an explicit !!int skips the timestamp reading
        ("!!float", "abc"),
        ("!!float", "18446744073709551615"),  # a uint64 is no float in go-yaml
        ("!!bool", "yes"),
        ("!!null", "foo"),
        ("!!timestamp", "42"),
        ("!!timestamp", "2024-01-01T10:00:00"),
        ("!!binary", "not base64!"),
    ],
)
def test_resolve_tagged_refuses_what_go_yaml_refuses(tag: str, text: str) -> None:
    with pytest.raises(ValueError):
        resolve_tagged(tag, text)


# -- sops_plaintext / parse_sops_plaintext ------------------------------------------------------

PLAINTEXT: list[tuple[ScalarKind, ScalarValue, str]] = [
    ("str", "hello", "hello"),
    ("str", "", ""),
    ("str", "ünï 😀\n", "ünï 😀\n"),
    ("comment", " a comment", " a comment"),
    ("int", 31, "31"),
    ("int", -5, "-5"),
    ("int", 0, "0"),
    ("float", 1.5, "1.5"),
    ("float", 2.0, "2"),
    ("float", 1500.0, "1500"),
    ("float", 1e-06, "0.000001"),
    ("float", 1e21, "1000000000000000000000"),
    ("float", 100.0, "100"),
    ("float", 0.1, "0.1"),
    ("float", 123456789.0, "123456789"),
    ("float", 1.1111111111111112e31, "11111111111111112000000000000000"),
    ("float", 0.0, "0"),
    ("float", -0.0, "-0"),
    ("float", -2.5, "-2.5"),
    ("float", INF, "+Inf"),
    ("float", -INF, "-Inf"),
    ("float", math.nan, "NaN"),
    ("float", 32400, "32400"),  # an int given for a float kind (JSON numbers)
    ("bool", True, "True"),
    ("bool", False, "False"),
    ("time", dt.datetime(2024, 1, 1, tzinfo=UTC), "2024-01-01T00:00:00Z"),
    ("time", dt.datetime(2024, 1, 1, 10, 0, 0, 500000, tzinfo=UTC), "2024-01-01T10:00:00.5Z"),
    ("time", dt.datetime(2024, 1, 1, 10, 0, 0, 120, tzinfo=UTC), "2024-01-01T10:00:00.00012Z"),
    ("time", dt.datetime(2024, 1, 1, 10, tzinfo=PLUS2), "2024-01-01T10:00:00+02:00"),
    ("time", dt.datetime(2024, 1, 1, 10, tzinfo=MINUS3), "2024-01-01T10:00:00-03:00"),
    (
        "time",
        dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(0))),
        "2024-01-01T10:00:00Z",
    ),
    ("time", dt.datetime(5, 1, 1, tzinfo=UTC), "0005-01-01T00:00:00Z"),
]


@pytest.mark.parametrize(("kind", "value", "text"), PLAINTEXT)
def test_sops_plaintext(kind: ScalarKind, value: ScalarValue, text: str) -> None:
    assert sops_plaintext(kind, value) == text


@pytest.mark.parametrize(("kind", "value", "text"), PLAINTEXT)
def test_parse_sops_plaintext_inverts_it(kind: ScalarKind, value: ScalarValue, text: str) -> None:
    if kind == "float" and isinstance(value, int):
        value = float(value)  # JSON numbers come back as floats
    _same((kind, parse_sops_plaintext(kind, text)), (kind, value))


def test_null_has_no_plaintext() -> None:
    assert sops_plaintext("null", None) == ""
    assert parse_sops_plaintext("null", "") is None


@pytest.mark.parametrize(
    ("kind", "text", "want"),
    [
        ("int", "+7", 7),
        ("int", "007", 7),
        ("int", "-9223372036854775808", -9223372036854775808),
        ("float", "1e21", 1e21),
        ("float", "1_000.5", 1000.5),
        ("float", "0x1p-2", 0.25),
        ("float", "inf", INF),
        ("float", "-Infinity", -INF),
        ("float", ".5", 0.5),
        *[("bool", text, True) for text in ("1", "t", "T", "TRUE", "true", "True")],
        *[("bool", text, False) for text in ("0", "f", "F", "FALSE", "false", "False")],
        (
            "time",
            "2024-01-01T10:00:00.5+02:00",
            dt.datetime(2024, 1, 1, 10, 0, 0, 500000, tzinfo=PLUS2),
        ),
    ],
)
def test_parse_sops_plaintext_accepts_go_syntax(
    kind: ScalarKind, text: str, want: ScalarValue
) -> None:
    _same((kind, parse_sops_plaintext(kind, text)), (kind, want))


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("int", "1_000"),
        ("int", "0x1F"),
        ("int", " 1"),
        ("int", "9223372036854775808"),
        ("int", ""),
        ("float", "1e400"),
        ("float", "+nan"),
        ("float", "1__0"),
        ("float", "_1"),
        ("float", "0x1"),
        ("float", ""),
        ("bool", "yes"),
        ("bool", "TRue"),
        ("time", "2024-01-01"),
        ("time", "2024-01-01t10:00:00Z"),
        ("time", "2024-01-01T10:00:00"),
        ("time", "2024-01-01T10:00:00+24:00"),
        ("time", "2024-01-01T1:00:00Z"),
        ("time", "2024-02-30T10:00:00Z"),
        ("time", "2024-01-01T10:00:00,5Z"),
    ],
)
def test_parse_sops_plaintext_refuses_bad_text(kind: ScalarKind, text: str) -> None:
    with pytest.raises(ValueError):
        parse_sops_plaintext(kind, text)


@given(st.floats(allow_nan=False))
def test_float_plaintext_round_trips(number: float) -> None:
    text = sops_plaintext("float", number)
    assert "e" not in text
    back = parse_sops_plaintext("float", text)
    assert isinstance(back, float)
    assert back == number
    assert math.copysign(1.0, back) == math.copysign(1.0, number)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_yaml_float_text_reads_back_as_the_same_number(number: float) -> None:
    kind, value = resolve_plain(yaml_scalar_text("float", number))
    assert kind in ("float", "int")  # Go's %g writes 2.0 as `2`, which reads back as an int
    assert value == number


@given(st.datetimes(timezones=st.sampled_from([UTC, PLUS2, MINUS3])))
def test_time_plaintext_round_trips(value: dt.datetime) -> None:
    text = sops_plaintext("time", value)
    assert parse_sops_plaintext("time", text) == value
    assert resolve_plain(yaml_scalar_text("time", value)) == ("time", value)


# -- yaml_scalar_text -------------------------------------------------------------------------

# fmt: off
YAML_TEXT: list[tuple[ScalarKind, ScalarValue, str]] = [
    ("int", 42, "42"),
    ("int", -10, "-10"),
    ("int", 4294967296, "4294967296"),
    ("bool", True, "true"),
    ("bool", False, "false"),
    ("null", None, "null"),
    ("float", 0.1, "0.1"),
    ("float", -0.1, "-0.1"),
    ("float", 1.5, "1.5"),
    ("float", 2.0, "2"),
    ("float", 1500.0, "1500"),
    ("float", 123456.0, "123456"),
    ("float", 1234567.0, "1.234567e+06"),
    ("float", 1e21, "1e+21"),
    ("float", 1e-06, "1e-06"),
    ("float", 0.0001, "0.0001"),
    ("float", 1e100, "1e+100"),
    ("float", 1.1111111111111112e31, "1.1111111111111112e+31"),
    ("float", -0.0, "-0"),
    ("float", INF, ".inf"),
    ("float", -INF, "-.inf"),
    ("float", math.nan, ".nan"),
    ("time", dt.datetime(2024, 1, 1, tzinfo=UTC), "2024-01-01T00:00:00Z"),
    ("time", dt.datetime(2015, 2, 24, 18, 19, 39, tzinfo=UTC), "2015-02-24T18:19:39Z"),
    (
        "time",
        NanoTime.of(dt.datetime(2015, 2, 24, 18, 19, 39, 123456, tzinfo=MINUS3), 789),
        "2015-02-24T18:19:39.123456789-03:00",
    ),
    # strings that would read as another type: double quotes
    *[
        ("str", s, f'"{s}"')
        for s in (
            "12345", "yes", "y", "n", "on", "True", "true", "false", "null", "~", "1e3", "0x10",
            "+1", ".5", "1_000", "2024-01-01", "2015-02-24T18:19:39Z", "10", "1:1", "12:30",
            "Yes", "OFF", "N", ".inf", "-.Inf", ".NaN", "08", "0000-01-01",
            "2024-01-01T10:00:00+24:00", "2024-1-2 3:4:5",
        )
    ],
    ("str", "", '""'),
    ("str", "a\tb", '"a\\tb"'),
    ("str", "\x00", '"\\0"'),
    ("str", "bell\a esc\x1b del\x7f c1\x9f", '"bell\\a esc\\e del\\x7F c1\\x9F"'),
    ("str", "😀 astral", '"\\U0001F600 astral"'),
    ("str", "\ufeffab", '"\\uFEFF\\x61\\x62"'),  # go-yaml escapes everything after a BOM
    ("str", "line\nbreak", '"line\\nbreak"'),
    ("str", 'tab\tand "quotes" \\', '"tab\\tand \\"quotes\\" \\\\"'),
    ("str", "cr\r", '"cr\\r"'),
    # special syntax: single quotes
    *[
        ("str", s, f"'{s}'")
        for s in (
            "  leading spaces", "trailing space ", "colon: inside", "hash # inside", "*star",
            "@at", "`tick", "%pct", "-", "{brace}", "[bracket]", "&amp", "!bang", "|pipe", ">gt",
            "?", "? q", ",comma", "#hash", "a:", "- item", "---", "...x", "b: c",
            "Hello #comment", "你好 #comment", ":", "]x",
        )
    ],
    ("str", "it's ' inside", "it's ' inside"),
    ("str", "'quoted'", "'''quoted'''"),
    ("str", '"dq"', "'\"dq\"'"),
    ("str", " it's", "' it''s'"),
    # plain
    *[
        ("str", s, s)
        for s in (
            "it's", 'say "hi"', "a,b", "ünïcödé", "你好", "<foo>", "-a", "?a", ":a", "a:b", "a#b",
            "hello world", "192.168.20.200", "ssh://git@github.com/x/y.git", "pg-pass-Very$ecret",
            "a\xa0b", "1.2.3.4", "1e400", "12:60", "x" * 300,
            "ENC[AES256_GCM,data:Zm9v,iv:YmFy+/=,tag:YmF6==,type:str]", "2023-02-29",
            "2024-01-01T10:00:00", "2024-01-01T10:00:00+24:61",
        )
    ],
]
# fmt: on


@pytest.mark.parametrize(
    ("kind", "value", "text"), YAML_TEXT, ids=[repr(v)[:40] for _, v, _ in YAML_TEXT]
)
def test_yaml_scalar_text(kind: ScalarKind, value: ScalarValue, text: str) -> None:
    assert yaml_scalar_text(kind, value) == text


def test_unicode_line_separators_stay_raw_in_single_quotes() -> None:
    # go-yaml's single-quoted writer copies U+2028 and indents the text after it.
    assert yaml_scalar_text("str", "x\u2028y", indent=4) == "'x\u2028    y'"


@pytest.mark.parametrize(
    ("value", "style"),
    [
        ("a\nb", "literal"),
        ("a\n", "literal"),
        ("\tB\n\tC\n", "literal"),
        (" lead\nx", "literal"),
        ("a \nb", "double"),  # a space before a break rules out the block style
        ("trailing \n x ", "double"),
        ("a\n\x01", "double"),
        ("plain", "plain"),
        ("a\u2028b", "single"),
    ],
)
def test_string_style(value: str, style: str) -> None:
    assert string_style(value) == style


@given(st.text())
def test_plain_strings_read_back_as_the_same_string(value: str) -> None:
    text = yaml_scalar_text("str", value)
    if string_style(value) == "plain":
        assert text == value
        assert resolve_plain(text) == ("str", value)
    else:
        assert text[0] in "'\"" and text[-1] == text[0]


@pytest.mark.parametrize(
    ("kind", "value"), [("int", "1"), ("str", 3), ("time", "x"), ("float", None)]
)
def test_wrong_value_types_are_refused(kind: ScalarKind, value: ScalarValue) -> None:
    with pytest.raises(TypeError):
        yaml_scalar_text(kind, value)
    with pytest.raises(TypeError):
        sops_plaintext(kind, value)


def test_go_parse_float_rules() -> None:
    assert go_parse_float("1_2.3_4e1_0") == 12.34e10
    assert go_parse_float("1_.5") is None
    assert go_parse_float("0x_1p4") == 16.0
    assert go_parse_float("infin") is None
    assert go_parse_float("1.7976931348623159e308") is None  # rounds past the largest float
