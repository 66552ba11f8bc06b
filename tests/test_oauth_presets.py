"""The GitHub and Google presets: plain OAuthProvider configurations and their profiles."""

from __future__ import annotations

from typing import Any

import pytest

from flask_authjs import GitHubProvider, GoogleProvider, OAuthProvider
from flask_authjs.providers.presets import github_profile, google_profile, primary_verified_email


def test_presets_are_oauth_providers_with_overridable_settings() -> None:
    github = GitHubProvider("id", "secret", scope="read:user")
    google = GoogleProvider("id", "secret", id="google-work", name="Google (work)")

    assert isinstance(github, OAuthProvider) and github.scope == "read:user"
    assert (google.id, google.name) == ("google-work", "Google (work)")
    assert github.checks == ("state", "pkce")
    assert "nonce" in google.checks and google.id_token_validator is not None


def test_github_profile_falls_back_to_the_login_for_the_name() -> None:
    raw = {"id": 42, "login": "octocat", "name": None, "email": None, "avatar_url": "https://a/x"}

    assert github_profile(raw, {}) == {
        "id": 42,
        "name": "octocat",
        "email": None,
        "image": "https://a/x",
    }


@pytest.mark.parametrize(
    ("emails", "expected"),
    [
        (
            [
                {"email": "old@example.com", "primary": False, "verified": True},
                {"email": "main@example.com", "primary": True, "verified": True},
            ],
            "main@example.com",
        ),
        ([{"email": "main@example.com", "primary": True, "verified": False}], None),
        ({"message": "Bad credentials"}, None),
        ([], None),
    ],
)
def test_github_uses_the_primary_verified_email(emails: Any, expected: str | None) -> None:
    assert primary_verified_email(emails) == expected


@pytest.mark.parametrize(("verified", "email"), [(True, "a@example.com"), (False, None)])
def test_google_keeps_only_a_verified_email(verified: bool, email: str | None) -> None:
    raw = {"sub": "1", "email": "a@example.com", "email_verified": verified, "name": "A"}

    assert google_profile(raw, {})["email"] == email


@pytest.mark.parametrize(
    "settings",
    [
        {"checks": ()},
        {"checks": ("nonce",)},
        {"checks": ("state", "magic")},
        {"checks": ("state", "nonce")},
        {"userinfo_url": None},
        {"token_auth_method": "private_key_jwt"},
    ],
)
def test_an_impossible_configuration_is_refused_at_once(settings: dict[str, Any]) -> None:
    options: dict[str, Any] = {
        "id": "x",
        "name": "X",
        "client_id": "c",
        "client_secret": "s",
        "authorization_url": "https://x/a",
        "token_url": "https://x/t",
        "userinfo_url": "https://x/u",
        **settings,
    }
    with pytest.raises(ValueError):
        OAuthProvider(**options)
