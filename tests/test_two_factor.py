"""TOTP two-factor sign-in through the routes: enrolment, the code step, recovery, attacks."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import CredentialsProvider, PasskeyProvider, totp
from flask_authjs.pipeline.second_factor import secret_sealer
from tests.conftest import AppFactory, FakeClock, post_json_true, session_cookie, sign_in, use_clock
from tests.soft_authenticator import (
    SoftAuthenticator,
    authenticate,
    options,
    post_credential,
    register,
)

TWO_FACTOR_PAGE = "/api/auth/two-factor?error=TwoFactorRequired"
EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def app(app_factory: AppFactory, clock: FakeClock) -> Flask:
    made = app_factory(
        providers=[CredentialsProvider(), PasskeyProvider()],
        TWO_FACTOR=True,
        RATE_LIMIT_PER_ACCOUNT=4,
    )
    context = made.extensions["authjs"]
    context.adapter.create_user(
        EMAIL, name="Ada", password_hash=context.password_hasher.hash(PASSWORD)
    )
    return use_clock(made, clock)


def code(secret: str, clock: FakeClock, offset: int = 0) -> str:
    return totp.code_at(secret, int(clock()) // totp.PERIOD + offset)


class Enrolled:
    def __init__(self, secret: str, recovery_codes: list[str]) -> None:
        self.secret = secret
        self.recovery_codes = recovery_codes


def enrol(client: FlaskClient, clock: FakeClock) -> Enrolled:
    started = post_json_true(client, "/api/auth/two-factor/enable")
    assert started.status_code == 200
    secret = started.get_json()["secret"]
    confirmed = post_json_true(client, "/api/auth/two-factor/confirm", code=code(secret, clock))
    assert confirmed.status_code == 200, confirmed.get_json()
    return Enrolled(secret, confirmed.get_json()["recoveryCodes"])


@pytest.fixture
def enrolled(app: Flask, clock: FakeClock) -> Enrolled:
    client = app.test_client()
    assert sign_in(client, EMAIL, PASSWORD).status_code == 200
    done = enrol(client, clock)
    clock.advance(totp.PERIOD)  # the enrolment code's step is spent
    return done


def first_factor(app: Flask) -> tuple[FlaskClient, Any]:
    client = app.test_client()
    return client, sign_in(client, EMAIL, PASSWORD)


def second(client: FlaskClient, value: str) -> Any:
    return post_json_true(client, "/api/auth/two-factor", code=value)


def test_enrolment_shows_a_qr_code_and_needs_one_good_code(app: Flask, clock: FakeClock) -> None:
    client = app.test_client()
    sign_in(client, EMAIL, PASSWORD)
    started = post_json_true(client, "/api/auth/two-factor/enable").get_json()
    assert started["uri"].startswith("otpauth://totp/localhost:ada%40example.com?secret=")
    assert started["qrSvg"].lstrip().startswith("<svg") and "<path" in started["qrSvg"]
    adapter = app.extensions["authjs"].adapter
    user = adapter.get_user_by_email(EMAIL)
    record = adapter.get_two_factor(user["id"])
    assert record["enabled"] is False and started["secret"] not in record["secret"]
    # Not on yet: signing in needs no code.
    assert first_factor(app)[1].status_code == 200
    wrong = post_json_true(client, "/api/auth/two-factor/confirm", code="000000")
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "InvalidCode"
    good = post_json_true(
        client, "/api/auth/two-factor/confirm", code=code(started["secret"], clock)
    )
    codes = good.get_json()["recoveryCodes"]
    assert len(codes) == 10 and adapter.count_recovery_codes(user["id"]) == 10
    assert adapter.get_two_factor(user["id"])["enabled"] is True


def test_the_first_factor_yields_a_pending_state_not_a_session(
    app: Flask, enrolled: Enrolled
) -> None:
    client, answer = first_factor(app)
    assert answer.status_code == 401
    body = answer.get_json()
    assert body["error"] == "TwoFactorRequired"
    assert body["url"] == "http://localhost/api/auth/two-factor?error=TwoFactorRequired"
    assert "session" not in body and session_cookie(answer) is None
    assert client.get("/api/auth/session").get_json() == {}
    assert client.get("/dashboard").status_code == 302
    assert client.get("/api/auth/two-factor").status_code == 200


def test_the_pending_cookie_is_never_a_session(app: Flask, enrolled: Enrolled) -> None:
    _, answer = first_factor(app)
    pending = session_cookie(answer, "authjs.two-factor")
    assert pending
    raw = app.test_client(use_cookies=False)
    for name in ("authjs.session-token", "__Secure-authjs.session-token"):
        response = raw.get("/api/auth/session", headers={"Cookie": f"{name}={pending}"})
        assert response.get_json() == {}


def test_a_code_completes_the_sign_in(app: Flask, enrolled: Enrolled, clock: FakeClock) -> None:
    client, _ = first_factor(app)
    answer = second(client, code(enrolled.secret, clock))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["session"]["user"]["email"] == EMAIL
    assert session_cookie(answer) and session_cookie(answer, "authjs.two-factor") == ""
    assert client.get("/api/auth/session").get_json()["user"]["email"] == EMAIL


def test_a_code_is_accepted_once(app: Flask, enrolled: Enrolled, clock: FakeClock) -> None:
    value = code(enrolled.secret, clock)
    first, _ = first_factor(app)
    assert second(first, value).status_code == 200
    replay, _ = first_factor(app)
    answer = second(replay, value)
    assert answer.status_code == 401 and answer.get_json()["error"] == "InvalidCode"
    # An earlier step's code is refused too, once a later one was used.
    assert second(replay, code(enrolled.secret, clock, -1)).status_code == 401
    assert replay.get("/api/auth/session").get_json() == {}


def test_one_step_of_drift_either_way_and_no_more(
    app: Flask, enrolled: Enrolled, clock: FakeClock
) -> None:
    client, _ = first_factor(app)
    assert second(client, code(enrolled.secret, clock, +2)).status_code == 401
    assert second(client, code(enrolled.secret, clock, +1)).status_code == 200
    clock.advance(3 * totp.PERIOD)
    client, _ = first_factor(app)
    assert second(client, code(enrolled.secret, clock, -2)).status_code == 401
    assert second(client, code(enrolled.secret, clock, -1)).status_code == 200


def test_a_recovery_code_works_once(app: Flask, enrolled: Enrolled) -> None:
    client, _ = first_factor(app)
    recovery = enrolled.recovery_codes[3]
    answer = second(client, recovery.upper())
    assert answer.status_code == 200
    again, _ = first_factor(app)
    assert second(again, recovery).status_code == 401
    adapter = app.extensions["authjs"].adapter
    assert adapter.count_recovery_codes(adapter.get_user_by_email(EMAIL)["id"]) == 9


def test_failed_codes_count_in_the_per_account_rate_limit(
    app: Flask, enrolled: Enrolled, clock: FakeClock
) -> None:
    client, _ = first_factor(app)
    for _ in range(4):
        assert second(client, "000000").status_code == 401
    limited = second(client, code(enrolled.secret, clock))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    # The same account's password sign-in is limited too: it is one budget.
    assert first_factor(app)[1].status_code == 429


def test_the_code_step_cannot_be_skipped(app: Flask, enrolled: Enrolled) -> None:
    # Without a pending cookie, the code page and the code post lead back to sign-in.
    stranger = app.test_client()
    assert stranger.get("/api/auth/two-factor").status_code == 302
    answer = second(stranger, "123456")
    assert answer.status_code == 401 and answer.get_json()["error"] == "TwoFactorExpired"
    # A forged pending cookie (a session token's signature) is no pending state either.
    stranger.set_cookie("authjs.two-factor", "eyJhbGciOiJIUzI1NiJ9.e30.x", domain="localhost")
    assert second(stranger, "123456").get_json()["error"] == "TwoFactorExpired"


def test_the_pending_state_expires(app: Flask, enrolled: Enrolled, clock: FakeClock) -> None:
    client, _ = first_factor(app)
    clock.advance(6 * 60)
    answer = second(client, code(enrolled.secret, clock))
    assert answer.status_code == 401 and answer.get_json()["error"] == "TwoFactorExpired"


def test_the_browser_flow_redirects_to_the_code_page(
    app: Flask, enrolled: Enrolled, clock: FakeClock
) -> None:
    client = app.test_client()
    token = client.get("/api/auth/csrf").get_json()["csrfToken"]
    answer = client.post(
        "/api/auth/callback/credentials",
        data={
            "csrfToken": token,
            "email": EMAIL,
            "password": PASSWORD,
            "callbackUrl": "/dashboard",
        },
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"http://localhost{TWO_FACTOR_PAGE}"
    page = client.get("/api/auth/two-factor")
    assert (
        b'name="code"' in page.data
        and "script-src 'self'" in page.headers["Content-Security-Policy"]
    )
    token = client.get("/api/auth/csrf").get_json()["csrfToken"]
    wrong = client.post("/api/auth/two-factor", data={"csrfToken": token, "code": "000000"})
    assert wrong.status_code == 401 and b"not valid" in wrong.data
    done = client.post(
        "/api/auth/two-factor", data={"csrfToken": token, "code": code(enrolled.secret, clock)}
    )
    assert done.status_code == 302 and done.headers["Location"] == "http://localhost/dashboard"


def test_the_code_post_needs_csrf(app: Flask, enrolled: Enrolled, clock: FakeClock) -> None:
    client, _ = first_factor(app)
    answer = client.post(
        "/api/auth/two-factor", data={"code": code(enrolled.secret, clock), "json": "true"}
    )
    assert answer.status_code == 403


def test_disabling_needs_a_fresh_code(app: Flask, enrolled: Enrolled, clock: FakeClock) -> None:
    client, _ = first_factor(app)
    second(client, code(enrolled.secret, clock))
    assert post_json_true(client, "/api/auth/two-factor/disable").status_code == 400
    assert post_json_true(client, "/api/auth/two-factor/disable", code="000000").status_code == 400
    clock.advance(totp.PERIOD)
    off = post_json_true(client, "/api/auth/two-factor/disable", code=code(enrolled.secret, clock))
    assert off.status_code == 200 and off.get_json()["enabled"] is False
    assert first_factor(app)[1].status_code == 200


def test_new_recovery_codes_need_a_fresh_code_and_replace_the_old(
    app: Flask, enrolled: Enrolled, clock: FakeClock
) -> None:
    client, _ = first_factor(app)
    second(client, enrolled.recovery_codes[0])
    assert (
        post_json_true(client, "/api/auth/two-factor/recovery-codes", code="nope").status_code
        == 400
    )
    fresh = post_json_true(
        client, "/api/auth/two-factor/recovery-codes", code=enrolled.recovery_codes[1]
    )
    new_codes = fresh.get_json()["recoveryCodes"]
    assert len(new_codes) == 10
    other, _ = first_factor(app)
    assert second(other, enrolled.recovery_codes[2]).status_code == 401
    assert second(other, new_codes[0]).status_code == 200


def test_turning_on_twice_is_refused(app: Flask, enrolled: Enrolled, clock: FakeClock) -> None:
    client, _ = first_factor(app)
    second(client, code(enrolled.secret, clock))
    answer = post_json_true(client, "/api/auth/two-factor/enable")
    assert answer.status_code == 409


def test_a_verified_passkey_satisfies_both_factors(
    app: Flask, enrolled: Enrolled, clock: FakeClock
) -> None:
    client, _ = first_factor(app)
    second(client, code(enrolled.secret, clock))
    device = SoftAuthenticator()
    assert register(client, device).status_code == 200
    answer = authenticate(app, device)
    assert answer.status_code == 200 and answer.get_json()["session"]["user"]["email"] == EMAIL


def test_a_passkey_without_user_verification_still_asks_for_a_code(
    app_factory: AppFactory, clock: FakeClock
) -> None:
    app = use_clock(
        app_factory(
            providers=[CredentialsProvider(), PasskeyProvider(user_verification="preferred")],
            TWO_FACTOR=True,
        ),
        clock,
    )
    context = app.extensions["authjs"]
    context.adapter.create_user(EMAIL, password_hash=context.password_hasher.hash(PASSWORD))
    client = app.test_client()
    sign_in(client, EMAIL, PASSWORD)
    enrolled = enrol(client, clock)
    device = SoftAuthenticator(user_verified=False)
    assert register(client, device).status_code == 200
    visitor = app.test_client()
    answer = post_credential(visitor, "authenticate", device.get(options(visitor, "authenticate")))
    assert answer.status_code == 401 and answer.get_json()["error"] == "TwoFactorRequired"
    clock.advance(totp.PERIOD)
    assert second(visitor, code(enrolled.secret, clock)).status_code == 200


def test_with_two_factor_off_in_settings_the_routes_refuse(app_factory: AppFactory) -> None:
    app = app_factory()
    client = app.test_client()
    sign_in(client)
    assert post_json_true(client, "/api/auth/two-factor/enable").status_code == 401
    assert client.get("/api/auth/two-factor").status_code == 302


def turn_on_two_factor(app: Flask, email: str) -> str:
    """2FA on for ``email`` straight in the store (as an enrolment leaves it); the secret."""
    context = app.extensions["authjs"]
    user = context.adapter.get_user_by_email(email)
    secret = totp.new_secret()
    sealed = secret_sealer(context).seal(secret, bound_to=user["id"])
    context.adapter.set_two_factor(user["id"], sealed, enabled=True)
    return secret


def test_an_oauth_sign_in_stops_at_the_code_step_too(app_factory: AppFactory) -> None:
    from flask_authjs import StubOAuthProvider
    from tests.oauth_flow import serving, stub_sign_in

    with serving(
        lambda origin: app_factory(
            URL=origin, providers=[StubOAuthProvider()], STUB_OAUTH=True, TWO_FACTOR=True
        )
    ) as app:
        client = app.test_client()
        assert stub_sign_in(client, "grace@example.com").status_code == 302  # first sign-in
        secret = turn_on_two_factor(app, "grace@example.com")
        again = app.test_client()
        answer = stub_sign_in(again, "grace@example.com")
        assert answer.status_code == 302
        assert answer.headers["Location"].endswith(TWO_FACTOR_PAGE)
        assert again.get("/api/auth/session").get_json() == {}
        done = second(again, totp.code_at(secret, int(app.extensions["authjs"].now()) // 30))
        assert done.status_code == 200
        assert done.get_json()["session"]["user"]["email"] == "grace@example.com"


def test_posting_the_credentials_callback_again_never_skips_the_step(
    app: Flask, enrolled: Enrolled
) -> None:
    client, _ = first_factor(app)
    again = sign_in(client, EMAIL, PASSWORD)
    assert again.status_code == 401 and again.get_json()["error"] == "TwoFactorRequired"
    assert client.get("/api/auth/session").get_json() == {}
    # A code posted to the credentials callback is just another (ignored) form field.
    with_code = sign_in(client, EMAIL, PASSWORD, code="123456")
    assert with_code.get_json()["error"] == "TwoFactorRequired"


def test_two_factor_without_the_extra_is_a_configuration_error(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from flask_authjs import ConfigurationError

    monkeypatch.setitem(sys.modules, "pyotp", None)  # as if not installed
    with pytest.raises(ConfigurationError, match=r"AUTHJS_TWO_FACTOR.*passkeys"):
        app_factory(TWO_FACTOR=True)


def test_an_app_without_passkeys_or_two_factor_never_loads_their_packages() -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from flask import Flask\n"
        "from flask_authjs import AuthJS, CredentialsProvider\n"
        "app = Flask('x'); app.config.update(TESTING=True, AUTHJS_URL='http://localhost')\n"
        "AuthJS(app, providers=[CredentialsProvider(lambda c, r: None)])\n"
        "client = app.test_client()\n"
        "assert client.get('/api/auth/signin').status_code == 200\n"
        "assert client.get('/api/auth/session').status_code == 200\n"
        "print(sorted(m for m in ('webauthn', 'pyotp', 'segno') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_database_sessions_start_only_after_the_code(
    app_factory: AppFactory, clock: FakeClock
) -> None:
    app = use_clock(
        app_factory(
            providers=[CredentialsProvider()], TWO_FACTOR=True, SESSION_STRATEGY="database"
        ),
        clock,
    )
    context = app.extensions["authjs"]
    user = context.adapter.create_user(EMAIL, password_hash=context.password_hasher.hash(PASSWORD))
    secret = turn_on_two_factor(app, EMAIL)
    client, answer = first_factor(app)
    assert answer.get_json()["error"] == "TwoFactorRequired"
    assert context.adapter.delete_user_sessions(user["id"]) == 0  # none was stored
    assert second(client, code(secret, clock)).status_code == 200
    assert client.get("/api/auth/session").get_json()["user"]["email"] == EMAIL
    assert context.adapter.delete_user_sessions(user["id"]) == 1
