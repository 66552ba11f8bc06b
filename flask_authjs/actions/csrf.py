"""``GET {base}/csrf``: the token a client posts back as ``csrfToken``."""

from __future__ import annotations

from flask import Response

from ..csrf import csrf_token
from ..responses import json_response


def get_csrf_token() -> Response:
    return json_response({"csrfToken": csrf_token()})
