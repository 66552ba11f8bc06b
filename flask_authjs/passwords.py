"""Passwords: bcrypt hashes, a policy that refuses what bcrypt would mangle, constant work.

bcrypt 5 raises on passwords over 72 bytes and on malformed stored hashes; both are
handled here so that no caller can turn them into a 500 or an account-existence oracle.
When there is no user to check against, :meth:`PasswordHasher.verify_dummy` spends the
same bcrypt time on a hash of the configured cost.
"""

from __future__ import annotations

import bcrypt

MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_LENGTH = 8


def password_problem(password: str, *, for_new_password: bool = False) -> str | None:
    """Why bcrypt cannot take this password faithfully, or ``None`` if it can."""
    if "\x00" in password:
        return "Passwords must not contain NUL characters."
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return f"Passwords must be at most {MAX_PASSWORD_BYTES} bytes long (UTF-8)."
    if for_new_password and len(password) < MIN_PASSWORD_LENGTH:
        return f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long."
    return None


class PasswordHasher:
    def __init__(self, rounds: int = 12) -> None:
        self.rounds = rounds
        self._dummy_hash: bytes | None = None

    def hash(self, password: str) -> str:
        problem = password_problem(password)
        if problem:
            raise ValueError(problem)
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt(self.rounds)).decode()

    def verify(self, password: str, stored_hash: str | None) -> bool:
        """Constant-time check; a missing or malformed hash costs the same and fails."""
        if password_problem(password) or not stored_hash:
            self.verify_dummy(password)
            return False
        try:
            return bcrypt.checkpw(password.encode(), stored_hash.encode())
        except ValueError:
            self.verify_dummy(password)
            return False

    def verify_dummy(self, password: str) -> None:
        if self._dummy_hash is None:
            self._dummy_hash = bcrypt.hashpw(b"dummy password", bcrypt.gensalt(self.rounds))
        candidate = password.encode()[:MAX_PASSWORD_BYTES].replace(b"\x00", b"")
        bcrypt.checkpw(candidate, self._dummy_hash)

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether the stored hash was made at another cost than the configured one."""
        parts = stored_hash.split("$")
        return len(parts) < 4 or not parts[2].isdigit() or int(parts[2]) != self.rounds
