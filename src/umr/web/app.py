"""The app factory, and the one exception handler that turns umr errors into HTTP answers.

JSON requests (``/api/...``, ``*.json``, ``?format=json``, ``Accept: application/json``) get
``{"error": {"status", "type", "message", "hint", "problems"}}``; pages get ``error.html``.
"""

from __future__ import annotations

import contextlib
import logging
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from umr import __version__
from umr.errors import (
    AuthError,
    ConflictError,
    CycleError,
    ForbiddenError,
    MissingExtraError,
    NotFoundError,
    RecordError,
    RegistryError,
    RenderError,
    UmrError,
)
from umr.web import api, feeds, pages
from umr.web.cache import DEFAULT_BYTES, ResponseCache
from umr.web.guard import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY, RequestGuard, write_routes
from umr.web.headers import SecurityHeaders
from umr.web.templating import STATIC, render

log = logging.getLogger("umr.web")

# Most specific first: ForbiddenError is an AuthError, every umr error a UmrError. Each error
# answers with its status and a stable code in the API's own terms (never a class name).
_STATUS: tuple[tuple[type[Exception] | tuple[type[Exception], ...], int, str], ...] = (
    (ForbiddenError, 403, "forbidden"),
    (AuthError, 401, "unauthorized"),
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    ((RecordError, CycleError), 422, "invalid"),
    (MissingExtraError, 501, "not_available"),
    (RegistryError, 503, "unavailable"),
    (RenderError, 500, "internal"),
    (UmrError, 400, "bad_request"),
)
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 415: "bad_media_type"}


def status_for(exc: Exception) -> int:
    """The HTTP status of an error (one mapping for the whole app): any exception that is not
    a UmrError is a fault of the server, never of the request (500)."""
    return next((status for kind, status, _ in _STATUS if isinstance(exc, kind)), 500)


def _code(exc: Exception) -> str:
    return next((code for kind, _, code in _STATUS if isinstance(exc, kind)), "internal")


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json") or path == "/openapi.json":
        return True
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


_HTTP_HINTS = {
    404: "check the address; find records with /search?q=WORDS, or see every endpoint at /api/docs",
    405: "this address does not take that method; see /api/docs for the methods each takes",
}


def error_body(status: int, exc: Exception) -> dict[str, Any]:
    """The one error shape. Only a UmrError's own text is shown (it speaks of the request,
    never of server files); anything else is an internal error, told in the server log."""
    problems: list[dict[str, object]] = []
    if isinstance(exc, StarletteHTTPException):
        kind = _HTTP_CODES.get(status, "bad_request" if status < 500 else "internal")
        message, hint = str(exc.detail), _HTTP_HINTS.get(status)
    elif isinstance(exc, UmrError) and not isinstance(exc, RegistryError | RenderError):
        message, kind, hint = exc.message, _code(exc), exc.hint
        problems = [p.to_dict() for p in getattr(exc, "problems", ())]
    elif isinstance(exc, RegistryError):  # it may name the server's files or hosts
        message, kind = "the registry cannot answer now; see the server log", _code(exc)
        hint = "try again later"
    else:
        message, kind, hint = "internal error; see the server log", "internal", None
    return {
        "error": {
            "status": status,
            "type": kind,
            "message": message,
            "hint": hint,
            "problems": problems,
        }
    }


async def handle_error(request: Request, exc: Exception) -> Response:
    """The one handler: umr errors, HTTP errors, validation errors and the unexpected."""
    if isinstance(exc, StarletteHTTPException):
        status = exc.status_code
    elif isinstance(exc, RequestValidationError):
        status = 422
        exc = RecordError("; ".join(_validation_text(e) for e in exc.errors()) or "bad request")
    else:
        status = status_for(exc)
    if status >= 500:
        log.exception("error serving %s", request.url.path, exc_info=exc)
    body = error_body(status, exc)
    headers = dict(exc.headers or {}) if isinstance(exc, StarletteHTTPException) else {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if wants_json(request):
        return JSONResponse(body, status_code=status, headers=headers)
    try:
        html = render(
            "error.html",
            here=request.url.path,
            error=body["error"],
            title="Error",
            demo=getattr(request.app.state, "demo", False),
        )
    except Exception:  # the error page itself must never fail
        log.exception("error page failed")
        return JSONResponse(body, status_code=status, headers=headers)
    return HTMLResponse(html, status_code=status, headers=headers)


def _validation_text(err: Any) -> str:
    loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
    return f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid"))


def create_app(
    registry_url: str,
    *,
    demo: bool = False,
    title: str = "umr",
    cache_bytes: int = DEFAULT_BYTES,
    base_url: str | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
) -> FastAPI:
    """The web app over the registry at ``registry_url``.

    With ``demo=True`` the bundled demo registry is loaded into it first when it is empty.
    Browsing is public; writes need a bearer token (see :mod:`umr.registry.tokens`), checked
    before the body is read; bodies are bounded by ``max_body`` bytes and ``body_timeout``
    seconds (see :mod:`umr.web.guard`). Absolute links (the feeds') start with ``base_url``
    when it is given, else with the request's own scheme and host. CORS stays closed: no
    cross-origin headers are sent. Answers are cached in memory, up to ``cache_bytes`` (0: no
    cache), until the registry changes (see :mod:`umr.web.cache`).
    """
    base_url = check_base_url(base_url)
    from umr.registry import Registry
    from umr.registry.tokens import TokenStore
    from umr.web.changes import change_counter

    registry = Registry(registry_url)  # the app's one registry, closed with its lifespan
    if demo:
        from umr.web.demo import ensure_loaded

        ensure_loaded(registry)
    registry.label = "this registry"
    counter = change_counter(registry.engine)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        counter.close()  # the server stops: hand back its connections
        registry.close()

    app = FastAPI(
        lifespan=lifespan,
        title=f"{title} registry API",
        version=__version__,
        description="Machine-readable model records: lineage, advisories, audit, formats.",
        docs_url=None,  # /api/docs is a page of ours (umr.web.pages): no CDN, within the CSP
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.registry = registry
    app.state.tokens = TokenStore.for_registry(registry)
    app.state.demo = demo
    app.state.base_url = base_url
    app.state.title = title
    app.state.max_body = max_body  # the body loader reads the same bound (web._http.json_body)
    app.add_exception_handler(Exception, handle_error)
    app.add_exception_handler(StarletteHTTPException, handle_error)
    app.add_exception_handler(RequestValidationError, handle_error)
    app.add_exception_handler(UmrError, handle_error)
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    if cache_bytes > 0:  # a hit skips the rest (its headers are kept)
        app.add_middleware(
            ResponseCache, counter=counter.read, max_bytes=cache_bytes, base_url=base_url
        )
    # outermost of ours: a refused request costs nothing else
    app.add_middleware(
        RequestGuard,
        verify=app.state.tokens.verify,
        writes=write_routes(api.router.routes),
        max_body=max_body,
        body_timeout=body_timeout,
    )
    return app


def check_base_url(base_url: str | None) -> str | None:
    """``base_url`` without a trailing slash, if it is a plain http(s) origin and path."""
    if not base_url:
        return None
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UmrError(
            f"base URL {base_url!r} is not an http(s) address without query or fragment",
            hint="e.g. --base-url https://models.example.org",
        )
    return base_url.rstrip("/")
