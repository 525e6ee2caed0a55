"""How go-yaml v3 (the YAML library inside sops) types, prints and hashes scalars.

sops never sees YAML 1.1 or 1.2 as Python libraries implement them: it sees go-yaml v3's
`resolve.go` typing, Go's `strconv` number syntax, Go's `time.Parse` layouts and the emitter's
quoting analysis. A value typed or printed any other way changes the MAC or the file bytes, so
each rule here follows Go's behaviour, including its quirks (`08` is a float, `1e400` a string).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
from decimal import Decimal
from typing import Literal

from tuiops.gitops.sops.tree import ScalarKind, ScalarValue

StrStyle = Literal["plain", "single", "double", "literal"]

_UTC = dt.UTC
_INT64 = 1 << 63
_UINT64_MAX = (1 << 64) - 1
_DIGITS = "0123456789"
_LONG_TAG = "tag:yaml.org,2002:"
_SPECIAL_FLOATS: dict[str, float] = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_OLD_BOOLS = frozenset(
    (
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "on",
        "On",
        "ON",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "off",
        "Off",
        "OFF",
    )
)
_GO_DEC_FLOAT = re.compile(r"[+-]?([0-9_]*\.?[0-9_]*)([eE][+-]?[0-9][0-9_]*)?")
_GO_HEX_FLOAT = re.compile(r"[+-]?0[xX]([0-9a-fA-F_]*\.?[0-9a-fA-F_]*)[pP][+-]?[0-9][0-9_]*")
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_GO_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_GO_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))
_BREAKS = "\r\n\x85\u2028\u2029"
_ESCAPES = {
    "\0": "0",
    "\a": "a",
    "\b": "b",
    "\t": "t",
    "\n": "n",
    "\v": "v",
    "\f": "f",
    "\r": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\x85": "N",
    "\xa0": "_",
    "\u2028": "L",
    "\u2029": "P",
}


class NanoTime(dt.datetime):
    """A datetime that keeps the nanoseconds below its microsecond, as Go's time.Time does.

    Only returned when those nanoseconds are not zero; everything else is a plain datetime.
    """

    __slots__ = ("extra_ns",)
    extra_ns: int

    @classmethod
    def of(cls, base: dt.datetime, extra_ns: int) -> NanoTime:
        """`base` plus `extra_ns` (0-999) nanoseconds."""
        made = cls(
            base.year,
            base.month,
            base.day,
            base.hour,
            base.minute,
            base.second,
            base.microsecond,
            base.tzinfo,
        )
        made.extra_ns = extra_ns
        return made

    def __reduce__(self) -> tuple[object, ...]:
        # Copies and pickles would otherwise drop the extra nanoseconds.
        return (NanoTime.of, (dt.datetime.fromisoformat(self.isoformat()), self.extra_ns))

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and _extra_ns(self) == _extra_ns(other)

    def __hash__(self) -> int:
        return hash((super().__hash__(), self.extra_ns))


def _extra_ns(value: object) -> int:
    # Arithmetic on a NanoTime builds one without the slot set: treat that as zero.
    return getattr(value, "extra_ns", 0)


def _timestamp(
    date: tuple[int, int, int], clock: tuple[int, int, int], frac: str, tz: dt.tzinfo
) -> dt.datetime | None:
    """A datetime from parsed fields, or None where Python cannot hold what Go can."""
    digits = (frac + "000000000")[:9]  # Go keeps nine digits and drops the rest
    try:
        base = dt.datetime(*date, *clock, int(digits[:6]), tzinfo=tz)
    except ValueError:  # year 0, or a day past the month's end
        return None
    return NanoTime.of(base, int(digits[6:])) if int(digits[6:]) else base


def _go_num(text: str, pos: int) -> tuple[int, int] | None:
    """Go `getnum`: one or two ASCII digits at `pos`; (value, next position)."""
    if pos >= len(text) or text[pos] not in _DIGITS:
        return None
    end = pos + 2 if pos + 1 < len(text) and text[pos + 1] in _DIGITS else pos + 1
    return int(text[pos:end]), end


def _yaml_timestamp(text: str) -> dt.datetime | None:
    """go-yaml's timestamp layouts: `2006-1-2`, then `T`/`t`/spaces + `15:4:5[.9]` (+ zone)."""
    if len(text) < 5 or any(c not in _DIGITS for c in text[:4]) or text[4] != "-":
        return None
    fields: list[int] = []
    pos = 5
    for sep, low, high in (("-", 1, 12), ("", 1, 31)):
        got = _go_num(text, pos)
        if got is None or not low <= got[0] <= high or text[got[1] : got[1] + len(sep)] != sep:
            return None
        fields.append(got[0])
        pos = got[1] + len(sep)
    if pos == len(text):
        return _timestamp((int(text[:4]), fields[0], fields[1]), (0, 0, 0), "", _UTC)
    zoned = text[pos] in "Tt"
    if text[pos] not in "Tt ":
        return None
    pos = pos + 1 if zoned else len(text) - len(text[pos:].lstrip(" "))
    for sep, high in ((":", 23), (":", 59), ("", 59)):
        got = _go_num(text, pos)
        if got is None or got[0] > high or text[got[1] : got[1] + len(sep)] != sep:
            return None
        fields.append(got[0])
        pos = got[1] + len(sep)
    frac = ""
    if pos + 1 < len(text) and text[pos] in ".," and text[pos + 1] in _DIGITS:
        end = pos + 1
        while end < len(text) and text[end] in _DIGITS:
            end += 1
        frac, pos = text[pos + 1 : end], end
    tz: dt.tzinfo = _UTC
    if zoned:
        zone = text[pos:]
        if zone[:1] == "Z":
            pos += 1
        elif (
            len(zone) >= 6
            and zone[0] in "+-"
            and zone[3] == ":"
            and all(c in _DIGITS for c in zone[1:3] + zone[4:6])
            and int(zone[1:3]) <= 24
            and int(zone[4:6]) <= 60
        ):
            minutes = int(zone[1:3]) * 60 + int(zone[4:6])
            if minutes >= 24 * 60:  # Go allows +24:00; Python's timezone does not
                return None
            tz = dt.timezone(dt.timedelta(minutes=-minutes if zone[0] == "-" else minutes))
            pos += 6
        else:
            return None
    if pos != len(text):
        return None
    return _timestamp(
        (int(text[:4]), fields[0], fields[1]), (fields[2], fields[3], fields[4]), frac, tz
    )


def _go_uint(text: str) -> int | None:
    """Go `strconv.ParseUint(text, 0, 64)` without underscores; None on any error."""
    if not text or not text.isascii():
        return None
    base, digits = 10, text
    if text[0] == "0":
        prefix = text[1:2].lower()
        if len(text) >= 3 and prefix in ("b", "o", "x"):
            base, digits = {"b": 2, "o": 8, "x": 16}[prefix], text[2:]
        else:
            base, digits = 8, text[1:]
    value = 0
    for char in digits.lower():
        digit = "0123456789abcdefghijklmnopqrstuvwxyz".find(char)
        if digit < 0 or digit >= base:
            return None
        value = value * base + digit
    return value if value <= _UINT64_MAX else None


def _go_int(text: str) -> int | None:
    """Go `strconv.ParseInt(text, 0, 64)`; None on a syntax or range error."""
    negative = text[:1] == "-"
    magnitude = _go_uint(text[1:] if text[:1] in "+-" and text else text)
    if magnitude is None or magnitude > _INT64 or (magnitude == _INT64 and not negative):
        return None
    return -magnitude if negative else magnitude


def _underscores_ok(text: str) -> bool:
    """Go's rule: an underscore only between digits (a base prefix counts as a digit)."""
    body = text[1:] if text[:1] in "+-" else text
    hexa = body[:2].lower() == "0x"
    last = "0" if body[:2].lower() in ("0x", "0b", "0o") else "^"
    for char in body[2:] if last == "0" else body:
        if char in _DIGITS or (hexa and char.lower() in "abcdef"):
            last = "0"
        elif char == "_":
            if last != "0":
                return False
            last = "_"
        elif last == "_":
            return False
        else:
            last = "!"
    return last != "_"


def go_parse_float(text: str) -> float | None:
    """Go `strconv.ParseFloat(text, 64)`: None on a syntax error or an overflow (ErrRange)."""
    lowered = text.lower()
    if lowered in ("nan", "inf", "+inf", "infinity", "+infinity", "-inf", "-infinity"):
        return float(lowered.replace("infinity", "inf"))
    hexa = _GO_HEX_FLOAT.fullmatch(text)
    decimal = None if hexa else _GO_DEC_FLOAT.fullmatch(text)
    match = hexa or decimal
    if match is None or not any(c not in "._" for c in match.group(1)):
        return None
    if "_" in text and not _underscores_ok(text):
        return None
    try:
        value = float.fromhex(text.replace("_", "")) if hexa else float(text.replace("_", ""))
    except (OverflowError, ValueError):
        return None
    return None if math.isinf(value) else value


def _resolve(text: str, timestamps: bool) -> tuple[ScalarKind, ScalarValue]:
    """go-yaml's `resolve`: the first character picks which readings are tried, in order."""
    if text in _NULLS:
        return "null", None
    if text in _BOOLS:
        return "bool", _BOOLS[text]
    if text in _SPECIAL_FLOATS:
        return "float", _SPECIAL_FLOATS[text]
    if text[:1] == ".":
        value = go_parse_float(text)
        return ("float", value) if value is not None else ("str", text)
    if text[:1] not in tuple("+-" + _DIGITS):
        return "str", text
    stamp = _yaml_timestamp(text) if timestamps else None
    if stamp is not None:
        return "time", stamp
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is None:
        number = _go_uint(plain)
    if number is not None:
        return "int", number
    if _YAML_FLOAT.fullmatch(plain):
        value = go_parse_float(plain)
        if value is not None:
            return "float", value
    return "str", text


def resolve_plain(text: str) -> tuple[ScalarKind, ScalarValue]:
    """Type an unquoted plain scalar the way go-yaml v3's `resolve("", text)` does.

    Args:
        text: the scalar's text as written, without quotes.

    Returns:
        (kind, value): "null"/None, "bool", "int", "float", "time" (an aware datetime, UTC when
        the text has no zone) or "str" with `text` itself. Integers beyond int64 stay "int"
        (go-yaml makes them uint64, which sops refuses to walk). Timestamps Python cannot hold
        (year 0, a +24:00 offset) stay "str".
    """
    return _resolve(text, timestamps=True)


_TAG_KINDS: dict[str, ScalarKind] = {
    "!!null": "null",
    "!!bool": "bool",
    "!!int": "int",
    "!!float": "float",
    "!!timestamp": "time",
}


def resolve_tagged(tag: str, text: str) -> tuple[ScalarKind, ScalarValue]:
    """Type a scalar with an explicit tag (`!!int` or `tag:yaml.org,2002:int`) as go-yaml does.

    `!!str` and unknown or local tags give a string; `!` alone resolves like a plain scalar;
    `!!binary` gives the decoded text; `!!float` accepts integers.

    Raises:
        ValueError: when the text does not fit the tag; go-yaml (and so sops) refuses the file.
    """
    short = "!!" + tag[len(_LONG_TAG) :] if tag.startswith(_LONG_TAG) else tag
    if short == "!":
        return resolve_plain(text)
    if short == "!!binary":
        try:
            data = base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
            return "str", data.decode()
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError(f"!!binary value is not base64 of UTF-8 text: {text!r}") from None
    wanted = _TAG_KINDS.get(short)
    if wanted is None:
        return "str", text
    # Only a plain or `!!timestamp` scalar is tried as a timestamp.
    kind, value = _resolve(text, timestamps=wanted == "time")
    if wanted == "float" and kind == "int" and isinstance(value, int) and value < _INT64:
        return "float", float(value)
    if kind != wanted:
        raise ValueError(f"cannot decode !!{kind} `{text}` as a {short}")
    return kind, value


def _shortest(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of abs(value) and the decimal point position (0.DIGITS e DP)."""
    if value == 0:
        return "", 0
    _, digits, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    text = "".join(map(str, digits))
    return text, len(text) + int(exponent)


def _positional(digits: str, point: int) -> str:
    if not digits:
        return "0"
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def _go_float(value: float, fmt: Literal["f", "g"]) -> str:
    """Go `strconv.FormatFloat(value, fmt, -1, 64)` for finite values."""
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    digits, point = _shortest(value)
    exp = point - 1
    if fmt == "g" and digits and (exp < -4 or exp >= 6):  # shortest %g switches at 1e+06
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return sign + _positional(digits, point)


def _rfc3339_nano(value: dt.datetime) -> str:
    """Go's `Time.Format(time.RFC3339Nano)`: trailing fraction zeros trimmed, `Z` for UTC."""
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    nanos = f"{value.microsecond:06d}{_extra_ns(value):03d}".rstrip("0")
    offset = value.utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds() / 60)  # Go truncates seconds
    if value.utcoffset() is None or offset == dt.timedelta(0):
        zone = "Z"
    else:
        zone = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{text}{'.' + nanos if nanos else ''}{zone}"


def sops_plaintext(kind: ScalarKind, value: ScalarValue) -> str:
    """The text sops encrypts and feeds to the MAC for a typed value (spec §1.3).

    str and comment as they are; int in decimal; float in Go's shortest positional form
    (`2`, `1500`, `0.000001`, `+Inf`, `NaN`, `-0`); bool `True`/`False`; time in RFC 3339 with
    Go-trimmed nanoseconds; null has no plaintext (sops never encrypts or hashes it): "".
    """
    if kind in ("str", "comment") and isinstance(value, str):
        return value
    if kind == "null":
        return ""
    if kind == "bool":
        return "True" if value else "False"
    if kind == "int" and isinstance(value, int):
        return str(int(value))
    if kind == "float" and isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "+Inf" if number > 0 else "-Inf"
        return _go_float(number, "f")
    if kind == "time" and isinstance(value, dt.datetime):
        return _rfc3339_nano(value)
    raise TypeError(f"not a {kind} value: {value!r}")


def parse_sops_plaintext(kind: ScalarKind, text: str) -> ScalarValue:
    """Decode decrypted plaintext by its `type:` field, as sops does (the inverse of
    `sops_plaintext`).

    Raises:
        ValueError: when the text is not valid for the type (sops fails to decrypt then).
    """
    if kind in ("str", "comment"):
        return text
    if kind == "null":
        return None
    if kind == "int":  # strconv.Atoi: base 10, a sign, no underscores, int64
        if re.fullmatch(r"[+-]?[0-9]+", text) and -_INT64 <= int(text) < _INT64:
            return int(text)
    elif kind == "float":
        number = go_parse_float(text)
        if number is not None:
            return number
    elif kind == "bool" and text in _GO_TRUE | _GO_FALSE:
        return text in _GO_TRUE
    elif kind == "time":
        match = _RFC3339.fullmatch(text)
        if match:
            year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
            zone = match.group(8)
            tz: dt.tzinfo = _UTC
            if zone != "Z":
                hours, minutes = int(zone[1:3]), int(zone[4:6])
                if hours > 23 or minutes > 59:
                    raise ValueError(f"not an RFC 3339 time: {text!r}")
                delta = dt.timedelta(hours=hours, minutes=minutes)
                tz = dt.timezone(-delta if zone[0] == "-" else delta)
            if hour <= 23 and minute <= 59 and second <= 59:
                stamp = _timestamp(
                    (year, month, day), (hour, minute, second), (match.group(7) or ".")[1:], tz
                )
                if stamp is not None:
                    return stamp
    raise ValueError(f"not a valid {kind} plaintext: {text!r}")


def _printable(char: str) -> bool:
    """libyaml's printable set; astral characters and U+FEFF are not in it."""
    code = ord(char)
    return (
        char == "\n"
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
    )


def _analyze(value: str) -> tuple[bool, bool, bool, bool]:
    """The emitter's scalar analysis, block context: (multiline, plain, single, block) allowed."""
    if not value:
        return False, True, True, False
    indicators = value.startswith(("---", "..."))
    tab = special = breaks = space_break = break_space = False
    previous_space = previous_break = False
    preceded_by_blank = True
    for index, char in enumerate(value):
        followed_by_blank = index + 1 == len(value) or value[index + 1] in " \t"
        if index == 0:
            indicators |= char in "#,[]{}&*!|>'\"%@`" or (char in "?:-" and followed_by_blank)
        else:
            indicators |= (char == ":" and followed_by_blank) or (char == "#" and preceded_by_blank)
        if char == "\t":
            tab = True
        elif not _printable(char):
            special = True
        if char == " ":
            break_space |= previous_break
            previous_space, previous_break = True, False
        elif char in _BREAKS:
            breaks = True
            space_break |= previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_blank = char in " \t\0" + _BREAKS
    edges = value[0] + value[-1]
    quoting = break_space or space_break or tab or special
    plain = not (quoting or breaks or indicators or any(c in " " + _BREAKS for c in edges))
    block = not (value[-1] == " " or space_break or special)
    return breaks, plain, not quoting, block


def string_style(value: str) -> StrStyle:
    """The style go-yaml v3's encoder (so sops) gives a string in block context.

    A string that would read back as another type (or as a YAML 1.1 bool or base-60 number) is
    double-quoted; one with a line break is a literal block; a plain scalar that the emitter's
    analysis rejects becomes single-quoted, or double-quoted when single quotes cannot hold it.
    """
    _, plain, single, block = _analyze(value)
    if "\n" in value:
        return "literal" if block else "double"
    if resolve_plain(value)[0] != "str" or value in _OLD_BOOLS or _BASE60.fullmatch(value):
        return "double"
    if plain:
        return "plain"
    return "single" if single else "double"


def is_multiline(value: str) -> bool:
    """Whether go-yaml counts `value` as multi-line (any line break, Unicode ones included)."""
    return any(c in _BREAKS for c in value)


def double_quoted(value: str) -> str:
    """A double-quoted scalar with go-yaml's escapes (a leading BOM escapes every character)."""
    escape_all = value.startswith("\ufeff")
    out = ['"']
    for char in value:
        if escape_all or not _printable(char) or char in _BREAKS or char in '"\\':
            code = ord(char)
            short = _ESCAPES.get(char)
            if short is None:
                short = (
                    f"x{code:02X}"
                    if code <= 0xFF
                    else (f"u{code:04X}" if code <= 0xFFFF else f"U{code:08X}")
                )
            out.append("\\" + short)
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def single_quoted(value: str, indent: int = 0) -> str:
    """A single-quoted scalar; after a U+2028/U+2029 break go-yaml indents to `indent`."""
    out = ["'"]
    after_break = False
    for char in value:
        if char in _BREAKS:
            out.append(char)
            after_break = True
            continue
        if after_break:
            out.append(" " * indent)
        out.append("''" if char == "'" else char)
        after_break = False
    out.append("'")
    return "".join(out)


def yaml_scalar_text(kind: ScalarKind, value: ScalarValue, *, indent: int = 0) -> str:
    """A scalar as go-yaml v3's emitter writes it on one line (the same for keys and values).

    Ints in decimal, bools `true`/`false`, null `null`, floats in Go's `%g` form (`2`, `1e+21`,
    `.inf`, `.nan`), times in RFC 3339; strings plain, single- or double-quoted per
    `string_style`. A string with a line break gets the double-quoted form here; the block
    emitter writes a literal block instead where go-yaml does.

    Args:
        kind: the scalar's kind ("comment" is treated as a string).
        value: the typed value.
        indent: continuation column, used only after a Unicode line separator.
    """
    if kind in ("str", "comment") and isinstance(value, str):
        style = string_style(value)
        if style == "plain":
            return value
        return single_quoted(value, indent) if style == "single" else double_quoted(value)
    if kind == "null":
        return "null"
    if kind == "bool":
        return "true" if value else "false"
    if kind == "int" and isinstance(value, int):
        return str(int(value))
    if kind == "float" and isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return ".nan"
        if math.isinf(number):
            return ".inf" if number > 0 else "-.inf"
        return _go_float(number, "g")
    if kind == "time" and isinstance(value, dt.datetime):
        return _rfc3339_nano(value)
    raise TypeError(f"not a {kind} value: {value!r}")
