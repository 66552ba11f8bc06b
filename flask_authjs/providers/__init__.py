"""Ways to sign in: credentials (email + password) and, in their own modules, OAuth."""

from __future__ import annotations

from .base import Provider as Provider
from .credentials import CredentialsProvider as CredentialsProvider

__all__ = ["CredentialsProvider", "Provider"]
