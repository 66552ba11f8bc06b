"""``GET {base}/client.js``: the browser client, so a page needs no build step and no CDN.

The script finds its base path from its own URL, so ``<script src="/api/auth/client.js">``
is all a page writes. Served with an ETag and ``no-cache``: browsers revalidate, and an
upgrade of flask-authjs reaches them at once.
"""

from __future__ import annotations

from ..responses import Result


def client_script() -> Result:
    return Result(file="client.js", mimetype="text/javascript")
