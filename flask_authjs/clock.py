"""The one clock: seconds since the epoch, read through ``AuthContext.now()``.

Every decision about expiry (sessions, check cookies, rate-limit windows, provider token
lifetimes, the stub's codes) takes ``now`` from the app's context, never from
``time.time()`` directly, so a test that replaces ``context.clock`` moves all of them
together and nothing expires on a different idea of the time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]

#: The real time; the default of every clock.
system_clock: Clock = time.time
