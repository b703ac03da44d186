"""User profile, 2FA, balance and transactions, affiliate programme."""

from __future__ import annotations

import re
from typing import Any

from ..context import Ctx, Reply, handles, paginate
from ..domain import create_order, renew_amount, settle_order
from ..errors import ApiError, invalid
from ..keys import new_secret, totp_valid
from ..state import money

# Documented field names on PATCH /user, and the alternative names of its example body.
USER_FIELD_ALIASES = {"technical_email": "tech_email", "referral_code": "aff_hash", "uic": "company_number"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _user(ctx: Ctx) -> dict[str, Any]:
    account = ctx.account
    user = {k: v for k, v in account["user"].items() if k not in ("postal_code", "language_id")}
    user["2fa_enabled"] = account["twofa"]["enabled"]
    return user


@handles("user_get")
def user_get(ctx: Ctx) -> Any:
    return _user(ctx)


@handles("user_update")
def user_update(ctx: Ctx) -> Any:
    user = ctx.account["user"]
    body = dict(ctx.body)
    for documented, example_name in USER_FIELD_ALIASES.items():
        if documented in body:
            body[example_name] = body.pop(documented)
    errors: dict[str, list[str]] = {}
    if "tech_email" in body and (
        not isinstance(body["tech_email"], str) or not EMAIL.match(body["tech_email"])
    ):
        errors["technical_email"] = ["The technical email field must be a valid email address."]
    if "country_id" in body:
        country = ctx.state.catalog["countries"].get(str(body["country_id"]))
        if country is None:
            errors["country_id"] = ["The selected country id is invalid."]
        else:
            body["country"] = dict(country)
    if "aff_hash" in body and not (
        isinstance(body["aff_hash"], str) and re.fullmatch(r"[A-Za-z0-9]{4,20}", body["aff_hash"])
    ):
        errors["referral_code"] = ["The referral code must be 4 to 20 letters or digits."]
    if body.get("company") and not (body.get("company_name") or user.get("company_name")):
        errors["company_name"] = ["The company name field is required when company is true."]
    if errors:
        from ..validation import raise_validation

        raise_validation(errors)
    for key in (
        "address",
        "city",
        "postal_code",
        "phone_number",
        "tech_email",
        "aff_hash",
        "newsletter",
        "company_name",
        "company_address",
        "company_number",
        "vat_number",
        "email_otp_enabled",
        "country",
        "language_id",
    ):
        if key in body:
            user[key] = str(body[key]) if key == "company_number" else body[key]
    if body.get("company") is False:
        for key in ("company_name", "company_address", "company_number", "vat_number"):
            user[key] = ""
    ctx.state.dirty = True
    return _user(ctx)


@handles("user_2fa_get_secret")
def user_2fa_get_secret(ctx: Ctx) -> Any:
    twofa = ctx.account["twofa"]
    if not twofa.get("pending"):
        twofa["pending"] = new_secret(f"{ctx.account_name}:{ctx.now}")
        ctx.state.dirty = True
    secret = twofa["pending"]
    email = ctx.account["user"]["email"].replace("@", "%40")
    return {
        "secret_key": secret,
        "otp_auth_url": f"otpauth://totp/VPSBG:{email}?secret={secret}&issuer=VPSBG&algorithm=SHA1&digits=6&period=30",
    }


@handles("user_2fa_enable")
def user_2fa_enable(ctx: Ctx) -> Any:
    twofa = ctx.account["twofa"]
    if twofa["enabled"]:
        raise invalid("otp", "Two-factor authentication is already enabled.")
    secret = ctx.body["secret_key"]
    if secret != twofa.get("pending"):
        raise invalid("secret_key", "The secret key does not match the one issued by GET /user/2fa.")
    if not totp_valid(secret, ctx.body["otp"], ctx.now):
        raise invalid("otp", "The one-time password is invalid.")
    twofa.update(enabled=True, secret=secret, pending=None)
    ctx.state.dirty = True
    return None


@handles("user_2fa_disable")
def user_2fa_disable(ctx: Ctx) -> Any:
    twofa = ctx.account["twofa"]
    if not twofa["enabled"]:
        raise invalid("otp", "Two-factor authentication is not enabled.")
    otp = ctx.b("otp")
    if otp is None:
        raise invalid("otp", "The otp field is required.")
    if not totp_valid(twofa["secret"], otp, ctx.now):
        raise invalid("otp", "The one-time password is invalid.")
    twofa.update(enabled=False, secret=None)
    ctx.state.dirty = True
    return None


@handles("balance_get")
def balance_get(ctx: Ctx) -> Any:
    account = ctx.account
    servers = [
        s for s in ctx.state.owned("servers", ctx.account_name) if s["status"] in ("active", "suspended")
    ]
    monthly = sum(renew_amount(ctx.state, s) / max(s["billing_cycle"], 1) for s in servers) * 1.2
    expenses = round(monthly)
    return {
        "balance": money(account["balance"]),
        "balance_limit": account["balance_limit"],
        "estimated_expenses": expenses,
        "estimated_funds": round(account["balance"] / monthly, 1) if monthly else 0,
        "shortfall": max(round(expenses - account["balance"]), 0),
        "currency": "EUR",
        "has_valid_card": account["has_valid_card"],
        "last_deposit": account["last_deposit"],
        "unconfirmed_bitcoin_deposits": [],
    }


@handles("balance_deposit")
def balance_deposit(ctx: Ctx) -> Any:
    amount = ctx.b("amount")
    method = ctx.b("payment_method", "card")
    if amount is None:
        raise invalid("amount", "The amount field is required.")
    if amount < 5 or amount > 10000:
        raise invalid("amount", "The amount field must be between 5 and 10000.")
    if method not in ("card", "bank", "bitcoin", "bitcoin-ln"):
        raise invalid("payment_method", "The selected payment method is invalid.")
    line = {
        "label": "Balance deposit",
        "sublabel": None,
        "period_from": None,
        "period_to": None,
        "is_period_changeable": False,
        "service_id": None,
        "service_billing_cycle": None,
        "service_minimum_billing_cycle": None,
        "service_type": None,
        "amount": money(float(amount)),
        "amount_sublabel": "",
        "promo": None,
    }
    order = create_order(
        ctx.state, ctx.account_name, kind="deposit", lines=[line], now=ctx.now, payment_method=method
    )
    from .billing import charge

    if method == "card" and ctx.account["has_valid_card"]:
        charge(ctx, order, "card")
    from ..domain import render_order

    return Reply(201, render_order(ctx.state, order, ctx.now))


@handles("balance_transactions_list")
def balance_transactions_list(ctx: Ctx) -> Any:
    for order in ctx.state.owned("orders", ctx.account_name):
        settle_order(ctx.state, order, ctx.now)
    items = sorted(ctx.state.owned("transactions", ctx.account_name), key=lambda t: -t["id"])
    return paginate(ctx, items, lambda t: {k: v for k, v in t.items() if not k.startswith("_")})


def _affiliate(ctx: Ctx) -> dict[str, Any]:
    aff = ctx.account.get("affiliate")
    if not aff:
        raise ApiError(404, "The affiliate programme is not activated for this account.")
    return aff


@handles("affiliate_get")
def affiliate_get(ctx: Ctx) -> Any:
    return _affiliate(ctx)


@handles("affiliate_activate")
def affiliate_activate(ctx: Ctx) -> Any:
    if ctx.account.get("affiliate"):
        raise ApiError(422, "The affiliate programme is already active.", {"affiliate": ["Already active."]})
    code = ctx.account["user"]["aff_hash"]
    ctx.account["affiliate"] = {
        "referral_code": code,
        "referral_url": f"https://www.vpsbg.eu/aff/{code}",
        "referrals_turnover": 0,
        "commission": 5,
        "estimated_earnings": 0,
        "all_time_earnings": 0,
        "next_payout_in_days": 30,
    }
    ctx.state.dirty = True
    return ctx.account["affiliate"]


@handles("affiliate_update_referral_code")
def affiliate_update_referral_code(ctx: Ctx) -> Any:
    aff = _affiliate(ctx)
    code = ctx.body["referral_code"]
    if not re.fullmatch(r"[A-Za-z0-9_-]+", code):
        raise invalid(
            "referral_code", "The referral code may only contain letters, digits, dashes and underscores."
        )
    for name, other in ctx.state.data["accounts"].items():
        if name != ctx.account_name and (other.get("affiliate") or {}).get("referral_code") == code:
            raise invalid("referral_code", "The referral code has already been taken.")
    aff.update(referral_code=code, referral_url=f"https://www.vpsbg.eu/aff/{code}")
    ctx.state.dirty = True
    return aff


@handles("affiliate_conversions_list")
def affiliate_conversions_list(ctx: Ctx) -> Any:
    _affiliate(ctx)
    return paginate(ctx, list(reversed(ctx.account["conversions"])))


@handles("affiliate_payouts_list")
def affiliate_payouts_list(ctx: Ctx) -> Any:
    _affiliate(ctx)
    return paginate(ctx, list(reversed(ctx.account["payouts"])))
