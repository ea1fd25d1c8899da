from django.contrib.auth import views as auth_views
from django.urls import path

from steward.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("organisation/<uuid:uid>/", views.switch_organisation, name="switch_organisation"),
    path("tokens/", views.TokenListView.as_view(), name="tokens"),
    path("tokens/<str:prefix>/revoke/", views.revoke_token_view, name="revoke_token"),
]
