"""`config.toml`: read-only for every context or per context (k9s' precedence), strict about
names and types, and a broken file is one line naming the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuiops.services.config import (
    Config,
    ConfigError,
    ContextSettings,
    config_path,
    load_config,
    parse_config,
)

SOURCE = "/home/u/.config/tuiops/config.toml"


def parse(text: str) -> Config:
    return parse_config(text.encode(), SOURCE)


def error_of(data: bytes) -> str:
    with pytest.raises(ConfigError) as raised:
        parse_config(data, SOURCE)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_global_and_per_context_tables() -> None:
    config = parse(
        """
        read_only = true

        [contexts."home-prod"]
        read_only = true

        [contexts.home-lab]
        read_only = false

        [contexts."with.dot"]
        """.replace("        ", "")
    )
    assert config.read_only is True
    assert config.contexts == {
        "home-prod": ContextSettings(True),
        "home-lab": ContextSettings(False),
        "with.dot": ContextSettings(None),
    }
    assert config.source == SOURCE


@pytest.mark.parametrize(
    ("text", "context", "flag", "reason"),
    [
        ("", "prod", False, ""),
        ("", "prod", True, "--read-only"),
        ("read_only = true", "prod", False, f"read_only = true in {SOURCE}"),
        ("read_only = false", "prod", False, ""),
        (
            '[contexts."prod"]\nread_only = true',
            "prod",
            False,
            f'read_only = true for context "prod" in {SOURCE}',
        ),
        ('[contexts."prod"]\nread_only = true', "lab", False, ""),
        # k9s: a context's own value overrides the global one, both ways ...
        ('read_only = true\n[contexts."lab"]\nread_only = false', "lab", False, ""),
        ('read_only = true\n[contexts."lab"]\n', "lab", False, f"read_only = true in {SOURCE}"),
        # ... and the flag is always read-only.
        ('[contexts."lab"]\nread_only = false', "lab", True, "--read-only"),
        ("read_only = true", "", False, f"read_only = true in {SOURCE}"),
    ],
)
def test_precedence_flag_then_context_then_global(
    text: str, context: str, flag: bool, reason: str
) -> None:
    config = parse(text)
    assert config.read_only_reason(context, flag=flag) == reason
    assert config.is_read_only(context, flag=flag) is bool(reason)


def test_defaults_are_writable() -> None:
    assert not Config().is_read_only("anything")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"read_only = yes\n", f"{SOURCE}:1: invalid TOML: Invalid value (column 13)"),
        (b"# a comment\n\n[contexts\n", f"{SOURCE}:3: invalid TOML:"),
        (b"read_only = true\nread_only = false\n", f"{SOURCE}:2: invalid TOML:"),
        (b'read_only = "true"\n', f"{SOURCE}:1: read_only must be true or false, not 'true'"),
        (
            b'\n[contexts."prod"]\nread_only = 1\n',
            f'{SOURCE}:3: read_only for context "prod" must be true or false, not 1',
        ),
        (b"readonly = true\n", f"{SOURCE}:1: unknown setting 'readonly'; did you mean read_only?"),
        (b"read-only = true\n", f"{SOURCE}:1: unknown setting 'read-only'; did you mean"),
        (
            b'read_only = false\n[contexts."prod"]\nreadOnly = true\n',
            f"{SOURCE}:3: unknown setting 'readOnly' for context \"prod\"; did you mean read_only?",
        ),
        (b"theme = 'dark'\n", f"{SOURCE}:1: unknown setting 'theme' (known: contexts, read_only)"),
        (b'[contexts]\nprod = "ro"\n', f'{SOURCE}:2: [contexts."prod"] must be a table'),
        (b'contexts = "prod"\n', f"{SOURCE}:1: `contexts` must be a table"),
        (b"read_only = true\n# caf\xe9\n", f"{SOURCE}:2: not UTF-8 text"),
    ],
)
def test_a_broken_file_is_one_line_with_file_and_line(data: bytes, expected: str) -> None:
    assert error_of(data).startswith(expected)


def test_config_path_follows_xdg(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert config_path({}, home) == home / ".config/tuiops/config.toml"
    assert config_path({"XDG_CONFIG_HOME": "relative"}, home) == home / ".config/tuiops/config.toml"
    xdg = tmp_path / "xdg"
    assert config_path({"XDG_CONFIG_HOME": str(xdg)}, home) == xdg / "tuiops/config.toml"


def test_load_config_reads_the_file_or_defaults(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert load_config(environ, tmp_path) == Config()  # no file: writable
    path = tmp_path / "tuiops" / "config.toml"
    path.parent.mkdir()
    path.write_text('[contexts."prod"]\nread_only = true\n')
    config = load_config(environ, tmp_path)
    assert config.is_read_only("prod") and not config.is_read_only("lab")
    assert config.source == str(path)
    path.write_text("read_only = maybe\n")
    with pytest.raises(ConfigError, match=rf"^{path}:1: invalid TOML"):
        load_config(environ, tmp_path)


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "tuiops" / "config.toml"
    path.mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(ConfigError, match=rf"^{path}: cannot read: "):
        load_config({"XDG_CONFIG_HOME": str(tmp_path)}, tmp_path)
