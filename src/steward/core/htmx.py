"""One view, two templates: the full page normally, the partial when htmx asks (``HX-Request``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def render_htmx(
    request: HttpRequest, full: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    template = partial if is_htmx_partial(request) else full
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def htmx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    from django.shortcuts import redirect

    if getattr(request, "htmx", None):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
