"""``GET {base}/csrf``: the token a client posts back as ``csrfToken``."""

from __future__ import annotations

from ..csrf import csrf_token
from ..responses import Result, json_result


def get_csrf_token() -> Result:
    return json_result({"csrfToken": csrf_token()})
