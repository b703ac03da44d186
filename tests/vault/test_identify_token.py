"""`identify_token` over real HTTP: which account a token opens, and every failure as a clear error."""
from __future__ import annotations

import pytest

from panel.services import tokens as token_services
from panel.vault.models import TokenScope


def test_a_valid_token_names_its_account(simulator):
    alpha = token_services.identify_token(simulator.tokens["alpha_rw"])
    alpha_ro = token_services.identify_token(simulator.tokens["alpha_ro"])
    beta = token_services.identify_token(simulator.tokens["beta_rw"])
    assert alpha == alpha_ro and alpha != beta
    assert alpha.account_id and alpha.account_label


def test_an_unknown_token_is_rejected(simulator):
    with pytest.raises(token_services.TokenRejected, match="VPSBG rejected this token"):
        token_services.identify_token("no-such-token")


@pytest.mark.parametrize(
    "fault,error,text",
    [
        ({"status": 503}, token_services.TokenCheckUnavailable, "VPSBG unavailable, try again"),
        ({"status": 500}, token_services.TokenCheckUnavailable, "VPSBG unavailable, try again"),
        ({"status": 429}, token_services.TokenCheckUnavailable, "VPSBG unavailable, try again"),
        ({"drop": True}, token_services.TokenCheckUnavailable, "VPSBG unavailable, try again"),
        ({"timeout": True}, token_services.TokenCheckUnavailable, "VPSBG unavailable, try again"),
        ({"malformed": True}, token_services.TokenCheckFailed, "could not check this token"),
    ],
    ids=["503", "500", "429", "dropped", "timeout", "malformed"],
)
def test_upstream_trouble_is_a_clear_error_without_the_secret(simulator, settings, fault, error, text):
    settings.VPSBG_API_TIMEOUT = 0.3 if fault.get("timeout") else 30.0  # only the hang should time out
    simulator.sim.faults.add(**fault)
    secret = simulator.tokens["alpha_rw"]
    with pytest.raises(error, match=text) as excinfo:
        token_services.identify_token(secret)
    assert secret not in excinfo.value.message
    assert excinfo.value.__cause__ is None  # nothing chained that could carry the request


def test_an_empty_or_spaced_secret_never_reaches_vpsbg(settings, free_port):
    settings.VPSBG_API_URL = f"http://127.0.0.1:{free_port}/v1"
    with pytest.raises(token_services.InvalidSecret):
        token_services.identify_token("   ")


def test_adding_a_token_while_vpsbg_hangs_waits_the_page_budget_not_the_operations_timeout(
    simulator, settings, owner
):
    settings.VPSBG_PAGE_TIMEOUT = 0.3
    settings.VPSBG_API_TIMEOUT = 30.0
    simulator.sim.faults.add(timeout=True)
    with pytest.raises(token_services.TokenCheckUnavailable, match="VPSBG unavailable, try again"):
        token_services.add_token(
            actor=owner, name="alpha", scope=TokenScope.READ_WRITE, secret=simulator.tokens["alpha_rw"]
        )
