"""URLs of people and teams (namespace `accounts`); the project includes them at the root."""
from django.urls import path

from .views import signin, teams

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", signin.SignInView.as_view(), name="login"),
    path("accounts/logout/", signin.SignOutView.as_view(), name="logout"),
    path("accounts/2fa/verify/", signin.two_factor_verify, name="two_factor_verify"),
    path("accounts/2fa/setup/", signin.two_factor_setup, name="two_factor_setup"),
    path("accounts/2fa/recovery-codes/", signin.recovery_codes_regenerate, name="recovery_codes"),
    path("accounts/2fa/disable/", signin.two_factor_disable, name="two_factor_disable"),
    path("accounts/security/", signin.security, name="security"),
    path("accounts/sessions/sign-out-others/", signin.sign_out_others, name="sign_out_others"),
    path("accounts/time-zone/", signin.time_zone, name="time_zone"),
    path("accounts/password/change/", signin.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/reset/", signin.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", signin.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        signin.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("teams/", teams.teams, name="teams"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/switch/", teams.team_switch, name="team_switch"),
    path("team/", teams.team, name="team"),
    path("team/settings/", teams.team_settings, name="team_settings"),
    path("team/leave/", teams.team_leave, name="team_leave"),
    path("team/invitations/", teams.invitation_create, name="invitation_create"),
    path("team/invitations/<int:invitation_id>/revoke/", teams.invitation_revoke, name="invitation_revoke"),
    path("team/members/<int:membership_id>/role/", teams.member_role, name="member_role"),
    path("team/members/<int:membership_id>/servers/", teams.member_servers, name="member_servers"),
    path("team/members/<int:membership_id>/remove/", teams.member_remove, name="member_remove"),
    path("invitations/<str:token>/", teams.invitation_accept, name="invitation_accept"),
]
