"""Download a published OpenAPI document (`regenerate.py --from URL`)."""

from __future__ import annotations

from typing import Any

from . import PipelineError
from .spec import parse_spec_text


def fetch_spec(url: str, *, timeout: float = 30.0) -> dict[str, Any]:
    """GET `url` and parse it as JSON or YAML; `PipelineError` says why when it cannot."""
    import httpx  # only `--from` needs it: an import every regeneration would pay for

    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise PipelineError(f"cannot download {url}: {exc or type(exc).__name__}") from exc
    if response.status_code != 200:
        raise PipelineError(f"cannot download {url}: the server answered {response.status_code}")
    kind = response.headers.get("content-type", "unknown content")
    try:
        document = parse_spec_text(response.content, url)
    except PipelineError:
        document = {}
    if "openapi" not in document:
        raise PipelineError(f"{url} does not hold an OpenAPI document (got {kind})")
    return document
