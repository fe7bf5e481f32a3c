"""The TOML config: defaults with no file, every key read, bad values refused with the key named."""
from __future__ import annotations

import pytest

from smallprint import paths
from smallprint.config import MIB, Config, ConfigError, load_config


def write_config(text: str):
    path = paths.config_file()
    paths.ensure(path.parent)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(smallprint_home):
    config = load_config()
    assert config == Config()
    assert (config.host, config.port, config.max_body_bytes) == ("127.0.0.1", 8716, 16 * MIB)
    assert config.allow_non_loopback is False
    assert config.history.enabled is True and config.history.retention_versions == 20
    assert config.source is None


def test_every_key_is_read(smallprint_home):
    path = write_config("""
host = "::1"
port = 9000
max_body_bytes = 2048
analysis_timeout_seconds = 5
workers = 3
worker_mode = "thread"
cache_entries = 0
log_level = "debug"
allow_non_loopback = true

[history]
enabled = false
retention_versions = 3
""")
    config = load_config()
    assert config.source == path
    assert (config.host, config.port, config.max_body_bytes) == ("::1", 9000, 2048)
    assert config.analysis_timeout_seconds == 5.0 and isinstance(config.analysis_timeout_seconds, float)
    assert (config.workers, config.worker_mode, config.cache_entries) == (3, "thread", 0)
    assert config.log_level == "DEBUG" and config.allow_non_loopback is True
    assert config.history.enabled is False and config.history.retention_versions == 3


def test_unknown_tables_and_table_keys_are_kept_for_their_owners(smallprint_home):
    write_config('[history]\nretention_versions = 4\nnew_key = "x"\n\n[future]\nanything = [1, 2]\n')
    config = load_config()
    assert config.table("history")["new_key"] == "x"
    assert config.table("future")["anything"] == [1, 2]
    assert config.table("absent") == {}


@pytest.mark.parametrize("text, named", [
    ("port = 70000", "port"),
    ("port = -1", "port"),
    ("port = true", "port"),
    ('port = "8716"', "port"),
    ("host = ''", "host"),
    ("max_body_bytes = 10", "max_body_bytes"),
    ("analysis_timeout_seconds = 0", "analysis_timeout_seconds"),
    ("workers = 0", "workers"),
    ('worker_mode = "fiber"', "worker_mode"),
    ("cache_entries = -5", "cache_entries"),
    ('log_level = "LOUD"', "log_level"),
    ('allow_non_loopback = "yes"', "allow_non_loopback"),
    ("[history]\nretention_versions = 0", "history.retention_versions"),
    ('[history]\nenabled = "no"', "history.enabled"),
    ("prot = 1", "prot"),
])
def test_bad_values_name_the_key_and_the_file(smallprint_home, text, named):
    path = write_config(text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert named in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize("raw, says", [
    (b"port = ", "not valid TOML"),
    (b"host = \"\xff\xfe\"", "not UTF-8"),
])
def test_unreadable_files_are_clear_errors(smallprint_home, raw, says):
    path = paths.config_file()
    paths.ensure(path.parent)
    path.write_bytes(raw)
    with pytest.raises(ConfigError, match=says):
        load_config()


def test_command_line_overrides_are_validated():
    assert Config().replace(port=0).port == 0
    with pytest.raises(ConfigError, match="command line: port"):
        Config().replace(port=123456)
