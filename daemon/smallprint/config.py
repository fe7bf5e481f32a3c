"""The daemon's configuration: an optional TOML file at `smallprint.paths.config_file()`.

Every key has a default, so no file is needed. Documented for users in docs/CONFIG.md; keep both in step.

Top-level keys (section-less):
  host                      address to bind; loopback by default. str, default "127.0.0.1".
  port                      TCP port; 0 picks a free one (the runtime file says which). int 0..65535, default 8716.
  max_body_bytes            largest accepted request body; bigger gets 413. int >= 1024, default 16 MiB.
  analysis_timeout_seconds  time limit of one analysis once it runs; over it gets 504. number > 0, default 30.
  workers                   analyses that run at once (worker processes or threads); a full reading alone reads on
                            up to this many cores (at most 4). int 1..64, default 2.
  worker_mode               "process" (a busy analysis never slows the API) or "thread" (lighter). default "process".
  cache_entries             analyses remembered by content hash (LRU); 0 disables. int >= 0, default 128.
  cache_max_bytes           ... and at most this many bytes of them (encoded JSON). int >= 0, default 64 MiB.
  log_level                 DEBUG, INFO, WARNING or ERROR. default "INFO".
  allow_non_loopback        must be true (or `serve --allow-remote` given) to bind a non-loopback address. default false.

Tables:
  [history]                 the per-site policy memory (owned by smallprint.history):
    enabled                 remember analysed policies per site. bool, default true.
    retention_versions      versions kept per document (each policy of a site). int >= 1, default 20.
    max_site_versions       versions one site may hold, all its documents together. int >= 1, default 100.
    max_site_bytes          bytes one site may hold on disk. int >= 1, default 32 MiB.
    max_store_bytes         bytes the whole store may hold. int >= 1, default 512 MiB.
  Any other table is kept as-is in `Config.tables` for the module that owns it; unknown *top-level keys*
  are errors, because there they are almost always typos.
"""
from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from . import paths

MIB = 1024 * 1024
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
WORKER_MODES = ("process", "thread")


class ConfigError(ValueError):
    """The config file is unreadable or has a bad value; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class HistoryConfig:
    enabled: bool = True
    retention_versions: int = 20
    # Caps on what one site, and the whole store, may hold (history.store.StoreLimits; oldest versions go first).
    max_site_versions: int = 100
    max_site_bytes: int = 32 * MIB
    max_store_bytes: int = 512 * MIB


@dataclass(frozen=True, slots=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8716
    max_body_bytes: int = 16 * MIB
    analysis_timeout_seconds: float = 30.0
    workers: int = 2
    worker_mode: str = "process"
    cache_entries: int = 128
    # Entries alone do not bound memory: one analysis of a 2-million-character list is ~23 MB of JSON.
    cache_max_bytes: int = 64 * MIB
    log_level: str = "INFO"
    allow_non_loopback: bool = False
    history: HistoryConfig = field(default_factory=HistoryConfig)
    # Every table of the file, raw (including [history]), for modules that add their own keys.
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    source: Path | None = None  # the file read, or None when running on defaults
    # The top-level keys the file gave (a `port` the person chose, 8716 included, is never changed behind their back).
    set_in_file: frozenset[str] = frozenset()

    def replace(self, **changes: Any) -> "Config":
        """A copy with command-line overrides applied, validated like the file."""
        updated = dataclasses.replace(self, **changes)
        _validate_top(updated, where="command line")
        return updated

    def table(self, name: str) -> Mapping[str, Any]:
        return self.tables.get(name, MappingProxyType({}))


# The range of a time limit, here and in the commands' --time-limit (cli.time_limit_seconds): a day at most.
MAX_TIME_LIMIT_SECONDS = 86400
TIME_LIMIT_RULE = f"a number of seconds above 0 and at most {MAX_TIME_LIMIT_SECONDS}"

# key -> (accepted python types, check, description of a valid value)
_TOP_RULES: dict[str, tuple[tuple[type, ...], Any, str]] = {
    "host": ((str,), lambda v: bool(v.strip()), "a non-empty address such as \"127.0.0.1\""),
    "port": ((int,), lambda v: 0 <= v <= 65535, "an integer from 0 to 65535"),
    "max_body_bytes": ((int,), lambda v: v >= 1024, "an integer of at least 1024"),
    "analysis_timeout_seconds": ((int, float), lambda v: 0 < v <= MAX_TIME_LIMIT_SECONDS, TIME_LIMIT_RULE),
    "workers": ((int,), lambda v: 1 <= v <= 64, "an integer from 1 to 64"),
    "worker_mode": ((str,), lambda v: v in WORKER_MODES, "one of " + ", ".join(WORKER_MODES)),
    "cache_entries": ((int,), lambda v: v >= 0, "an integer of at least 0"),
    "cache_max_bytes": ((int,), lambda v: v >= 0, "an integer of at least 0"),
    "log_level": ((str,), lambda v: v.upper() in LOG_LEVELS, "one of " + ", ".join(LOG_LEVELS)),
    "allow_non_loopback": ((bool,), lambda v: True, "true or false"),
}
_HISTORY_RULES: dict[str, tuple[tuple[type, ...], Any, str]] = {
    "enabled": ((bool,), lambda v: True, "true or false"),
    "retention_versions": ((int,), lambda v: v >= 1, "an integer of at least 1"),
    "max_site_versions": ((int,), lambda v: v >= 1, "an integer of at least 1"),
    "max_site_bytes": ((int,), lambda v: v >= 1, "an integer of at least 1"),
    "max_store_bytes": ((int,), lambda v: v >= 1, "an integer of at least 1"),
}


def _check(key: str, value: Any, rule: tuple[tuple[type, ...], Any, str], where: str) -> None:
    types, ok, expected = rule
    # bool is an int in Python; a TOML `port = true` must not pass as 1.
    if isinstance(value, bool) and bool not in types or not isinstance(value, types) or not ok(value):
        raise ConfigError(f"{where}: {key} = {value!r} is not valid; expected {expected}")


def _validate_top(config: Config, where: str) -> None:
    for key, rule in _TOP_RULES.items():
        _check(key, getattr(config, key), rule, where)


def parse_config(data: Mapping[str, Any], source: Path | None = None) -> Config:
    """A Config from parsed TOML data; ConfigError names the key that is wrong."""
    where = str(source) if source else "config"
    top: dict[str, Any] = {}
    tables: dict[str, Mapping[str, Any]] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            tables[key] = MappingProxyType(dict(value))
        elif key in _TOP_RULES:
            _check(key, value, _TOP_RULES[key], where)
            top[key] = value
        else:
            known = ", ".join(_TOP_RULES)
            raise ConfigError(f"{where}: unknown key {key!r} (known keys: {known}; tables such as [history])")
    if "log_level" in top:
        top["log_level"] = top["log_level"].upper()
    if "analysis_timeout_seconds" in top:
        top["analysis_timeout_seconds"] = float(top["analysis_timeout_seconds"])
    history_raw = tables.get("history", {})
    history_known = {}
    for key, rule in _HISTORY_RULES.items():
        if key in history_raw:
            _check(f"history.{key}", history_raw[key], rule, where)
            history_known[key] = history_raw[key]
    return Config(**top, history=HistoryConfig(**history_known), tables=MappingProxyType(tables), source=source,
                  set_in_file=frozenset(top))


def load_config(path: Path | None = None) -> Config:
    """The config from `path` (default: the platformdirs config file); defaults when the file does not exist."""
    path = path or paths.config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, source=path)
