from django.contrib.auth import views as auth_views
from django.urls import path

from steward.accounts import views
from steward.organisations import views as organisation_views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("organisation/<uuid:uid>/", views.switch_organisation, name="switch_organisation"),
    path("tokens/", views.TokenListView.as_view(), name="tokens"),
    path("members/", organisation_views.MembersView.as_view(), name="members"),
    path("members/<uuid:uid>/", organisation_views.MemberChangeView.as_view(), name="member_change"),
    path("tokens/<str:prefix>/revoke/", views.revoke_token_view, name="revoke_token"),
]
