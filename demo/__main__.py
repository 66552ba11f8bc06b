"""``python -m demo``: start the demo on 127.0.0.1:5000 and say how to sign in."""

from __future__ import annotations

import os

from .app import DEMO_EMAIL, DEMO_PASSWORD, create_app

port = int(os.environ.get("PORT", "5000"))
app = create_app({"AUTHJS_URL": f"http://127.0.0.1:{port}"})
print(f"flask-authjs demo: open http://127.0.0.1:{port}/")
print(f"sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}, or with the stub provider")
print(f"mail (magic links, password resets) goes to http://127.0.0.1:{port}/outbox")
app.run(host="127.0.0.1", port=port)
