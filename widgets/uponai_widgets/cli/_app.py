"""The `uponai-voices` commands (Typer): clone, batch, inspect, prepare, sandbox.

Exit status: 0 done, 1 the API refused or a job failed or is unknown (`inspect`: a sample is
bad), 2 bad input or usage (nothing was sent for it), 130 interrupted. Errors are one readable
message on stderr with a hint in the command's words (`_explain`), never a traceback; with
`--json` also one JSON object on stdout. The token (and an impersonation reason) are redacted
from everything printed.
"""

import os
import sys
from collections.abc import Sequence
from inspect import Parameter
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import __version__
from ._batch import run_batch
from ._connect import check_settings, print_json
from ._errors import OK, USAGE
from ._explain import Explained, base_url_in_use, explain, report
from ._fields import field_values, with_fields
from ._inspect import run_inspect, warn_before_clone
from ._output import redacted_streams
from ._prepare import prepare_jobs, prepare_paths, run_prepare
from ._sandbox import run_sandbox
from ._voice import run_clone

__all__ = ["app", "run"]

_CONNECTION_HELP = (
    "The API key comes from the UPONAI_API_KEY environment variable and the address from "
    "UPONAI_BASE_URL (or --base-url; default https://api.upon-ai.com). There is no --token "
    "flag on purpose: command lines are visible to other users of the machine (ps, "
    "/proc/PID/cmdline) and land in shell history."
)

app = typer.Typer(
    name="uponai-voices",
    help="Clone voices with the UponAI Platform API from a terminal or a cron job.\n\n"
    + _CONNECTION_HELP
    + "\n\nExit status: 0 done, 1 the API refused or a job failed or its outcome is unknown "
    "(inspect: a sample is bad), 2 bad input or usage, 130 interrupted. Errors are an error: "
    "line and a hint: line on stderr; with --json also a JSON object on stdout.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        envvar="UPONAI_BASE_URL",
        show_envvar=True,
        help="API address. The key always comes from UPONAI_API_KEY: there is no --token flag, "
        "as command lines are visible to other users.",
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
PrepareFlag = Annotated[
    bool,
    typer.Option(
        "--prepare",
        help="Send prepared copies (trimmed, -20 LUFS, mono 16-bit FLAC; see `prepare`).",
    ),
]


def _version(value: bool) -> None:
    if value:
        print(f"uponai-voices {__version__}")
        raise typer.Exit(OK)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    pass


def _own(name: str, annotation: Any, default: Any = Parameter.empty) -> Parameter:
    return Parameter(name, Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def _clone(**arguments: Any) -> int:
    samples: list[Path] = arguments["samples"]
    check_settings(arguments["base_url"])  # before the samples are read
    if arguments["prepare"]:
        samples = prepare_paths(samples)
    else:
        warn_before_clone(samples)
    return run_clone(
        samples,
        fields=field_values(arguments),
        base_url=arguments["base_url"],
        as_json=arguments["as_json"],
    )


app.command(
    name="clone",
    short_help="Clone one voice from audio samples; print its id and preview URL.",
    help="Clone one voice from audio samples; print its id and preview URL. Samples judged bad "
    "(no speech: a tone, noise or silence; heavy clipping) are named in a warning before the "
    "upload; with --prepare, what was changed in each sample is printed on stderr.",
)(
    with_fields(
        _clone,
        [
            _own(
                "samples",
                Annotated[
                    list[Path],
                    typer.Argument(metavar="SAMPLE...", help="Audio files (WAV, MP3, FLAC, ...)."),
                ],
            ),
            _own("base_url", BaseUrl, None),
            _own("as_json", JsonFlag, False),
            _own("prepare", PrepareFlag, False),
        ],
        batch=False,
        after=1,
    )
)


def _batch(**arguments: Any) -> int:
    return run_batch(
        arguments["source"],
        out=arguments["out"],
        defaults=field_values(arguments),
        concurrency=arguments["concurrency"],
        resume=arguments["resume"],
        resend_unknown=arguments["resend_unknown"],
        reconcile=arguments["reconcile"],
        base_url=arguments["base_url"],
        transform_jobs=prepare_jobs if arguments["prepare"] else None,
    )


app.command(
    name="batch",
    short_help="Clone one voice per speaker folder or CSV row; write the results table.",
    help="Clone one voice per speaker folder (FOLDER/<name>/*.wav ...) or per CSV row. "
    "A jobs CSV is comma-separated, with a header naming its columns like clone's options: "
    "name, samples (audio files separated by ';', relative to the CSV's folder), provider, "
    "workspace_id, every other field of the request (actor_type, tenant_id, ...), and timeout "
    "(seconds allowed for that job's request; default: the upload timeout). Options such as "
    "--provider fill the cells a row leaves empty; a column that is no field is ignored with a "
    "warning; every problem of the file is listed at once and nothing is sent. Writes the "
    "result table to --out; --resume skips every voice a previous table records as created "
    "(on a first run --resume OUT starts a fresh batch).",
)(
    with_fields(
        _batch,
        [
            _own(
                "source",
                Annotated[
                    Path,
                    typer.Argument(
                        metavar="FOLDER|JOBS.csv", help="A folder of speaker folders, or JOBS.csv."
                    ),
                ],
            ),
            _own(
                "out",
                Annotated[Path, typer.Option(help="Where to write the results (.csv or .json).")],
            ),
            _own(
                "concurrency",
                Annotated[int, typer.Option(min=1, help="Uploads at the same time.")],
                8,
            ),
            _own(
                "resume",
                Annotated[
                    Path | None,
                    typer.Option(
                        help="A previous results file: its created voices are skipped. The same "
                        "file as --out may not exist yet: the batch then starts fresh."
                    ),
                ],
                None,
            ),
            _own(
                "resend_unknown",
                Annotated[
                    bool,
                    typer.Option(
                        "--resend-unknown",
                        help="Send again the jobs the resumed table marks 'unknown' (the request "
                        "may have created the voice: check the workspace first).",
                    ),
                ],
                False,
            ),
            _own(
                "reconcile",
                Annotated[
                    bool,
                    typer.Option(
                        "--reconcile",
                        help="At the end, settle 'unknown' jobs by listing the workspace's "
                        "voices of that name (needs a spec that can list voices): one found: "
                        "created; none: failed, safe to resend; several: stays unknown with "
                        "their ids.",
                    ),
                ],
                False,
            ),
            _own("base_url", BaseUrl, None),
            _own("prepare", PrepareFlag, False),
        ],
        batch=True,
        after=2,
    )
)


@app.command(
    short_help="Report each sample's speech, level, clipping, silence and a verdict.",
    help="Report each sample's duration, speech, level, clipping and silence, and a verdict "
    "(good, warn, bad) per sample and for the set. Exit status 1 when a sample or the set is "
    "bad, so it can gate a script: `uponai-voices inspect *.wav && uponai-voices clone ...`.",
)
def inspect(
    samples: Annotated[
        list[Path], typer.Argument(metavar="SAMPLE...", help="Audio files to inspect.")
    ],
    as_json: JsonFlag = False,
) -> int:
    return run_inspect(samples, as_json=as_json)


@app.command(
    short_help="Write clone-ready copies of samples: trimmed, normalised, mono FLAC, split.",
    help="Write a clone-ready copy of each sample into --out: leading and trailing non-speech "
    "trimmed, integrated loudness brought to --target-lufs (peaks under -1 dBFS), mixed to "
    "mono 16-bit FLAC, and with --max-segment-s split at pauses. The samples are never changed; "
    "a sample without speech, or that would be cut to under a second, is an error (status 2).",
)
def prepare(
    samples: Annotated[
        list[Path], typer.Argument(metavar="SAMPLE...", help="Audio files to prepare.")
    ],
    out: Annotated[Path, typer.Option(help="Folder for the prepared files (created).")],
    target_lufs: Annotated[
        float, typer.Option(help="Integrated loudness to reach (LUFS, ITU-R BS.1770).")
    ] = -20.0,
    no_trim: Annotated[
        bool, typer.Option("--no-trim", help="Keep leading and trailing silence.")
    ] = False,
    max_segment_s: Annotated[
        float | None, typer.Option(help="Split at pauses into parts no longer than this.")
    ] = None,
    sample_rate: Annotated[
        int | None, typer.Option(help="Resample to this rate (Hz); default: keep it.")
    ] = None,
    as_json: JsonFlag = False,
) -> int:
    return run_prepare(
        samples,
        out=out,
        target_lufs=target_lufs,
        trim=not no_trim,
        max_segment_s=max_segment_s,
        sample_rate=sample_rate,
        as_json=as_json,
    )


@app.command(
    short_help="Run the local UponAI sandbox and print the export lines for it.",
    help="Run the local UponAI sandbox on 127.0.0.1 and print the two export lines that point "
    "the SDK and this command at it. Ctrl-C stops it.",
)
def sandbox(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8765,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Where voices and the key are kept (default ~/.local/share/...)."),
    ] = None,
) -> int:
    return run_sandbox(port, data_dir)


def _secrets() -> list[str]:
    values = [os.environ.get("UPONAI_API_KEY", "").strip()]
    values.append(os.environ.get("UPONAI_IMPERSONATION_REASON", "").strip())
    return [value for value in values if value]


def _flag_values(argv: Sequence[str], flag: str) -> list[str]:
    """Values given on the command line for `flag` (`--flag v` or `--flag=v`)."""
    found = []
    for index, arg in enumerate(argv):
        if arg == flag and index + 1 < len(argv):
            found.append(argv[index + 1])
        elif arg.startswith(flag + "="):
            found.append(arg.split("=", 1)[1])
    return found


# Typer ships its own copy of click: find its ClickException without importing a private module.
_ClickException: type[Exception] = next(
    base for base in typer.BadParameter.__mro__ if base.__name__ == "ClickException"
)


def _wants_json(argv: Sequence[str]) -> bool:
    """`--json` among the options (before a `--` that ends them)."""
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in options


def _invoke(argv: list[str], as_json: bool) -> int:
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="uponai-voices", standalone_mode=False)
    except typer.Abort:
        raise KeyboardInterrupt from None
    except _ClickException as exc:
        exc.show()  # type: ignore[attr-defined]  # click's ClickException has show()
        status = int(getattr(exc, "exit_code", USAGE))
        if as_json:
            message = exc.format_message()  # type: ignore[attr-defined]  # as show() prints it
            print_json(Explained("UsageError", message, status).to_json())
        return status
    return result if isinstance(result, int) else OK


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default `sys.argv[1:]`) and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    sandbox_only = bool(args) and args[0] == "sandbox"
    secrets = [] if sandbox_only else _secrets() + _flag_values(args, "--impersonation-reason")
    as_json = _wants_json(args)
    with redacted_streams(secrets):
        try:
            return _invoke(args, as_json)
        except (KeyboardInterrupt, Exception) as exc:  # never a traceback: say what failed
            base_url = base_url_in_use(next(iter(_flag_values(args, "--base-url")), None))
            return report(explain(exc, base_url=base_url), as_json=as_json)
