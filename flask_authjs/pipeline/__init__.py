"""The one sign-in pipeline every provider's sign-in goes through (see :mod:`.core`)."""

from __future__ import annotations

from .core import Attempt as Attempt
from .core import Gate as Gate
from .core import Halted as Halted
from .core import SignedIn as SignedIn
from .core import SignInPipeline as SignInPipeline
from .core import current_pipeline as current_pipeline

__all__ = ["Attempt", "Gate", "Halted", "SignInPipeline", "SignedIn", "current_pipeline"]
