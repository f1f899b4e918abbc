"""The public surface: pinned `__all__`, lazy widget names, light import, one API module."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import uponai_widgets
from uponai_client.models import Voice
from uponai_widgets import _connection

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "widgets" / "uponai_widgets"

EXPECTED_ALL = {
    "__version__",
    "connect",
    "Connection",
    "clone_voice",
    "clone_voice_async",
    "UponAIError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "UnsupportedMediaError",
    "InvalidRequestError",
    "RateLimitError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
    "OutcomeUnknownError",
    "ValidationError",
    "Problem",
    "RetryPolicy",
    "validate_clone",
    "Limits",
    "Voice",
    "VoiceCloneWidget",
    "VoiceCard",
    "APIStatusError",
    "ConflictError",
    "OperationUnavailableError",
    "OutcomeUnknownTimeoutError",
    "SampleStreamError",
    "Secret",
    "UnexpectedResponseError",
    "DEFAULT_TIMEOUT",
    "UPLOAD_TIMEOUT",
    "Operation",
    "call",
    "call_async",
    "paginate",
    "paginate_async",
    "find_voices",
    "find_voices_async",
}
# Lazy names of batch cloning, sample inspection and preparation: no ipywidgets needed.
LAZY_SCRIPT_NAMES = {
    "BatchInterrupted",
    "BatchLockedError",
    "BatchResult",
    "BatchRow",
    "partial_result",
    "OverallVerdict",
    "overall_verdict",
    "waveform_png",
    "waveform_svg",
    "clone_voices",
    "clone_voices_async",
    "jobs_from_folder",
    "SampleReport",
    "inspect_sample",
    "inspect_samples",
    "PreparedSample",
    "PreparationCancelled",
    "prepare_sample",
    "prepare_samples",
}
LAZY_WIDGET_NAMES = {"VoiceCloneWidget", "VoiceCard", "VoiceRecorder", "AudioPicker"}
LAZY_NAMES = LAZY_WIDGET_NAMES | LAZY_SCRIPT_NAMES


def test_all_is_pinned() -> None:
    assert set(uponai_widgets.__all__) == EXPECTED_ALL | LAZY_NAMES
    assert len(uponai_widgets.__all__) == len(EXPECTED_ALL | LAZY_NAMES)


def test_every_error_the_sdk_defines_is_exported() -> None:
    from uponai_widgets import _errors

    defined = {
        name
        for name, value in vars(_errors).items()
        if isinstance(value, type) and issubclass(value, uponai_widgets.UponAIError)
    }
    assert defined <= set(uponai_widgets.__all__)
    assert "SampleStreamError" in defined


def test_every_eager_name_resolves_and_is_documented() -> None:
    for name in EXPECTED_ALL - LAZY_NAMES - {"__version__"}:
        value = getattr(uponai_widgets, name)
        assert inspect.getdoc(value), f"{name} has no docstring"
    assert uponai_widgets.Voice is Voice
    assert isinstance(uponai_widgets.__version__, str)


def test_error_classes_form_one_hierarchy() -> None:
    for name in EXPECTED_ALL:
        if name.endswith("Error"):
            assert issubclass(getattr(uponai_widgets, name), uponai_widgets.UponAIError)
    assert issubclass(uponai_widgets.APITimeoutError, uponai_widgets.APIConnectionError)
    assert issubclass(uponai_widgets.ValidationError, ValueError)


def test_contract_signatures() -> None:
    """The clone functions show the request's fields as keywords, read from the generated
    client (required ones first), beside their own arguments."""
    from uponai_widgets._clone_request import CLONE

    required = [f.keyword for f in CLONE.fields if f.required]
    optional = [f.keyword for f in CLONE.fields if not f.required]
    assert {"name", "provider", "workspace_id"} <= set(required)
    assert {"actor_type", "provider_id", "tenant_id", "impersonation_reason"} <= set(optional)
    expected = ["connection", *required, *optional, "samples", "on_progress", "timeout"]
    for function in (uponai_widgets.clone_voice, uponai_widgets.clone_voice_async):
        assert list(inspect.signature(function).parameters) == expected
    assert inspect.iscoroutinefunction(uponai_widgets.clone_voice_async)
    validate = inspect.signature(uponai_widgets.validate_clone).parameters
    assert list(validate) == [*required, *optional, "samples", "limits"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in validate.values())
    limits = uponai_widgets.Limits()
    assert (limits.max_files, limits.max_file_bytes, limits.max_total_bytes) == (
        25,
        100 * 1024 * 1024,
        500 * 1024 * 1024,
    )


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_does_not_load_heavy_or_optional_modules() -> None:
    loaded = _run(
        "import sys, uponai_widgets; uponai_widgets.connect('http://127.0.0.1:1', 't');"
        "print(','.join(m for m in ('ipywidgets', 'numpy', 'pandas', 'soundfile', 'IPython')"
        " if m in sys.modules))"
    )
    assert loaded == ""


def test_widget_names_are_lazy_and_explain_the_extra_when_ipywidgets_is_missing() -> None:
    out = _run(
        "import sys; sys.modules['ipywidgets'] = None\n"
        "import uponai_widgets\n"
        f"for name in {sorted(LAZY_WIDGET_NAMES)!r}:\n"
        "    try:\n"
        "        getattr(uponai_widgets, name)\n"
        "    except ImportError as exc:\n"
        "        print(exc)\n"
    )
    lines = out.splitlines()
    assert len(lines) == len(LAZY_WIDGET_NAMES)
    assert all("pip install '.[jupyter]' in a checkout" in line for line in lines)


def test_lazy_names_resolve_on_first_use() -> None:
    loaded = _run(
        "import sys, uponai_widgets\n"
        f"names = {sorted(LAZY_NAMES)!r}\n"
        "print(all(name not in vars(uponai_widgets) for name in names))\n"
        "print(all(callable(getattr(uponai_widgets, name)) for name in names))\n"
    )
    assert loaded.splitlines() == ["True", "True"]


def test_script_names_do_not_need_ipywidgets() -> None:
    out = _run(
        "import sys; sys.modules['ipywidgets'] = None\n"
        "import uponai_widgets\n"
        f"print(all(getattr(uponai_widgets, n) for n in {sorted(LAZY_SCRIPT_NAMES)!r}))\n"
    )
    assert out == "True"


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        uponai_widgets.NoSuchThing  # noqa: B018 - the attribute access is the test


def test_spec_version_matches_openapi_json() -> None:
    spec = json.loads((ROOT / "openapi.json").read_text())
    assert spec["info"]["version"] == _connection.SPEC_VERSION
    assert spec["servers"][0]["url"] == _connection.DEFAULT_BASE_URL


def test_inside_ipython_voices_render_as_cards_without_importing_ipywidgets() -> None:
    probe = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "import uponai_widgets\n"
        "from uponai_client.models import Voice\n"
        "data, _ = shell.display_formatter.format(Voice(voice_id='v_1', name='<Ada>'))\n"
        "print('v_1' in data['text/html'], '&lt;Ada&gt;' in data['text/html'])\n"
        "print('ipywidgets' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["True", "True", "False"]
