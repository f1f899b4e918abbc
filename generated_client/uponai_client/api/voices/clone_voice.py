from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.clone_voice_body import CloneVoiceBody
from ...models.clone_voice_x_actor_type import CloneVoiceXActorType
from ...models.voice import Voice
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CloneVoiceBody,
    x_actor_type: CloneVoiceXActorType | Unset = UNSET,
    x_provider_id: int | Unset = UNSET,
    x_tenant_id: int | Unset = UNSET,
    x_impersonation_reason: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_actor_type, Unset):
        headers["X-Actor-Type"] = str(x_actor_type)

    if not isinstance(x_provider_id, Unset):
        headers["X-Provider-Id"] = str(x_provider_id)

    if not isinstance(x_tenant_id, Unset):
        headers["X-Tenant-Id"] = str(x_tenant_id)

    if not isinstance(x_impersonation_reason, Unset):
        headers["X-Impersonation-Reason"] = x_impersonation_reason

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/voices/clone",
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Voice | None:
    if response.status_code == 201:
        response_201 = Voice.from_dict(response.json())

        return response_201

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Voice]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CloneVoiceBody,
    x_actor_type: CloneVoiceXActorType | Unset = UNSET,
    x_provider_id: int | Unset = UNSET,
    x_tenant_id: int | Unset = UNSET,
    x_impersonation_reason: str | Unset = UNSET,
) -> Response[Voice]:
    """Clone voice

     Clone a custom voice from uploaded source audio files.

    Args:
        x_actor_type (CloneVoiceXActorType | Unset):
        x_provider_id (int | Unset):
        x_tenant_id (int | Unset):
        x_impersonation_reason (str | Unset):
        body (CloneVoiceBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Voice]
    """

    kwargs = _get_kwargs(
        body=body,
        x_actor_type=x_actor_type,
        x_provider_id=x_provider_id,
        x_tenant_id=x_tenant_id,
        x_impersonation_reason=x_impersonation_reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CloneVoiceBody,
    x_actor_type: CloneVoiceXActorType | Unset = UNSET,
    x_provider_id: int | Unset = UNSET,
    x_tenant_id: int | Unset = UNSET,
    x_impersonation_reason: str | Unset = UNSET,
) -> Voice | None:
    """Clone voice

     Clone a custom voice from uploaded source audio files.

    Args:
        x_actor_type (CloneVoiceXActorType | Unset):
        x_provider_id (int | Unset):
        x_tenant_id (int | Unset):
        x_impersonation_reason (str | Unset):
        body (CloneVoiceBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Voice
    """

    return sync_detailed(
        client=client,
        body=body,
        x_actor_type=x_actor_type,
        x_provider_id=x_provider_id,
        x_tenant_id=x_tenant_id,
        x_impersonation_reason=x_impersonation_reason,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CloneVoiceBody,
    x_actor_type: CloneVoiceXActorType | Unset = UNSET,
    x_provider_id: int | Unset = UNSET,
    x_tenant_id: int | Unset = UNSET,
    x_impersonation_reason: str | Unset = UNSET,
) -> Response[Voice]:
    """Clone voice

     Clone a custom voice from uploaded source audio files.

    Args:
        x_actor_type (CloneVoiceXActorType | Unset):
        x_provider_id (int | Unset):
        x_tenant_id (int | Unset):
        x_impersonation_reason (str | Unset):
        body (CloneVoiceBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Voice]
    """

    kwargs = _get_kwargs(
        body=body,
        x_actor_type=x_actor_type,
        x_provider_id=x_provider_id,
        x_tenant_id=x_tenant_id,
        x_impersonation_reason=x_impersonation_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CloneVoiceBody,
    x_actor_type: CloneVoiceXActorType | Unset = UNSET,
    x_provider_id: int | Unset = UNSET,
    x_tenant_id: int | Unset = UNSET,
    x_impersonation_reason: str | Unset = UNSET,
) -> Voice | None:
    """Clone voice

     Clone a custom voice from uploaded source audio files.

    Args:
        x_actor_type (CloneVoiceXActorType | Unset):
        x_provider_id (int | Unset):
        x_tenant_id (int | Unset):
        x_impersonation_reason (str | Unset):
        body (CloneVoiceBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Voice
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_actor_type=x_actor_type,
            x_provider_id=x_provider_id,
            x_tenant_id=x_tenant_id,
            x_impersonation_reason=x_impersonation_reason,
        )
    ).parsed
