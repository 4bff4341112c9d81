"""django-oauth-toolkit plug-ins: a client gets exactly its own level's scope,
and only while an approved, active `ApiClient` stands behind its application."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.settings import oauth2_settings


def _client_scopes(application) -> list[str]:
    if application is None:
        return []
    from hmskort.api.models import ApiClient

    client = ApiClient.objects.filter(application_id=application.pk, active=True).first()
    return [client.scope] if client is not None else []


class ApiClientScopes(BaseScopes):
    def get_all_scopes(self):
        return oauth2_settings.SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)


class ApiOAuth2Validator(OAuth2Validator):
    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        """Only an approved client gets a token, and only for its own level's
        scope (an application without an ApiClient gets none, not even an empty scope)."""
        allowed = set(_client_scopes(client))
        return bool(allowed) and bool(scopes) and set(scopes) <= allowed
