"""The TestID OpenID provider's plug-ins for django-oauth-toolkit.

TestID stands in for ID-porten in the demo and the tests: its ID token carries
`pid` (fødselsnummer/D-nummer) and `name` (from Folkeregisteret), as ID-porten's
does. Its only client is the portal on this same server (`testid_client_ensure`).
For every other application the API's rules apply unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from oauth2_provider.models import get_application_model

from hmskort.api.oauth import ApiClientScopes, ApiOAuth2Validator

TESTID_CLIENT_SCOPES = ["openid", "profile"]
_SECRET_CHECKED: set[str] = set()


def _is_testid_client(application) -> bool:
    return application is not None and application.client_id == settings.OIDC_RP_CLIENT_ID


class TestIdScopes(ApiClientScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if _is_testid_client(application):
            return list(TESTID_CLIENT_SCOPES)
        return super().get_available_scopes(application, request, *args, **kwargs)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        if _is_testid_client(application):
            return ["openid"]
        return super().get_default_scopes(application, request, *args, **kwargs)


class TestIdOAuth2Validator(ApiOAuth2Validator):
    oidc_claim_scope = {**ApiOAuth2Validator.oidc_claim_scope, "pid": "openid"}

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if _is_testid_client(client):
            return "openid" in scopes and set(scopes) <= set(TESTID_CLIENT_SCOPES)
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    def get_additional_claims(self, request):
        from hmskort.identity.access import pid_of

        user = request.user
        pid = pid_of(user)
        if not pid:
            return {}
        name = " ".join(p for p in (user.first_name, user.last_name) if p)
        return {"pid": pid, "name": name}


def testid_client_ensure(*, callback_url: str, post_logout_url: str):
    """The portal's registration at TestID, with this server's callback and
    post-logout addresses (the provider and the portal share one server, so
    whatever address the request came in on is the portal's too)."""
    application_model = get_application_model()
    app = application_model.objects.filter(client_id=settings.OIDC_RP_CLIENT_ID).first()
    if app is None:
        app = application_model(
            client_id=settings.OIDC_RP_CLIENT_ID,
            name="HMS-kort portal (TestID)",
            client_type=application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
            client_secret=settings.OIDC_RP_CLIENT_SECRET,
            algorithm=application_model.RS256_ALGORITHM,
            skip_authorization=True,
            redirect_uris=callback_url,
            post_logout_redirect_uris=post_logout_url,
        )
        app.full_clean()
        app.save()
        return app
    changed = []
    redirects = app.redirect_uris.split()
    if callback_url not in redirects:
        app.redirect_uris = " ".join([*redirects, callback_url])
        changed.append("redirect_uris")
    logouts = app.post_logout_redirect_uris.split()
    if post_logout_url not in logouts:
        app.post_logout_redirect_uris = " ".join([*logouts, post_logout_url])
        changed.append("post_logout_redirect_uris")
    # Checking the secret costs a password hash: once per process and stored hash.
    if app.client_secret not in _SECRET_CHECKED:
        if not check_password(settings.OIDC_RP_CLIENT_SECRET, app.client_secret):
            app.client_secret = settings.OIDC_RP_CLIENT_SECRET
            changed.append("client_secret")
        else:
            _SECRET_CHECKED.add(app.client_secret)
    if changed:
        app.save(update_fields=[*changed, "updated"])
    return app
