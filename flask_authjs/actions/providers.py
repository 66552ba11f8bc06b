"""``GET {base}/providers``: what the client needs to pick a sign-in route per provider."""

from __future__ import annotations

from flask import Response

from ..context import current_auth
from ..responses import json_response


def get_providers() -> Response:
    context = current_auth()
    base_url = context.base_url()
    return json_response(
        {provider.id: provider.describe(base_url) for provider in context.providers.values()},
        cache=True,
    )
