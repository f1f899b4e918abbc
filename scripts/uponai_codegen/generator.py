"""Run the pinned openapi-python-client on a normalised spec and collect what it warned about."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from . import PipelineError

GENERATOR_VERSION = "0.29.1"
RUFF_VERSION = "0.17.5"


@dataclass(frozen=True)
class GeneratorWarning:
    """Something the generator dropped or could not express, as it reported it."""

    header: str
    detail: str

    def __str__(self) -> str:
        detail = " ".join(self.detail.split())
        return f"{self.header.strip().rstrip(':')}: {detail}" if detail else self.header.strip()


def tool_bin_dir() -> Path:
    """The folder of the running interpreter, where the pinned `ruff` is installed."""
    return Path(sys.executable).parent


def check_pinned_tools() -> None:
    """Fail unless the pinned generator and ruff are the ones that will run."""
    try:
        found = metadata.version("openapi-python-client")
    except metadata.PackageNotFoundError as exc:
        raise PipelineError(
            "openapi-python-client is not installed in this interpreter; run `make install`"
        ) from exc
    if found != GENERATOR_VERSION:
        raise PipelineError(
            f"openapi-python-client {found} is installed, the pipeline is pinned to "
            f"{GENERATOR_VERSION}: run `make install`"
        )
    ruff = tool_bin_dir() / "ruff"
    if not ruff.exists():
        raise PipelineError(
            f"{ruff} not found: the generator would skip formatting; run `make install`"
        )
    version = subprocess.run(
        [str(ruff), "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    if version[-1:] != [RUFF_VERSION]:
        raise PipelineError(
            f"{ruff} is {' '.join(version)!r}, the pipeline is pinned to {RUFF_VERSION}"
        )


def _colliding_enums(document: Any, at: tuple[str, ...] = ()) -> list[str]:
    """Pointers of the string enums whose values the generator turns into the same name."""
    from openapi_python_client.strings import snake_case

    from .lint import json_pointer

    found: list[str] = []
    if isinstance(document, dict):
        values = document.get("enum")
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            keys = [
                snake_case(v.upper() if v and v[0].isalpha() else f"VALUE_{i}").upper()
                for i, v in enumerate(values)
            ]
            if len(set(keys)) < len(keys):
                found.append(json_pointer([*at, "enum"]))
        for key, value in document.items():
            found += _colliding_enums(value, (*at, str(key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _colliding_enums(value, (*at, str(index)))
    return found


def _config_advice(summary: str, spec: dict[str, Any], config_label: str) -> str:
    """The generator's "consider setting ... in your config", said with the file and place."""
    if "literal_enums" not in summary:
        return f"{summary} (the configuration is {config_label})"
    places = ", ".join(_colliding_enums(spec)[:5]) or "an enum"
    return (
        f"{summary}: the values of {places} become the same Python name; set "
        f"`literal_enums: true` in {config_label} (each enum then becomes a Literal of its "
        "values) or give the values distinct names"
    )


def run_generator(
    spec: dict[str, Any], config_path: Path, work_dir: Path, config_label: str = ""
) -> tuple[Path, list[GeneratorWarning]]:
    """Generate `uponai_client` from `spec` under `work_dir`; return the package folder and warnings.

    Errors, and warnings that mean the output is unformatted, raise `PipelineError`. `config_path`
    is the generator's configuration (`config_label` names it in messages).
    """
    from openapi_python_client import generate
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser.errors import ErrorLevel

    check_pinned_tools()
    spec_path = work_dir / "openapi.normalized.json"
    spec_path.write_text(json.dumps(spec, separators=(",", ":")), encoding="utf-8")
    output = work_dir / "uponai_client"
    config = Config.from_sources(
        ConfigFile.load_from_path(config_path),
        MetaType.NONE,
        spec_path,
        "utf-8",
        overwrite=False,
        output_path=output,
    )
    # The post hooks find `ruff` on PATH: make it the pinned one beside this interpreter.
    saved_path = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(tool_bin_dir()), saved_path])
    try:
        # The generator prints progress to stdout; this command keeps stdout for data.
        with contextlib.redirect_stdout(sys.stderr):
            errors = generate(config=config)
    except RecursionError as exc:
        raise PipelineError(
            "the generator failed: the spec's $refs loop or nest too deeply"
        ) from exc
    except Exception as exc:  # a crash inside the generator is its failure, not ours
        summary = " ".join(str(exc).split())[:300]
        if "your config" in summary:
            summary = _config_advice(summary, spec, config_label or str(config_path))
        raise PipelineError(f"the generator failed: {type(exc).__name__}: {summary}") from exc
    finally:
        os.environ["PATH"] = saved_path
    warnings: list[GeneratorWarning] = []
    for error in errors:
        header, detail = error.header or "", error.detail or ""
        if error.level == ErrorLevel.ERROR or "Skipping Integration" in header:
            raise PipelineError(f"the generator failed: {header.strip()} {detail.strip()}".strip())
        warnings.append(GeneratorWarning(header, detail))
    if not (output / "__init__.py").exists():
        raise PipelineError("the generator reported success but wrote no package")
    run_ruff(package=output, args=["check", ".", "--fix-only", "--extend-select", "I"])
    run_ruff_format(output)
    return output, warnings


def run_ruff(package: Path, args: list[str]) -> None:
    """Run the pinned ruff on `package`; a failure shows ruff's own `file:line: message`."""
    ruff = str(tool_bin_dir() / "ruff")
    done = subprocess.run(
        [ruff, *args, "--isolated", "--no-cache"],
        cwd=package,
        capture_output=True,
        text=True,
        check=False,
    )
    shutil.rmtree(package / ".ruff_cache", ignore_errors=True)
    if done.returncode != 0:
        output = "\n".join(
            line for line in (done.stderr + done.stdout).splitlines() if line.strip()
        )
        raise PipelineError(f"ruff {args[0]} failed on the generated code:\n{output}")


def run_ruff_format(package: Path, files: list[Path] | None = None) -> None:
    """Format `package` (or only `files` in it) with the pinned ruff, ignoring the project's
    own settings."""
    if files == []:
        return
    names = ["."] if files is None else [str(path.relative_to(package)) for path in files]
    run_ruff(package, ["format", *names])
