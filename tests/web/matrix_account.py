"""Permission-matrix rows of the account area's web pages, merged into `tests/permission_matrix.py`.

Import the shared builders from `tests.permission_matrix` (it imports this module at its end).
The account is a query parameter (`?account=`), so these rows have no URL kwargs; another team's
account answering 404 is tested in `tests/web/test_account_pages.py`.
"""

from __future__ import annotations

from tests.permission_matrix import KwargsBuilder, no_kwargs

URLS: dict[str, tuple[str, str | None, KwargsBuilder]] = {
    "web:account": ("GET", "user_get", no_kwargs),
    "web:account_profile": ("POST", "user_update", no_kwargs),
    "web:account_2fa_secret": ("POST", "user_2fa_get_secret", no_kwargs),
    "web:account_2fa_enable": ("POST", "user_2fa_enable", no_kwargs),
    "web:account_2fa_disable": ("POST", "user_2fa_disable", no_kwargs),
    "web:account_affiliate_activate": ("POST", "affiliate_activate", no_kwargs),
    "web:account_referral_code": ("POST", "affiliate_update_referral_code", no_kwargs),
}
