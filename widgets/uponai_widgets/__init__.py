"""Clone UponAI voices from Python and Jupyter.

    >>> import uponai_widgets as uw
    >>> connection = uw.connect()  # UPONAI_API_KEY, and UPONAI_BASE_URL for the sandbox
    >>> voice = uw.clone_voice(connection, name="Ada", provider="elevenlabs",
    ...                        workspace_id=42, samples=["one.wav", "two.wav"])
    >>> from uponai_client.api.voices import clone_voice  # any generated operation:
    >>> uw.call(connection, some_operation, **its_arguments)  # same retries and errors

The package in layers (imports point down only; `tests/architecture/test_layers.py` enforces it):

    uponai_widgets/__init__.py   this facade: re-exports the public names
    jupyter/   widgets, views, the card, IPython formatter, chunk store, *.js / *.css  (jupyter extra)
    batch/     clone_voices, jobs, result tables, batch progress (data only)
    audio/     sample inspection, waveform pictures, sample preparation           (audio extra)
    _*.py      core: connection, the request runtime (call, paginate, find_voices), cloning,
               samples, validation, errors, retry, progress, sizes
    uponai_client   the generated client (only the adapter `_generated` touches its internals)

Batch cloning, sample inspection and the widgets are imported only when first used, so
`import uponai_widgets` stays fast in scripts.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from uponai_client.models import Voice

from ._clone import clone_voice, clone_voice_async
from ._connection import DEFAULT_TIMEOUT, UPLOAD_TIMEOUT, Connection, connect
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    OperationUnavailableError,
    OutcomeUnknownError,
    OutcomeUnknownTimeoutError,
    PayloadTooLargeError,
    PermissionDeniedError,
    Problem,
    RateLimitError,
    SampleStreamError,
    ServerError,
    UnexpectedResponseError,
    UnsupportedMediaError,
    UponAIError,
    ValidationError,
)
from ._extras import install_hint as _install_hint
from ._find import find_voices, find_voices_async
from ._generated import Operation
from ._operations import call, call_async
from ._pages import paginate, paginate_async
from ._retry import RetryPolicy
from ._secret import Secret
from ._validation import Limits, validate_clone
from ._version import __version__

__all__ = [
    "DEFAULT_TIMEOUT",
    "UPLOAD_TIMEOUT",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AudioPicker",
    "AuthenticationError",
    "BatchInterrupted",
    "BatchLockedError",
    "BatchResult",
    "BatchRow",
    "ConflictError",
    "Connection",
    "InvalidRequestError",
    "Limits",
    "NotFoundError",
    "Operation",
    "OperationUnavailableError",
    "OutcomeUnknownError",
    "OutcomeUnknownTimeoutError",
    "OverallVerdict",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PreparationCancelled",
    "PreparedSample",
    "Problem",
    "RateLimitError",
    "RetryPolicy",
    "SampleReport",
    "SampleStreamError",
    "Secret",
    "ServerError",
    "UnexpectedResponseError",
    "UnsupportedMediaError",
    "UponAIError",
    "ValidationError",
    "Voice",
    "VoiceCard",
    "VoiceCloneWidget",
    "VoiceRecorder",
    "__version__",
    "call",
    "call_async",
    "clone_voice",
    "clone_voice_async",
    "clone_voices",
    "clone_voices_async",
    "connect",
    "find_voices",
    "find_voices_async",
    "inspect_sample",
    "inspect_samples",
    "jobs_from_folder",
    "overall_verdict",
    "paginate",
    "paginate_async",
    "partial_result",
    "prepare_sample",
    "prepare_samples",
    "validate_clone",
    "waveform_png",
    "waveform_svg",
]

# Names imported on first use (PEP 562): name -> (module, needs the `jupyter` extra). The views
# need ipywidgets, an optional extra; nothing here is imported by `import uponai_widgets`.
_LAZY: dict[str, tuple[str, bool]] = {
    "VoiceCloneWidget": (".jupyter._clone_widget", True),
    "VoiceCard": (".jupyter._card", True),
    "VoiceRecorder": (".jupyter._recorder", True),
    "AudioPicker": (".jupyter._picker", True),
    "BatchInterrupted": (".batch._run", False),
    "BatchLockedError": (".batch._journal", False),
    "BatchResult": (".batch._result", False),
    "BatchRow": (".batch._result", False),
    "partial_result": (".batch._run", False),
    "clone_voices": (".batch._run", False),
    "clone_voices_async": (".batch._run", False),
    "jobs_from_folder": (".batch._jobs", False),
    "SampleReport": (".audio._inspect", False),
    "inspect_sample": (".audio._inspect", False),
    "inspect_samples": (".audio._inspect", False),
    "OverallVerdict": (".audio._inspect", False),
    "overall_verdict": (".audio._inspect", False),
    "waveform_png": (".audio._waveform", False),
    "waveform_svg": (".audio._waveform", False),
    "PreparedSample": (".audio._prepare", False),
    "PreparationCancelled": (".audio._prepare", False),
    "prepare_sample": (".audio._prepare", False),
    "prepare_samples": (".audio._prepare", False),
}

if TYPE_CHECKING:
    # What the lazy names are, for type checkers and IDEs (never run).
    from .audio._inspect import (
        OverallVerdict,
        SampleReport,
        inspect_sample,
        inspect_samples,
        overall_verdict,
    )
    from .audio._prepare import (
        PreparationCancelled,
        PreparedSample,
        prepare_sample,
        prepare_samples,
    )
    from .audio._waveform import waveform_png, waveform_svg
    from .batch._jobs import jobs_from_folder
    from .batch._journal import BatchLockedError
    from .batch._result import BatchResult, BatchRow
    from .batch._run import BatchInterrupted, clone_voices, clone_voices_async, partial_result
    from .jupyter._card import VoiceCard
    from .jupyter._clone_widget import VoiceCloneWidget
    from .jupyter._picker import AudioPicker
    from .jupyter._recorder import VoiceRecorder

_JUPYTER_HINT = _install_hint("jupyter")
_JUPYTER_LIBRARIES = {"ipywidgets", "anywidget", "traitlets", "IPython"}


def __getattr__(name: str) -> Any:
    entry = _LAZY.get(name)
    if entry is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module_name, needs_jupyter = entry
    try:
        module = importlib.import_module(module_name, __name__)
    except ImportError as exc:
        if needs_jupyter and exc.name in _JUPYTER_LIBRARIES:
            raise ImportError(
                f"uponai_widgets.{name} needs {exc.name}: {_JUPYTER_HINT}", name=exc.name
            ) from exc
        raise
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(shell: Any) -> None:
    """`%load_ext uponai_widgets`: show every `Voice` as a card in this notebook."""
    from .jupyter import install

    install(shell)


def _register_in_running_ipython() -> None:
    # Inside a kernel IPython is already imported: register the Voice card cheaply. In a plain
    # script IPython is not in sys.modules and nothing is imported.
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        load_ipython_extension(shell)


_register_in_running_ipython()
