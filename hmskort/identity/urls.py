from django.urls import path
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from hmskort.identity import testid, views

app_name = "identity"
urlpatterns = [
    # The relying party (the portal's login via ID-porten or TestID).
    path("logg-inn", views.login_view, name="login"),
    path("logg-ut", views.logout_view, name="logout"),
    path("logget-ut", views.logged_out, name="logged_out"),
    path("oidc/authenticate/", OIDCAuthenticationRequestView.as_view(), name="oidc_authenticate"),
    path("oidc/callback/", OIDCAuthenticationCallbackView.as_view(), name="oidc_callback"),
    # Who may act for whom.
    path("virksomheter", views.choose_company, name="choose_company"),
    path("virksomhet/<str:orgnr>/fullmakter", views.delegations, name="delegations"),
    path(
        "virksomhet/<str:orgnr>/fullmakter/<int:delegation_id>/trekk-tilbake",
        views.delegation_revoke,
        name="delegation_revoke",
    ),
    # The local TestID OpenID provider (demo and tests; off in production).
    path("testid/", testid.testid_login, name="testid"),
    path("testid/authorize/", testid.TestIdAuthorizationView.as_view(), name="testid_authorize"),
    path("testid/logout/", testid.TestIdLogoutView.as_view(), name="testid_logout"),
]
