"""``GET {base}/providers``: what the client needs to pick a sign-in route per provider."""

from __future__ import annotations

from ..context import current_auth
from ..responses import Result, json_result


def get_providers() -> Result:
    context = current_auth()
    base_url = context.base_url()
    return json_result(
        {provider.id: provider.describe(base_url) for provider in context.providers.values()},
        cache=True,
    )
