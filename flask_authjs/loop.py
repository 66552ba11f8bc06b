"""The loop detector: a sign-in page that sends people back to itself, found and broken.

The classic trap: ``pages={"sign_in": "/sign-in"}`` and the page at ``/sign-in`` calls
``signIn()`` with no provider, so ``GET {base}/signin?callbackUrl=/sign-in`` sends the user
back to ``/sign-in``, which calls ``signIn()`` again, forever. Its cousins: the sign-in view
behind ``login_required``, or an app rule that redirects every anonymous request (the
sign-in page's too) to the sign-in page.

At run time every redirect that answers a GET for ``{base}/signin`` or for the sign-in
page is looked at; one that leads back to the sign-in page is logged once (per page and
cause, per process) with the fix, raised as a :class:`RedirectLoopWarning` through
:mod:`warnings`, and replaced by the built-in sign-in form, so the person signs in
instead of bouncing (in debug the form shows the explanation too). The static cases are
found at the first request in debug and by ``flask authjs check``: see :func:`page_problems`.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter, RequestRedirect

from .actions.signin import render_sign_in_page
from .context import AuthContext
from .decorators import is_guarded
from .redirects import normalized_origin, same_origin_url
from .responses import to_response

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: How many ``callbackUrl``s nested inside each other the way out is looked for in.
MAX_NESTING = 5

SIGN_IN_WITHOUT_PROVIDER = "sign-in-without-provider"
GUARDED_SIGN_IN_PAGE = "guarded-sign-in-page"
SIGN_IN_PAGE_REDIRECTS_TO_ITSELF = "sign-in-page-redirects-to-itself"


class RedirectLoopWarning(UserWarning):
    """A redirect would send people back to the page they came from, again and again."""


@dataclass(frozen=True)
class Loop:
    page: str
    cause: str
    message: str


@dataclass(frozen=True)
class PageProblem:
    """One finding of the static checks: which page, what is wrong, how to fix it."""

    page: str
    path: str
    problem: str
    fix: str
    is_loop: bool

    def __str__(self) -> str:
        return f"pages[{self.page!r}] = {self.path!r}: {self.problem} Fix: {self.fix}"


class LoopDetector:
    """The run-time hooks of one app: inspect redirects, and run the static checks once."""

    def __init__(self, app: Flask, context: AuthContext) -> None:
        self.context = context
        self._reported: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._checked = False
        app.before_request(self.check_once)
        app.after_request(self.inspect)

    def inspect(self, response: Response) -> Response:
        if response.status_code not in REDIRECT_STATUSES or request.method not in ("GET", "HEAD"):
            return response
        page = self.context.pages.get("sign_in")
        location = response.headers.get("Location")
        if page is None or not location:
            return response
        origin = self._origin()
        if origin is None:
            return response
        loop = self._find_loop(page, location, origin)
        if loop is None:
            return response
        self._report(loop)
        debug = current_app.debug or self.context.settings.debug
        form = render_sign_in_page(
            self.context,
            callback_url=self._way_out(page, origin),
            error=request.args.get("error"),
            notice=f"flask-authjs, shown in debug mode only: {loop.message}" if debug else None,
        )
        return to_response(form)

    def check_once(self) -> None:
        """In debug, log the static problems at the first request (the routes exist by then)."""
        if self._checked:
            return
        with self._lock:
            if self._checked:
                return
            self._checked = True
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        if not (app.debug or self.context.settings.debug):
            return
        for problem in page_problems(app):
            app.logger.warning("flask-authjs: %s", problem)
            if problem.is_loop:
                warnings.warn(str(problem), RedirectLoopWarning, stacklevel=2)

    def _origin(self) -> str | None:
        return self.context.settings.origin or normalized_origin(request.host_url)

    def _find_loop(self, page: str, location: str, origin: str) -> Loop | None:
        page_path = path_of(page)
        sign_in_action = self.context.settings.base_path + "/signin"
        if not location.startswith(("/", "http://", "https://")):
            location = urljoin(request.path, location)
        target = same_origin_url(location, origin)
        if target is None:
            return None
        target_path = path_of(target)
        returns_to_page = target_path == page_path and (_callback_path(target, origin) == page_path)
        here = path_of(request.path)
        if here == path_of(sign_in_action) and returns_to_page:
            return self._loop(page_path, SIGN_IN_WITHOUT_PROVIDER)
        if here != page_path:
            return None
        unchanged = target_path == page_path and (
            urlsplit(target).query == request.query_string.decode("latin-1")
        )
        if returns_to_page or unchanged or target_path == path_of(sign_in_action):
            view = current_app.view_functions.get(request.endpoint or "")
            guarded = view is not None and is_guarded(view)
            return self._loop(
                page_path, GUARDED_SIGN_IN_PAGE if guarded else SIGN_IN_PAGE_REDIRECTS_TO_ITSELF
            )
        return None

    def _loop(self, page: str, cause: str) -> Loop:
        base = self.context.settings.base_path
        messages = {
            SIGN_IN_WITHOUT_PROVIDER: (
                f"redirect loop on the sign-in page {page}: {base}/signin was asked to send "
                f"the user back to {page} itself (callbackUrl={page}). That is what signIn() "
                f"with no provider does when the custom sign-in page calls it: {base}/signin "
                f'redirects to pages["sign_in"], which calls signIn() again. Fix: on {page}, '
                f'name the provider, signIn("credentials", {{...}}) (sign_in("credentials") '
                f"in a Flask view), or post the form to {base}/callback/credentials."
            ),
            GUARDED_SIGN_IN_PAGE: (
                f"redirect loop on the sign-in page {page}: its view is decorated with "
                f"@login_required, so a visitor without a session is redirected from the "
                f"sign-in page to the sign-in page. Fix: remove @login_required from the "
                f"view that serves {page}."
            ),
            SIGN_IN_PAGE_REDIRECTS_TO_ITSELF: (
                f"redirect loop on the sign-in page {page}: a visitor without a session is "
                f"redirected from {page} back to the sign-in page. Fix: let {page} render its "
                f"form for anonymous visitors (exempt it from any rule that requires a "
                f"session, and do not call sign_in() with no provider from it); the form "
                f"posts to {base}/callback/credentials."
            ),
        }
        ending = " flask-authjs showed the built-in sign-in form instead of redirecting again."
        return Loop(page, cause, messages[cause] + ending)

    def _report(self, loop: Loop) -> None:
        key = (loop.page, loop.cause)
        with self._lock:
            if key in self._reported:
                return
            self._reported.add(key)
        current_app.logger.warning("flask-authjs: %s", loop.message)
        warnings.warn(loop.message, RedirectLoopWarning, stacklevel=2)

    def _way_out(self, page: str, origin: str) -> str | None:
        """The first ``callbackUrl`` in the chain that is not the sign-in page itself."""
        raw: str | None = request.args.get("callbackUrl")
        for _ in range(MAX_NESTING):
            url = same_origin_url(raw, origin) if raw else None
            if url is None:
                return None
            if path_of(url) != path_of(page):
                return self.context.resolve_callback_url(raw)
            raw = _query_param(url, "callbackUrl")
        return None


def page_problems(app: Flask) -> list[PageProblem]:
    """The static checks: every page served by a route of the app, none of them a loop."""
    context: AuthContext = app.extensions["authjs"]
    base = context.settings.base_path
    adapter = app.url_map.bind(app.config.get("SERVER_NAME") or "localhost")
    problems: list[PageProblem] = []
    for name, page in context.pages.items():
        path = path_of(page)
        if path == base or path.startswith(base + "/"):
            problems.append(
                PageProblem(
                    name,
                    page,
                    f"it lies under AUTHJS_BASE_PATH ({base}), whose paths belong to "
                    f"flask-authjs's own routes: {base}/signin would redirect there and "
                    "the user would bounce between them.",
                    'serve the page from a path of its own, such as "/sign-in", or leave '
                    f"pages[{name!r}] unset to use the built-in page.",
                    is_loop=True,
                )
            )
            continue
        view = _view_at(app, adapter, path)
        if view is None:
            problems.append(
                PageProblem(
                    name,
                    page,
                    "no route of the app serves GET at this path, so people sent there get a 404.",
                    "register a view for it (routes added after AuthJS(app) count), or "
                    "correct the path.",
                    is_loop=False,
                )
            )
        elif name == "sign_in" and is_guarded(view):
            problems.append(
                PageProblem(
                    name,
                    page,
                    "its view is decorated with @login_required, so a visitor without a "
                    "session is redirected from the sign-in page to the sign-in page.",
                    "remove @login_required from that view: the sign-in page must be open "
                    "to people who are not signed in.",
                    is_loop=True,
                )
            )
    return problems


def _view_at(app: Flask, adapter: MapAdapter, path: str) -> Callable[..., Any] | None:
    try:
        endpoint, _ = adapter.match(path, method="GET")
    except RequestRedirect as moved:  # strict slashes: "/sign-in" served as "/sign-in/"
        return _view_at(app, adapter, urlsplit(moved.new_url).path)
    except HTTPException:
        return None
    return app.view_functions.get(str(endpoint))


def path_of(url: str) -> str:
    """The decoded path of a URL or path, without a trailing slash."""
    path = unquote(urlsplit(url).path)
    return path.rstrip("/") or "/"


def _query_param(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


def _callback_path(url: str, origin: str) -> str | None:
    callback = same_origin_url(_query_param(url, "callbackUrl"), origin)
    return path_of(callback) if callback else None
