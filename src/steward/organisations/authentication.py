"""``Authorization: Bearer stw_…`` authentication for the REST API."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions

from steward.organisations.services import authenticate_token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
        token = authenticate_token(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        user: Any = token.user
        user.steward_token = token  # the permission gate reads the token's organisation and scope
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
