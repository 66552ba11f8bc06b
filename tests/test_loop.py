"""The loop detector: a custom sign-in page that sends people back to itself.

The classic trap: ``pages={"sign_in": "/sign-in"}`` and the page calls ``signIn()`` (or
``sign_in()``) with no provider. Each trap must be found, told once, and broken: the
person gets a sign-in form, never an endless bounce.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask, g, redirect, render_template_string, request
from flask.testing import FlaskClient

from flask_authjs import RedirectLoopWarning, login_required, sign_in
from flask_authjs.loop import page_problems

from .conftest import PASSWORD, USER, AppFactory, csrf_token

CUSTOM_PAGE = """<h1>Our sign-in page</h1>
<form action="/api/auth/callback/credentials" method="POST" id="good-form">
  <input type="hidden" name="csrfToken" value="{{ authjs_csrf_token() }}">
  <input name="email"><input name="password" type="password">
</form>"""

SEED_LOOP_URL = "/api/auth/signin?callbackUrl=http%3A%2F%2Flocalhost%2Fsign-in"


def app_with_page(app_factory: AppFactory, view: Callable[[], Any], **settings: Any) -> Flask:
    """An app whose ``pages["sign_in"]`` is ``/sign-in``, served by ``view``."""
    app = app_factory(pages={"sign_in": "/sign-in"}, **settings)
    app.add_url_rule("/sign-in", "sign_in_page", view, methods=["GET", "POST"])
    return app


def good_page() -> str:
    return render_template_string(CUSTOM_PAGE)


def seed_page() -> Any:
    """The trap's page: anyone without a session is sent to "sign in", with no provider."""
    if g.session is None:
        return sign_in()
    return "signed in"


def follow(client: FlaskClient, url: str, limit: int = 10) -> tuple[Any, list[str]]:
    """GET ``url`` and follow redirects (at most ``limit``): the last response and the hops."""
    hops = [url]
    response = client.get(url)
    while response.status_code in (301, 302, 303, 307, 308):
        assert len(hops) <= limit, f"redirect loop: {hops}"
        hops.append(response.headers["Location"])
        response = client.get(hops[-1])
    return response, hops


def loop_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "redirect loop" in r.getMessage()]


def test_an_app_that_filters_the_warning_out_still_has_the_loop_broken_and_logged(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """``RedirectLoopWarning`` is a real warning category: the standard filter silences it
    (a test suite that does not want it), and only it: the loop is broken and logged."""
    client = app_with_page(app_factory, good_page).test_client()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=RedirectLoopWarning)
        response, hops = follow(client, SEED_LOOP_URL)
    assert caught == []
    assert hops == [SEED_LOOP_URL] and response.status_code == 200
    assert "callback/credentials" in response.text
    assert len(loop_warnings(caplog)) == 1


def test_sign_in_without_provider_from_the_custom_page_is_detected_and_broken(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """What next-auth's signIn() with no provider does on the page: GET {base}/signin."""
    client = app_with_page(app_factory, good_page).test_client()
    with pytest.warns(RedirectLoopWarning, match="/sign-in") as caught:
        response, hops = follow(client, SEED_LOOP_URL)

    assert hops == [SEED_LOOP_URL]  # no redirect back to /sign-in at all
    assert response.status_code == 200
    assert 'action="http://localhost/api/auth/callback/credentials"' in response.text
    assert response.headers["X-Frame-Options"] == "DENY"  # still an auth page's headers
    message = str(caught[0].message)
    assert 'signIn("credentials"' in message
    assert "/api/auth/callback/credentials" in message
    assert loop_warnings(caplog) == [f"flask-authjs: {message}"]


def test_the_seed_page_calling_the_helper_with_no_provider_lands_on_a_form_once(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = app_with_page(app_factory, seed_page).test_client()
    with pytest.warns(RedirectLoopWarning, match="/sign-in"):
        response, hops = follow(client, "/sign-in")

    assert hops == ["/sign-in"]
    assert response.status_code == 200
    assert "callback/credentials" in response.text
    assert "do not call sign_in() with no provider" in loop_warnings(caplog)[0]


def test_the_user_signs_in_from_the_form_that_broke_the_loop(app_factory: AppFactory) -> None:
    client = app_with_page(app_factory, seed_page).test_client()
    with pytest.warns(RedirectLoopWarning):
        client.get("/sign-in")
    response = client.post(
        "/api/auth/callback/credentials",
        data={"email": USER["email"], "password": PASSWORD, "csrfToken": csrf_token(client)},
    )
    assert response.status_code == 302
    assert client.get("/sign-in").text == "signed in"


def test_each_loop_is_warned_once_per_page_not_per_request(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = app_with_page(app_factory, good_page).test_client()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            assert client.get(SEED_LOOP_URL).status_code == 200

    assert [w.category for w in caught] == [RedirectLoopWarning]
    assert len(loop_warnings(caplog)) == 1


@pytest.mark.parametrize(
    ("debug", "explained"), [(True, True), (False, False)], ids=["debug", "production"]
)
def test_the_form_explains_the_loop_only_in_debug(
    app_factory: AppFactory, debug: bool, explained: bool
) -> None:
    client = app_with_page(app_factory, good_page, DEBUG=debug).test_client()
    with pytest.warns(RedirectLoopWarning):
        response = client.get(SEED_LOOP_URL)
    assert response.status_code == 200
    assert "callback/credentials" in response.text
    assert ("redirect loop on the sign-in page /sign-in" in response.text) is explained


def test_the_way_out_is_the_callback_url_the_sign_in_page_was_given(
    app_factory: AppFactory,
) -> None:
    """/sign-in?callbackUrl=/dashboard calls signIn(): the form still leads to /dashboard."""
    client = app_with_page(app_factory, good_page).test_client()
    nested = "http://localhost/sign-in?callbackUrl=%2Fdashboard"
    with pytest.warns(RedirectLoopWarning):
        response = client.get("/api/auth/signin", query_string={"callbackUrl": nested})
    assert 'name="callbackUrl" value="http://localhost/dashboard"' in response.text


@pytest.mark.parametrize(
    "hostile", ["https://evil.example/", "//evil.example", "https:evil.example", "javascript:x"]
)
def test_the_way_out_never_leads_off_site(app_factory: AppFactory, hostile: str) -> None:
    client = app_with_page(app_factory, good_page).test_client()
    nested = f"http://localhost/sign-in?callbackUrl={quote(hostile, safe='')}"
    with pytest.warns(RedirectLoopWarning):
        response = client.get("/api/auth/signin", query_string={"callbackUrl": nested})
    assert response.status_code == 200
    assert 'name="callbackUrl" value=""' in response.text
    assert "evil" not in response.text


def test_login_required_on_the_sign_in_view_is_detected_and_broken(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = app_with_page(app_factory, login_required(good_page)).test_client()
    with pytest.warns(RedirectLoopWarning, match="login_required"):
        response, hops = follow(client, "/sign-in?callbackUrl=%2Fdashboard")

    assert len(hops) == 1
    assert response.status_code == 200
    assert 'name="callbackUrl" value="http://localhost/dashboard"' in response.text
    assert "remove @login_required from the view that serves /sign-in" in loop_warnings(caplog)[0]


def test_a_rule_that_guards_every_path_is_caught_on_the_sign_in_page(
    app_factory: AppFactory,
) -> None:
    app = app_with_page(app_factory, good_page)

    @app.before_request
    def everything_needs_a_session() -> Any:
        if g.session is None and not request.path.startswith("/api/auth"):
            return redirect(f"/sign-in?callbackUrl={request.path}")
        return None

    client = app.test_client()
    assert client.get("/").headers["Location"] == "/sign-in?callbackUrl=/"
    with pytest.warns(RedirectLoopWarning, match="redirected from /sign-in back"):
        response = client.get("/sign-in?callbackUrl=/")
    assert response.status_code == 200
    assert 'name="callbackUrl" value="http://localhost/"' in response.text


def test_a_correct_custom_page_raises_no_false_alarm(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_with_page(app_factory, good_page, DEBUG=True)

    @app.post("/sign-in/again")
    def post_redirect_get() -> Any:  # a form posted to the page, then back to it: fine
        return redirect("/sign-in?error=CredentialsSignin")

    client = app.test_client()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert client.get("/api/auth/signin?callbackUrl=%2Fdashboard").headers["Location"] == (
            "http://localhost/sign-in?callbackUrl=http%3A%2F%2Flocalhost%2Fdashboard"
        )
        assert client.get("/dashboard").status_code == 302
        assert "Our sign-in page" in client.get("/sign-in?callbackUrl=%2Fdashboard").text
        wrong = client.post(
            "/api/auth/callback/credentials",
            data={"email": USER["email"], "password": "wrong", "csrfToken": csrf_token(client)},
        )
        assert wrong.headers["Location"].startswith("http://localhost/sign-in?")
        assert client.post("/sign-in/again").status_code == 302
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# Static checks: at the first request in debug, and `flask authjs check`.


def guarded_page() -> str:
    return "never seen without a session"


STATIC_CASES = {
    "under-base-path": ({"sign_in": "/api/auth/login"}, "lies under AUTHJS_BASE_PATH", True),
    "no-route": ({"error": "/oops"}, "no route of the app serves GET", False),
    "guarded-sign-in": ({"sign_in": "/guarded"}, "decorated with @login_required", True),
}


def static_case_app(app_factory: AppFactory, case: str, **settings: Any) -> Flask:
    pages, _, _ = STATIC_CASES[case]
    app = app_factory(pages=pages, **settings)
    app.add_url_rule("/guarded", "guarded", login_required(guarded_page))
    return app


@pytest.mark.parametrize("case", list(STATIC_CASES))
def test_static_checks_find_each_problem(app_factory: AppFactory, case: str) -> None:
    pages, problem, is_loop = STATIC_CASES[case]
    app = static_case_app(app_factory, case)
    [found] = page_problems(app)
    assert (found.page, found.path) == next(iter(pages.items()))
    assert problem in found.problem
    assert found.fix
    assert found.is_loop is is_loop


@pytest.mark.parametrize("case", list(STATIC_CASES))
def test_flask_authjs_check_exits_non_zero_with_a_readable_report(
    app_factory: AppFactory, case: str
) -> None:
    pages, problem, _ = STATIC_CASES[case]
    result = static_case_app(app_factory, case).test_cli_runner().invoke(args=["authjs", "check"])
    assert result.exit_code == 1
    assert "1 problem(s) found" in result.output
    assert next(iter(pages.values())) in result.output
    assert problem in result.output
    assert "Fix: " in result.output


def test_flask_authjs_check_passes_a_correct_setup(app_factory: AppFactory) -> None:
    app = app_with_page(app_factory, good_page)
    app.add_url_rule("/bye/", "bye", lambda: "bye")  # served with a trailing slash counts
    app.extensions["authjs"].pages["sign_out"] = "/bye"
    result = app.test_cli_runner().invoke(args=["authjs", "check"])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_a_wrapped_guarded_view_is_still_found(app_factory: AppFactory) -> None:
    app = app_factory(pages={"sign_in": "/sign-in"})
    guarded = login_required(good_page)

    def outer() -> Any:
        return guarded()

    outer.__wrapped__ = guarded  # type: ignore[attr-defined]
    app.add_url_rule("/sign-in", "outer", outer)
    assert [p.page for p in page_problems(app)] == ["sign_in"]


def test_debug_apps_report_static_problems_at_the_first_request_only(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = static_case_app(app_factory, "guarded-sign-in", DEBUG=True).test_client()
    with pytest.warns(RedirectLoopWarning, match="decorated with @login_required"):
        client.get("/")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.get("/")
    assert len([r for r in caplog.records if "@login_required" in r.getMessage()]) == 1


def test_apps_out_of_debug_skip_the_start_up_check(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = static_case_app(app_factory, "no-route").test_client()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert client.get("/").status_code == 200
    assert not caplog.records
