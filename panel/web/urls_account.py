"""Web pages of the account area, merged into `panel/web/urls.py` (names live in the `web` namespace).

The VPSBG account is chosen with `?account=` on every page (the team's only account by default).
"""

from django.urls import URLPattern, path

from .views import account

urlpatterns: list[URLPattern] = [
    path("vpsbg-accounts/", account.account_index, name="account"),
    path("vpsbg-accounts/profile/", account.profile_edit, name="account_profile"),
    path("vpsbg-accounts/2fa/secret/", account.two_factor_secret, name="account_2fa_secret"),
    path("vpsbg-accounts/2fa/enable/", account.two_factor_enable, name="account_2fa_enable"),
    path("vpsbg-accounts/2fa/disable/", account.two_factor_disable, name="account_2fa_disable"),
    path("vpsbg-accounts/affiliate/activate/", account.affiliate_activate, name="account_affiliate_activate"),
    path(
        "vpsbg-accounts/affiliate/referral-code/", account.referral_code_update, name="account_referral_code"
    ),
]
