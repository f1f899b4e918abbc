"""Sandbox settings from command-line flags and `UPONAI_SANDBOX_*` environment variables."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "UPONAI_SANDBOX_"
MIB = 1024 * 1024

_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2}
_SIZE_UNITS |= {"mib": MIB, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}
_SIZE_RE = re.compile(r"^\s*(\d+)\s*([a-zA-Z]*)\s*$")


@dataclass(frozen=True)
class Settings:
    """Everything the sandbox needs to run; built by `parse_settings` or directly in code."""

    token: str
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8765
    test_mode: bool = False
    max_files: int = 25
    max_file_size: int = 100 * MIB
    max_request_size: int = 500 * MIB
    max_field_size: int = 64 * 1024
    max_name_chars: int = 200
    max_provider_chars: int = 64
    max_reason_chars: int = 1000
    public_url: str | None = None
    log_level: str = "info"
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive_timeout: int = 5
    max_connections: int = 64
    discard_samples: bool = False


def parse_size(text: str) -> int:
    """Parse `1048576`, `100MiB`, `5MB` or `2g` into a byte count."""
    match = _SIZE_RE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _SIZE_UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use bytes or e.g. 100MiB)")
    value = int(match.group(1)) * _SIZE_UNITS[unit]
    if value <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < 86_400:
        raise argparse.ArgumentTypeError(f"seconds must be in (0, 86400): {text!r}")
    return value


def _port(text: str) -> int:
    value = _positive_int(text) if text != "0" else 0
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a port: {text!r}")
    return value


def _truthy(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def build_parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    """The CLI; every flag defaults to its `UPONAI_SANDBOX_<NAME>` environment variable."""

    def env_default(name: str, fallback: str | None) -> str | None:
        return env.get(ENV_PREFIX + name, fallback)

    parser = argparse.ArgumentParser(
        prog="python -m uponai_sandbox",
        description="Offline sandbox of the UponAI Platform API (POST /api/voices/clone).",
    )
    parser.add_argument("--host", default=env_default("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=_port, default=env_default("PORT", "8765"))
    parser.add_argument(
        "--token",
        default=env_default("TOKEN", None),
        help="bearer token clients must send (prefer the UPONAI_SANDBOX_TOKEN variable: "
        "command lines are visible to other users)",
    )
    parser.add_argument("--data-dir", type=Path, default=env_default("DATA_DIR", None))
    parser.add_argument(
        "--test-mode",
        action="store_true",
        default=_truthy(env_default("TEST_MODE", "") or ""),
        help="enable /_sandbox/* fault injection and request log",
    )
    parser.add_argument("--max-files", type=_positive_int, default=env_default("MAX_FILES", "25"))
    parser.add_argument(
        "--max-file-size", type=parse_size, default=env_default("MAX_FILE_SIZE", "100MiB")
    )
    parser.add_argument(
        "--max-request-size", type=parse_size, default=env_default("MAX_REQUEST_SIZE", "500MiB")
    )
    parser.add_argument(
        "--max-name-chars",
        type=_positive_int,
        default=env_default("MAX_NAME_CHARS", "200"),
        help="longest voiceName accepted, in characters as sent",
    )
    parser.add_argument(
        "--max-provider-chars",
        type=_positive_int,
        default=env_default("MAX_PROVIDER_CHARS", "64"),
        help="longest voiceProvider accepted, in characters as sent",
    )
    parser.add_argument(
        "--max-reason-chars",
        type=_positive_int,
        default=env_default("MAX_REASON_CHARS", "1000"),
        help="longest X-Impersonation-Reason accepted, in characters",
    )
    parser.add_argument(
        "--header-timeout",
        type=_seconds,
        default=env_default("HEADER_TIMEOUT", "10"),
        help="seconds a client has to send a complete request head (then 408 and close)",
    )
    parser.add_argument(
        "--body-timeout",
        type=_seconds,
        default=env_default("BODY_TIMEOUT", "30"),
        help="seconds without a body byte (while the server waits for one) before closing",
    )
    parser.add_argument(
        "--keep-alive-timeout",
        type=_positive_int,
        default=env_default("KEEP_ALIVE_TIMEOUT", "5"),
        help="seconds an idle keep-alive connection stays open between requests",
    )
    parser.add_argument(
        "--max-connections",
        type=_positive_int,
        default=env_default("MAX_CONNECTIONS", "64"),
        help="open connections served at once; more are answered 503",
    )
    parser.add_argument(
        "--public-url",
        default=env_default("PUBLIC_URL", None),
        help="base URL put in previewUrl (default: the URL the client used)",
    )
    parser.add_argument(
        "--discard-samples",
        action="store_true",
        default=_truthy(env_default("DISCARD_SAMPLES", "") or ""),
        help="hash and measure uploaded samples without keeping them on disk (for benchmarks: "
        "the stand-in's own disk writes are then not part of what they time); the voices of "
        "such uploads have no preview",
    )
    parser.add_argument(
        "--log-level",
        default=env_default("LOG_LEVEL", "info"),
        choices=["critical", "error", "warning", "info", "debug"],
    )
    return parser


def parse_settings(
    argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Build `Settings` from flags, falling back to `UPONAI_SANDBOX_*` variables."""
    environ = os.environ if env is None else env
    parser = build_parser(environ)
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("a token is required: --token or UPONAI_SANDBOX_TOKEN")
    if args.data_dir is None:
        parser.error("a data directory is required: --data-dir or UPONAI_SANDBOX_DATA_DIR")
    return Settings(
        token=args.token,
        data_dir=Path(args.data_dir),
        host=args.host,
        port=args.port,
        test_mode=args.test_mode,
        max_files=args.max_files,
        max_file_size=args.max_file_size,
        max_request_size=args.max_request_size,
        max_name_chars=args.max_name_chars,
        max_provider_chars=args.max_provider_chars,
        max_reason_chars=args.max_reason_chars,
        public_url=args.public_url.rstrip("/") if args.public_url else None,
        log_level=args.log_level,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        max_connections=args.max_connections,
        discard_samples=args.discard_samples,
    )
