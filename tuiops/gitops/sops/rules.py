"""Which values sops encrypts: the six rule fields of a file's `sops:` block or a creation rule.

At most one of `unencrypted_suffix`, `encrypted_suffix`, `unencrypted_regex`, `encrypted_regex`,
`unencrypted_comment_regex` and `encrypted_comment_regex` is set; with none, sops behaves as
`unencrypted_suffix: _unencrypted`. This module copies sops 3.11's `shouldBeEncrypted` exactly,
including its surprises (clustertool's regex encrypting `REPLICAS` because it contains "ca").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuiops.gitops.sops.errors import SopsConfigError

if TYPE_CHECKING:
    import re


def compile_go_regex(pattern: str) -> re.Pattern[str]:
    """goregex.compile_go_regex (RE2's own bindings), imported on first use: most files
    (clusterenv.yaml) use the default suffix rule and never need a regex engine."""
    from tuiops.gitops.sops.goregex import compile_go_regex as compile_now

    return compile_now(pattern)


RULE_FIELDS: tuple[str, ...] = (
    "unencrypted_suffix",
    "encrypted_suffix",
    "unencrypted_regex",
    "encrypted_regex",
    "unencrypted_comment_regex",
    "encrypted_comment_regex",
)
"""The six mutually exclusive rule fields, as spelled in `.sops.yaml` and in `sops:` blocks."""

TOO_MANY_RULES = (
    "Cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, "
    "unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex in the same file"
)
"""sops' own wording for a file whose `sops:` block sets more than one rule field."""

_REGEX_FIELDS = frozenset(f for f in RULE_FIELDS if f.endswith("_regex"))


@dataclass(frozen=True, slots=True)
class EncryptionRule:
    """One rule field and its value, e.g. `encrypted_regex: ^(data|stringData)$`.

    Regex values are Go RE2 patterns, validated when the rule is made.
    """

    field: str
    value: str

    def __post_init__(self) -> None:
        if self.field not in RULE_FIELDS:
            raise ValueError(f"unknown sops rule field {self.field!r}")
        if not self.value:
            raise ValueError(f"empty value for sops rule field {self.field}")
        if self.field in _REGEX_FIELDS:
            compile_go_regex(self.value)

    def encrypts(self, path: Sequence[str]) -> bool:
        """Whether sops encrypts a value whose key path is `path`, judging by keys only.

        Args:
            path: The map keys from the root to the value (list indices left out). For a
                comment item, the path of the map or list that holds it; `[]` at top level.

        Returns:
            True if the value (or comment) is stored encrypted. The comment-regex rules
            answer as sops does when no comment precedes the value: `encrypted_comment_regex`
            gives False and `unencrypted_comment_regex` gives True.
        """
        field, value = self.field, self.value
        if field == "unencrypted_suffix":
            return not any(key.endswith(value) for key in path)
        if field == "encrypted_suffix":
            return any(key.endswith(value) for key in path)
        if field == "unencrypted_regex":
            return not any(compile_go_regex(value).search(key) for key in path)
        if field == "encrypted_regex":
            # An unanchored search on each key by itself, never on the joined path.
            return any(compile_go_regex(value).search(key) for key in path)
        return field == "unencrypted_comment_regex"

    def encrypts_after_comments(
        self,
        path: Sequence[str],
        preceding_comments: Sequence[str],
        *,
        comment: str | None = None,
    ) -> bool:
        """Whether sops encrypts an item, taking the comments before it into account.

        sops keeps, for each level from the root down to the item's container, the comments
        seen since the previous value at that level (the comments directly before the item
        and before each of its ancestor keys). The comment rules test those texts; the other
        rules ignore them and answer like `encrypts`.

        Args:
            path: The item's key path, as for `encrypts`.
            preceding_comments: The texts (without the leading `#`) of those comments at
                every level, outermost level first, not including the item itself.
            comment: The item's own text when the item is itself a comment.

        Returns:
            True if the item is stored encrypted. For `encrypted_comment_regex` a matching
            comment stays cleartext and what follows it is encrypted; for
            `unencrypted_comment_regex` a matching comment and what follows it stay cleartext.
        """
        if self.field == "encrypted_comment_regex":
            pattern = compile_go_regex(self.value)
            return any(pattern.search(text) for text in preceding_comments)
        if self.field == "unencrypted_comment_regex":
            pattern = compile_go_regex(self.value)
            texts = [*preceding_comments, *([] if comment is None else [comment])]
            return not any(pattern.search(text) for text in texts)
        return self.encrypts(path)


DEFAULT_RULE = EncryptionRule("unencrypted_suffix", "_unencrypted")
"""What sops uses, and writes into the file, when no rule field is set."""


def set_rule_fields(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The rule fields that `meta` sets, in `RULE_FIELDS` order (sops ignores empty ones).

    Args:
        meta: A file's `sops:` mapping or one creation rule of `.sops.yaml`.

    Returns:
        `(field, value)` pairs for every field with a non-empty value.

    Raises:
        SopsConfigError: A rule field holds something other than a string.
    """
    found: list[tuple[str, str]] = []
    for field in RULE_FIELDS:
        value = meta.get(field)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise SopsConfigError(f"{field} must be a string, not {type(value).__name__}")
        found.append((field, value))
    return found


def rule_from_metadata(meta: Mapping[str, Any]) -> EncryptionRule:
    """The encryption rule of a file's `sops:` block (or of a creation rule).

    Args:
        meta: The `sops:` mapping of an encrypted file, or one `.sops.yaml` creation rule.

    Returns:
        The single rule field that is set, or `DEFAULT_RULE` when none is.

    Raises:
        SopsConfigError: More than one rule field is set (sops' own message), a value is not
            a string, or a regex is not a valid Go regular expression.
    """
    found = set_rule_fields(meta)
    if len(found) > 1:
        raise SopsConfigError(TOO_MANY_RULES)
    if not found:
        return DEFAULT_RULE
    return EncryptionRule(*found[0])
