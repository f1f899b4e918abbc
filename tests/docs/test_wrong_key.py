"""What the README's "A wrong key" says, over real HTTP with a 20 MB sample on disk.

The API has no operation to check a key, so a wrong key shows at the first upload (no key at all
is refused by `connect()`, before any request). Against the sandbox (which reads every body before
it answers) the whole sample goes out and then the typed error comes, naming `UPONAI_API_KEY`.
Against a server that refuses the key from the request head (`support.early_server`, its own
process) the client stops sending as soon as the answer is there: the server gets at most a few
megabytes of the twenty (often none). Over HTTPS (the same server behind TLS, with a certificate
made by openssl at test time) the client does not watch, and reads the 401 after the whole upload.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.early_server import EarlyServer

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_large_wav

pytestmark = pytest.mark.slow

SIZE = 20 * 1024 * 1024
WRONG_KEY = "sk-not-my-key-0123456789"
FIELDS = {"name": "Ada", "provider": "elevenlabs", "workspace_id": 42}
HINT = "Check UPONAI_API_KEY"


@pytest.fixture(scope="module")
def big_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_large_wav(tmp_path_factory.mktemp("wrong-key") / "long take.wav", SIZE)


def clone_with_wrong_key(
    url: str, sample: Path, httpx_args: dict[str, Any] | None = None
) -> tuple[uw.AuthenticationError, list[int]]:
    """Clone `sample` at `url` with a key the server refuses: the error and the bytes sent."""
    sent: list[int] = []
    policy = uw.RetryPolicy(max_retries=0)
    connection = uw.connect(url, WRONG_KEY, retry=policy, httpx_args=httpx_args)
    with connection, pytest.raises(uw.AuthenticationError) as info:
        uw.clone_voice(
            connection, samples=[sample], on_progress=lambda done, _: sent.append(done), **FIELDS
        )
    return info.value, sent


def test_against_the_sandbox_a_wrong_key_is_a_401_after_the_upload(
    sandbox: RunningSandbox, big_sample: Path
) -> None:
    voices_before = sandbox.voice_ids()
    error, sent = clone_with_wrong_key(sandbox.url, big_sample)
    assert error.status == 401
    assert HINT in str(error)
    assert WRONG_KEY not in str(error) + repr(error)
    assert sent[-1] >= big_sample.stat().st_size  # the sandbox read it all before answering
    assert sandbox.voice_ids() == voices_before
    (logged,) = [entry for entry in sandbox.requests() if entry["status"] == 401]
    assert logged["authenticated"] is False


def test_a_server_refusing_the_key_from_the_head_gets_a_fraction_of_the_upload(
    big_sample: Path,
) -> None:
    with EarlyServer(status=401, then="drain") as server:
        error, sent = clone_with_wrong_key(server.url, big_sample)
        (received,) = server.body_bytes()
    assert error.status == 401
    assert HINT in str(error)
    size = big_sample.stat().st_size
    # The README's figure: about what the socket buffers hold (3 MB on loopback), not 20 MB.
    assert received < size // 4, f"{received} of {size} bytes reached the server"
    assert sent[-1] < size // 4, f"the client reported {sent[-1]} of {size} bytes sent"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (PEM files)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed (Debian's ca-certificates brings it)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.mark.parametrize("trust", ["SSL_CERT_FILE", "httpx_args"])
def test_over_https_a_wrong_key_is_read_after_the_whole_upload(
    trust: str,
    big_sample: Path,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The certificate is trusted as the README says a company CA is: `SSL_CERT_FILE`, or an
    `ssl.SSLContext` passed as `connect(httpx_args={"verify": ...})`."""
    httpx_args: dict[str, Any] = {}
    if trust == "SSL_CERT_FILE":
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    else:
        httpx_args["verify"] = ssl.create_default_context(cafile=str(certificate[0]))
    fast_drain = 256 * 1024 * 1024
    with EarlyServer(status=401, then="drain", drain_rate=fast_drain, tls=certificate) as server:
        assert server.url.startswith("https://")
        error, sent = clone_with_wrong_key(server.url, big_sample, httpx_args)
        (received,) = server.body_bytes()
    assert error.status == 401
    assert HINT in str(error)
    size = big_sample.stat().st_size
    assert received >= size, f"only {received} of {size} bytes: the client stopped over TLS"
    assert sent[-1] >= size


def test_no_key_at_all_is_refused_by_connect_before_any_request(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPONAI_API_KEY", raising=False)
    with pytest.raises(uw.AuthenticationError) as info:
        uw.connect(sandbox.url)
    assert info.value.status is None
    assert "UPONAI_API_KEY" in str(info.value)
    assert sandbox.requests() == []
