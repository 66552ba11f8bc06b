"""``python -m demo``: start the demo on localhost:5000 and say how to sign in.

It listens on 127.0.0.1, but its address is ``localhost``: passkeys need a domain name.
"""

from __future__ import annotations

import os

from .app import DEMO_EMAIL, DEMO_PASSWORD, create_app

port = int(os.environ.get("PORT", "5000"))
app = create_app({"AUTHJS_URL": f"http://localhost:{port}"})
print(f"flask-authjs demo: open http://localhost:{port}/")
print(f"sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}, or with the stub provider")
print(f"mail (magic links, password resets) goes to http://localhost:{port}/outbox")
app.run(host="127.0.0.1", port=port)
