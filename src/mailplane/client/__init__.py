"""Python client of the Management API, for mailplane and Qboxmail alike.

    from mailplane.client import Client

    with Client() as client:  # QBOXMAIL_API_BASE / QBOXMAIL_API_TOKEN from the environment
        code = client.domains.create("example.com", "s3cret-pass1", plan="basic")
        domain = client.domains.wait_for_ownership_data(code)
        print(domain.expected_a_record)

It depends on httpx and pydantic only, never on the server side of mailplane.
"""

from ._base import DEFAULT_BASE_URL, __version__
from ._client import AsyncClient, Client
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    FieldError,
    MailplaneError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    WaitTimeoutError,
)
from .models import (
    AliasDomain,
    DkimRecord,
    Domain,
    EmailAccount,
    EmailAlias,
    HtmlOwnershipFile,
    OwnershipCheck,
    OwnershipRecord,
    Page,
    Pagination,
    Postmaster,
    Webhook,
)
from .webhooks import AsyncWebhooks, Webhooks

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AliasDomain",
    "AsyncClient",
    "AsyncWebhooks",
    "AuthenticationError",
    "Client",
    "DkimRecord",
    "Domain",
    "EmailAccount",
    "EmailAlias",
    "FieldError",
    "HtmlOwnershipFile",
    "MailplaneError",
    "NotFoundError",
    "OwnershipCheck",
    "OwnershipRecord",
    "Page",
    "Pagination",
    "PermissionDeniedError",
    "Postmaster",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "WaitTimeoutError",
    "Webhook",
    "Webhooks",
    "__version__",
]
