"""TOTP codes, sealed secrets and recovery codes (flask_authjs.totp)."""

from __future__ import annotations

import base64

from flask_authjs import totp
from flask_authjs.sealing import TokenSealer

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_codes_match_the_rfc_6238_sha1_vectors() -> None:
    # RFC 6238 Appendix B (8 digits; a 6-digit code is its last six).
    for seconds, code in [(59, "94287082"), (1111111109, "07081804"), (2000000000, "69279037")]:
        assert totp.code_at(RFC_SECRET, seconds // totp.PERIOD) == code[-6:]


def test_a_code_matches_its_step_and_one_either_side_only() -> None:
    now = 1_800_000_000.0
    step = int(now) // 30
    assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step), now) == step
    assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step - 1), now) == step - 1
    assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step + 1), now) == step + 1
    assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step + 2), now) is None
    assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step - 2), now) is None


def test_malformed_codes_never_match() -> None:
    for code in ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5"]:
        assert totp.matching_step(RFC_SECRET, code, 1_800_000_000) is None


def sealer(*secrets: str) -> TokenSealer:
    return TokenSealer(list(secrets), totp.SEALING_PURPOSE)


def test_a_sealed_secret_opens_for_its_user_only() -> None:
    box = sealer("first-secret-long-enough-0123456789")
    sealed = box.seal("JBSWY3DPEHPK3PXP", bound_to="user-1")
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert box.open(sealed, bound_to="user-1") == "JBSWY3DPEHPK3PXP"
    assert box.open(sealed, bound_to="user-2") is None
    assert box.open(sealed) is None
    assert box.open(sealed[:-2] + "AA", bound_to="user-1") is None
    assert box.open("garbage", bound_to="user-1") is None
    assert sealer("another-secret-long-enough-01234567").open(sealed, bound_to="user-1") is None
    # The OAuth-token keys of the same secret are other keys: they open nothing of this.
    oauth = TokenSealer(["first-secret-long-enough-0123456789"])
    assert oauth.open(sealed, bound_to="user-1") is None


def test_a_rotated_secret_still_opens_what_the_old_one_sealed() -> None:
    sealed = sealer("old-secret-long-enough-0123456789ab").seal("JBSWY3DPEHPK3PXP", "u")
    rotated = sealer("new-secret-long-enough-0123456789ab", "old-secret-long-enough-0123456789ab")
    assert rotated.open(sealed, bound_to="u") == "JBSWY3DPEHPK3PXP"
    assert rotated.seal("X", "u").split(".")[2] != sealed.split(".")[2]


def test_recovery_codes_are_random_and_forgiving_to_type() -> None:
    codes = totp.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code) == 19 and code.count("-") == 3 for code in codes)
    code = codes[0]
    assert totp.recovery_code_hash("u", code) == totp.recovery_code_hash(
        "u", f" {code.upper().replace('-', ' ')} "
    )
    assert totp.recovery_code_hash("u", code) != totp.recovery_code_hash("v", code)


def test_the_provisioning_uri_names_the_issuer_and_account() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, account="ada@example.com", issuer="Example")
    assert uri.startswith("otpauth://totp/Example:ada%40example.com?")
    assert f"secret={RFC_SECRET}" in uri and "issuer=Example" in uri
