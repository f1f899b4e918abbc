"""Clone UponAI voices from Python and Jupyter.

    >>> import uponai_widgets as uw
    >>> connection = uw.connect()  # UPONAI_API_KEY, and UPONAI_BASE_URL for the sandbox
    >>> voice = uw.clone_voice(connection, name="Ada", provider="elevenlabs",
    ...                        workspace_id=42, samples=["one.wav", "two.wav"])

The widgets (`VoiceCloneWidget`, `VoiceCard`) need the `jupyter` extra; they, batch cloning
(`clone_voices`) and sample inspection (`inspect_sample`) are imported only when first used, so
`import uponai_widgets` stays fast in scripts.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from uponai_client.models import Voice

from ._clone import clone_voice, clone_voice_async
from ._connection import Connection, connect
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    Problem,
    RateLimitError,
    ServerError,
    UnsupportedMediaError,
    UponAIError,
    ValidationError,
)
from ._retry import RetryPolicy
from ._validation import Limits, validate_clone
from ._version import __version__

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AudioPicker",
    "AuthenticationError",
    "BatchInterrupted",
    "BatchResult",
    "BatchRow",
    "Connection",
    "InvalidRequestError",
    "Limits",
    "NotFoundError",
    "OverallVerdict",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "Problem",
    "RateLimitError",
    "RetryPolicy",
    "SampleReport",
    "ServerError",
    "UnsupportedMediaError",
    "UponAIError",
    "ValidationError",
    "Voice",
    "VoiceCard",
    "VoiceCloneWidget",
    "VoiceRecorder",
    "__version__",
    "clone_voice",
    "clone_voice_async",
    "clone_voices",
    "clone_voices_async",
    "connect",
    "inspect_sample",
    "inspect_samples",
    "jobs_from_folder",
    "overall_verdict",
    "partial_result",
    "validate_clone",
    "waveform_png",
    "waveform_svg",
]

# Names imported on first use (PEP 562): name -> (module, needs the `jupyter` extra). The views
# need ipywidgets, an optional extra; nothing here is imported by `import uponai_widgets`.
_LAZY: dict[str, tuple[str, bool]] = {
    "VoiceCloneWidget": ("._widget", True),
    "VoiceCard": ("._card", True),
    "VoiceRecorder": ("._recorder", True),
    "AudioPicker": ("._picker", True),
    # Batch cloning (issue 8) and sample inspection (issue 7): no ipywidgets needed.
    "BatchInterrupted": ("._batch", False),
    "BatchResult": ("._batch", False),
    "BatchRow": ("._batch", False),
    "partial_result": ("._batch", False),
    "clone_voices": ("._batch", False),
    "clone_voices_async": ("._batch", False),
    "jobs_from_folder": ("._batch", False),
    "SampleReport": ("._inspect", False),
    "inspect_sample": ("._inspect", False),
    "inspect_samples": ("._inspect", False),
    "OverallVerdict": ("._inspect", False),
    "overall_verdict": ("._inspect", False),
    "waveform_png": ("._waveform", False),
    "waveform_svg": ("._waveform", False),
}

_JUPYTER_HINT = "pip install 'uponai-voices[jupyter]'"


def __getattr__(name: str) -> Any:
    entry = _LAZY.get(name)
    if entry is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module_name, needs_jupyter = entry
    if needs_jupyter:
        try:
            importlib.import_module("ipywidgets")
        except ImportError as exc:
            raise ImportError(
                f"uponai_widgets.{name} needs ipywidgets: {_JUPYTER_HINT}", name="ipywidgets"
            ) from exc
    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(shell: Any) -> None:
    """`%load_ext uponai_widgets`: show every `Voice` as a card in this notebook."""
    from ._display import register_voice_formatter

    register_voice_formatter(shell)


def _register_in_running_ipython() -> None:
    # Inside a kernel IPython is already imported: register the Voice card cheaply. In a plain
    # script IPython is not in sys.modules and nothing is imported.
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        load_ipython_extension(shell)


_register_in_running_ipython()
