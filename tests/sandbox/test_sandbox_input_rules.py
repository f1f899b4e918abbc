"""The input rules the client mirrors: lengths, control and invisible characters, 64-bit ids,
plain MIME types, audio too small to hold a sample. Each rule over real HTTP, nothing stored."""

from __future__ import annotations

import httpx
import pytest
from support.sandbox_http import CLONE, DEFAULT_FIELDS, assert_error, clone

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav
from uponai_sandbox.config import parse_settings

WAV = make_wav(0.1)
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


def stored(sandbox: RunningSandbox) -> int:
    return len(sandbox.voice_ids())


def test_documented_defaults() -> None:
    settings = parse_settings(["--token", "t", "--data-dir", "d"], {})
    assert settings.max_name_chars == 200
    assert settings.max_provider_chars == 64
    assert settings.max_reason_chars == 1000
    flags = ["--max-name-chars", "5", "--max-provider-chars", "6", "--max-reason-chars", "7"]
    custom = parse_settings(["--token", "t", "--data-dir", "d", *flags], {})
    assert (custom.max_name_chars, custom.max_provider_chars, custom.max_reason_chars) == (5, 6, 7)
    env = {"UPONAI_SANDBOX_MAX_NAME_CHARS": "9", "UPONAI_SANDBOX_MAX_REASON_CHARS": "11"}
    from_env = parse_settings(["--token", "t", "--data-dir", "d"], env)
    assert (from_env.max_name_chars, from_env.max_reason_chars) == (9, 11)


@pytest.mark.parametrize(("field", "limit"), [("voiceName", 200), ("voiceProvider", 64)])
def test_length_limits_in_characters(sandbox: RunningSandbox, field: str, limit: int) -> None:
    before = stored(sandbox)
    over = DEFAULT_FIELDS | {field: "é" * (limit + 1)}
    body = assert_error(clone(sandbox, [("a.wav", WAV)], fields=over), 422, field=field)
    assert str(limit) in body["message"]
    assert stored(sandbox) == before
    at_limit = DEFAULT_FIELDS | {field: "é" * limit}  # characters, not UTF-8 bytes
    assert clone(sandbox, [("a.wav", WAV)], fields=at_limit).status_code == 201


@pytest.mark.parametrize(
    "name",
    ["Ada\x00", "\x1b[31mAda", "Ada\r\nX: 1", "Ada\nLovelace", "A\tda", "Ada\x7f", "Ada\x85",
     "Ada\u2028", "Ada\u2029"],
)  # fmt: skip
@pytest.mark.parametrize("field", ["voiceName", "voiceProvider"])
def test_control_characters_are_refused(sandbox: RunningSandbox, field: str, name: str) -> None:
    before = stored(sandbox)
    fields = DEFAULT_FIELDS | {field: name}
    body = assert_error(clone(sandbox, [("a.wav", WAV)], fields=fields), 422, field=field)
    assert "control character" in body["message"]
    assert stored(sandbox) == before


@pytest.mark.parametrize(
    "name", ["\u200b", " \u200b\u200c\u200d ", "\ufeff", "\u2060", "\u3000", "\u00a0"]
)
@pytest.mark.parametrize("field", ["voiceName", "voiceProvider"])
def test_only_invisible_characters_is_blank(sandbox: RunningSandbox, field: str, name: str) -> None:
    fields = DEFAULT_FIELDS | {field: name}
    body = assert_error(clone(sandbox, [("a.wav", WAV)], fields=fields), 422, field=field)
    assert "blank" in body["message"]


def test_visible_names_with_inner_zero_width_are_kept(sandbox: RunningSandbox) -> None:
    fields = DEFAULT_FIELDS | {"voiceName": "  A\u200dda  "}
    response = clone(sandbox, [("a.wav", WAV)], fields=fields)
    assert response.status_code == 201
    assert response.json()["name"] == "A\u200dda"


@pytest.mark.parametrize(
    ("value", "ok"),
    [(str(INT64_MAX), True), (str(INT64_MIN), True), (str(INT64_MAX + 1), False),
     (str(INT64_MIN - 1), False), (str(2**70), False), ("\u0664\u0662", False),
     ("\uff14\uff12", False)],
)  # fmt: skip
def test_workspace_id_is_signed_64_bit_ascii(sandbox: RunningSandbox, value: str, ok: bool) -> None:
    response = clone(sandbox, [("a.wav", WAV)], fields=DEFAULT_FIELDS | {"workspaceId": value})
    if ok:
        assert response.status_code == 201, response.text
        assert sandbox.voice_record(response.json()["voiceId"])["workspace_id"] == int(value)
    else:
        assert_error(response, 422, field="workspaceId")


@pytest.mark.parametrize("header", ["X-Provider-Id", "X-Tenant-Id"])
@pytest.mark.parametrize(
    ("value", "ok"),
    [(str(INT64_MAX), True), (str(INT64_MIN), True), (str(INT64_MAX + 1), False),
     (str(INT64_MIN - 1), False), (str(2**70), False)],
)  # fmt: skip
def test_header_ids_are_signed_64_bit(
    sandbox: RunningSandbox, header: str, value: str, ok: bool
) -> None:
    response = clone(sandbox, [("a.wav", WAV)], headers={header: value})
    if ok:
        assert response.status_code == 201, response.text
    else:
        assert_error(response, 422, field=header)


def test_reason_length_limit(sandbox: RunningSandbox) -> None:
    admin = {"X-Actor-Type": "platform_admin", "X-Tenant-Id": "5"}
    too_long = admin | {"X-Impersonation-Reason": "r" * 1001}
    before = stored(sandbox)
    response = clone(sandbox, [("a.wav", WAV)], headers=too_long)
    body = assert_error(response, 422, field="X-Impersonation-Reason")
    assert "1000" in body["message"]
    assert "r" * 50 not in response.text  # the reason is not echoed
    assert stored(sandbox) == before
    at_limit = admin | {"X-Impersonation-Reason": "r" * 1000}
    assert clone(sandbox, [("a.wav", WAV)], headers=at_limit).status_code == 201


def test_reason_must_be_printable_ascii(sandbox: RunningSandbox) -> None:
    headers = {
        "Authorization": f"Bearer {sandbox.token}",
        "X-Actor-Type": "platform_admin",
        "X-Impersonation-Reason": "caf\u00e9 audit".encode("latin-1"),
    }
    response = httpx.post(
        sandbox.url + CLONE,
        data=DEFAULT_FIELDS,
        files=[("files", ("a.wav", WAV, "audio/wav"))],
        headers=headers,  # type: ignore[arg-type]  # httpx sends bytes header values as they are
    )
    assert_error(response, 422, field="X-Impersonation-Reason")


@pytest.mark.parametrize(
    "mime",
    ["audio/webm;codecs=opus", "audio/wav; x=1", "audio", "audio/", "/wav", "audio/wav/x",
     "audio wav", "", "audio/w\u00e4v"],
)  # fmt: skip
def test_mime_type_must_be_plain_type_subtype(sandbox: RunningSandbox, mime: str) -> None:
    boundary = "mimeb"
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in DEFAULT_FIELDS.items()
        ).encode()
        + f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.wav"\r\n'
        f"Content-Type: {mime}\r\n\r\n".encode()
        + WAV
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = sandbox.auth_headers | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = httpx.post(sandbox.url + CLONE, content=body, headers=headers)
    found = assert_error(response, 422, field="files")
    assert found["file"] == "a.wav"


@pytest.mark.parametrize("mime", ["audio/wav", "audio/x-wav", "application/octet-stream",
                                  "Audio/WAV", "audio/vnd.wave"])  # fmt: skip
def test_plain_mime_types_are_accepted(sandbox: RunningSandbox, mime: str) -> None:
    assert clone(sandbox, [("a.wav", WAV, mime)]).status_code == 201


def test_injected_part_header_is_refused(sandbox: RunningSandbox) -> None:
    boundary = "injb"
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in DEFAULT_FIELDS.items()
        ).encode()
        + f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.wav"\r\n'
        "Content-Type: audio/wav\r\nX-Injected: 1\r\n\r\n".encode()
        + WAV
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = sandbox.auth_headers | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = httpx.post(sandbox.url + CLONE, content=body, headers=headers)
    assert "x-injected" in assert_error(response, 400)["message"]


@pytest.mark.parametrize(
    ("data", "ok"),
    [pytest.param(b"RIFF\x00\x00\x00\x00WAVE", False, id="12-byte-wav-magic"),
     pytest.param(WAV[:44], False, id="wav-header-only"),
     pytest.param(WAV[:45], True, id="wav-one-byte-of-data"),
     pytest.param(b"fLaC" + bytes(27), False, id="flac-31"),
     pytest.param(b"fLaC" + bytes(28), True, id="flac-32"),
     pytest.param(b"ID3\x04" + bytes(6), False, id="id3-header-only"),
     pytest.param(b"\xff\xfb\x90\x64" + bytes(27), False, id="mpeg-31"),
     pytest.param(b"\xff\xfb\x90\x64" + bytes(28), True, id="mpeg-32")],
)  # fmt: skip
def test_audio_too_small_to_hold_a_sample(sandbox: RunningSandbox, data: bytes, ok: bool) -> None:
    response = clone(sandbox, [("tiny.bin", data)])
    if ok:
        assert response.status_code == 201, response.text
    else:
        body = assert_error(response, 422, field="files")
        assert body["file"] == "tiny.bin"
        assert body["code"] == "audio_too_small"
