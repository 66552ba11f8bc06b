"""In Chromium: one CSRF token, fetched once by a page, serves sign-in, update and sign-out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from demo.app import DEMO_EMAIL, DEMO_PASSWORD

from .conftest import demo

ONE_TOKEN_PAGE = """async ([email, password]) => {
  const post = (path, body, json) => fetch("/api/auth/" + path, json
    ? {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)}
    : {method: "POST", body: new URLSearchParams(body)});
  const {csrfToken} = await (await fetch("/api/auth/csrf")).json();
  const signIn = await post("callback/credentials",
                            {csrfToken, email, password, json: "true"}, false);
  const again = await post("callback/credentials",
                           {csrfToken, email, password, json: "true"}, false);
  const update = await post("session", {csrfToken, data: {}}, true);
  const signOut = await post("signout", {csrfToken, json: "true"}, false);
  const after = await (await fetch("/api/auth/session")).json();
  return [signIn.status, again.status, update.status, signOut.status, after];
}"""


def test_a_token_fetched_once_works_for_the_life_of_the_page(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/")
    result = page.evaluate(ONE_TOKEN_PAGE, [DEMO_EMAIL, DEMO_PASSWORD])
    assert result == [200, 200, 200, 200, {}]
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert "authjs.csrf-token" in names and "session" not in names  # no Flask session cookie
