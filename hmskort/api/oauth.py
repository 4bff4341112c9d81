"""django-oauth-toolkit plug-ins: a client gets exactly its own level's scope,
and only while an approved, active `ApiClient` stands behind its application.

A gate reader (an ApiClient with a `sites.GateReader`) gets only the gate scope,
whatever the level stored on its ApiClient. `client_scopes` is the one rule;
`hmskort.api.auth` applies it again to every token it accepts, so a token issued
before the rule (or by `api_token_issue` with the client's level scope) cannot
do more than the client may do now.
"""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.settings import oauth2_settings

from hmskort.api.oauth_settings import SCOPE_GATE


def client_scopes(*, level: str, gate_reader: bool) -> frozenset[str]:
    """The scopes an active client may hold: a gate reader only the gate scope
    (never its level's), any other client its level's scope."""
    if gate_reader:
        return frozenset({SCOPE_GATE})
    from hmskort.api.models import SCOPE_BY_LEVEL

    scope = SCOPE_BY_LEVEL.get(level)
    return frozenset({scope}) if scope else frozenset()


def _client_scopes(application) -> list[str]:
    if application is None:
        return []
    from hmskort.api.models import ApiClient

    row = (
        ApiClient.objects.filter(application_id=application.pk, active=True)
        .values_list("level", "gate_reader__id")
        .first()
    )
    if row is None:
        return []
    level, reader_id = row
    return sorted(client_scopes(level=level, gate_reader=reader_id is not None))


class ApiClientScopes(BaseScopes):
    def get_all_scopes(self):
        return oauth2_settings.SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)


class ApiOAuth2Validator(OAuth2Validator):
    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        """Only an approved client gets a token, and only for its own scope (its
        level's; a gate reader's: the gate scope). An application without an
        ApiClient gets none, not even an empty scope."""
        allowed = set(_client_scopes(client))
        return bool(allowed) and bool(scopes) and set(scopes) <= allowed
