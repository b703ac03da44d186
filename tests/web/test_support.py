"""Support: tickets (list, filter, open, read, reply, resolve, attachments) and support plans."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panel.accounts.roles import Role
from panel.actions import support as support_actions
from panel.audit.models import AuditEvent
from panel.web import support_forms
from panel.web.views.support import plain_text
from tests.web.conftest import ALPHA, BETA

pytestmark = pytest.mark.django_db

URL = reverse("web:support")
TICKET = f"{ALPHA}:216"  # answered, with an attachment (id 5)
RESOLVED = f"{ALPHA}:217"
BETA_TICKET = f"{BETA}:218"


def ticket_url(name: str = "ticket", ref: str = TICKET) -> str:
    return reverse(f"web:{name}", kwargs={"ref": ref})


def new_ticket_url(account: str = ALPHA) -> str:
    return f"{reverse('web:ticket_create')}?account={account}"


def audit(operation_id: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(operation_id=operation_id))


# -- the index -----------------------------------------------------------------------------------
def test_viewer_sees_tickets_and_plans_but_no_actions(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Server misbehaves" in body and "Invoice question" in body
    assert "Technical support" in body and "web-01.alpha.example" in body  # department, service
    assert "Reverse DNS for beta-web" not in body  # the other account's ticket
    assert "Professional" in body and "Enterprise" in body and "Active" in body
    assert reverse("web:ticket_create") not in body
    assert "Buy…" not in body and "Renew…" not in body and "Cancel…" not in body


def test_accounts_are_chosen_with_a_parameter(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    assert "Reverse DNS for beta-web" in browser.get(URL, {"account": BETA}).content.decode()
    assert browser.get(URL, {"account": "nobody@example"}).status_code == 404


def test_status_filter(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    body = browser.get(URL, {"account": ALPHA, "status": "closed"}).content.decode()
    assert "Invoice question" in body and "Server misbehaves" not in body
    body = browser.get(URL, {"account": ALPHA, "status": "open"}).content.decode()
    assert "Server misbehaves" in body and "Invoice question" not in body
    body = browser.get(URL, {"account": ALPHA, "status": "nonsense"}).content.decode()
    assert "Server misbehaves" in body and "Invoice question" in body  # bad value: everything


def test_htmx_filter_answers_only_the_tickets(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(
        URL, {"account": ALPHA, "status": "closed"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="tickets"')
    assert "Support plans" not in body and "HX-Request" in response["Vary"]


def test_paging_links_when_there_are_many_tickets(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    for n in range(26):
        response = browser.post(
            new_ticket_url(), {"department_id": "1", "subject": f"Question {n}", "message": "Hello there"}
        )
        assert response.status_code == 302
    body = browser.get(URL, {"account": ALPHA}).content.decode()
    assert "28 tickets" in body and 'aria-label="Ticket pages"' in body
    second = browser.get(URL, {"account": ALPHA, "page": "2"}).content.decode()
    assert second.count("/support/tickets/ops@alpha.example:") == 3


def test_operator_and_billing_see_their_actions(web_team, member_of) -> None:
    operator = member_of(Role.OPERATOR).get(URL, {"account": ALPHA}).content.decode()
    assert reverse("web:ticket_create") in operator and "Buy…" not in operator
    billing = member_of(Role.BILLING).get(URL, {"account": ALPHA}).content.decode()
    assert "Buy…" in billing and "Renew…" in billing and "Cancel…" in billing
    assert "Undo the cancellation" in billing and reverse("web:ticket_create") not in billing


def test_sections_fail_on_their_own(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("support_tickets_list", status=500)
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Retry" in body and "Professional" in body and "Server misbehaves" not in body


def test_plans_fail_on_their_own(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("support_plans_list", status=503)
    body = member_of(Role.VIEWER).get(URL, {"account": ALPHA}).content.decode()
    assert "Retry" in body and "Server misbehaves" in body


# -- a new ticket ----------------------------------------------------------------------------------
def test_new_ticket_form_lists_departments_and_services(web_team, member_of) -> None:
    body = member_of(Role.OPERATOR).get(new_ticket_url()).content.decode()
    assert "Technical support" in body and "Abuse" in body
    assert "web-01.alpha.example" in body and 'value="server:2865"' in body
    assert "multiple" in body and "10.0" in body and "5 files" in body  # the limits are said


def test_open_a_ticket_with_attachments(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    files = [
        SimpleUploadedFile("log.txt", b"kernel: oops", content_type="text/plain"),
        SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"),
    ]
    response = browser.post(
        new_ticket_url(),
        {
            "department_id": "2",
            "service": "server:2865",
            "subject": "Disk is slow",
            "message": "Since 02:00 <the disk> is slow.\nPlease check.",
            "attachments": files,
            "reason": "customer complaint",
        },
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "opened" in body
    assert "Disk is slow" in body and "Since 02:00 &lt;the disk&gt; is slow." in body
    assert "log.txt" in body and "shot.png" in body and "web-01.alpha.example" in body
    events = audit("support_tickets_create")
    assert len(events) == 1 and events[0].outcome == "ok" and events[0].reason == "customer complaint"


def test_bad_ticket_keeps_what_was_typed(web_team, member_of) -> None:
    response = member_of(Role.OPERATOR).post(
        new_ticket_url(), {"department_id": "2", "subject": "Hi", "message": "A long enough message"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "at least 3 characters" in body and "A long enough message" in body
    assert not audit("support_tickets_create")


def test_too_big_attachment_is_refused_next_to_the_field(web_team, member_of, monkeypatch) -> None:
    monkeypatch.setattr(support_actions, "MAX_ATTACHMENT_BYTES", 10)  # the input type's rule
    big = SimpleUploadedFile("dump.txt", b"x" * 11, content_type="text/plain")
    response = member_of(Role.OPERATOR).post(
        new_ticket_url(),
        {"department_id": "2", "subject": "Big file", "message": "See the dump", "attachments": [big]},
    )
    body = response.content.decode()
    assert response.status_code == 422 and "“dump.txt” is 11" in body and "Big file" in body
    assert not audit("support_tickets_create")


def test_vpsbg_field_errors_go_next_to_the_fields(web_team, member_of) -> None:
    exe = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/x-msdownload")
    response = member_of(Role.OPERATOR).post(
        new_ticket_url(),
        {"department_id": "2", "subject": "A tool", "message": "Please run it", "attachments": [exe]},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "must be an image, PDF, text or zip file" in body and "A tool" in body
    (event,) = audit("support_tickets_create")
    assert event.outcome != "ok"


def test_new_ticket_without_departments_shows_a_retry(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("support_departments_list", status=500)
    response = member_of(Role.OPERATOR).get(new_ticket_url())
    assert response.status_code < 500 and "Retry" in response.content.decode()


def test_upstream_failure_on_create_keeps_the_form(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("support_tickets_create", status=500)
    response = member_of(Role.OPERATOR).post(
        new_ticket_url(), {"department_id": "2", "subject": "Down", "message": "Everything is down"}
    )
    body = response.content.decode()
    assert 400 <= response.status_code < 500 and "Everything is down" in body
    assert "Traceback" not in body


def test_viewer_may_not_open_tickets(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).post(
        new_ticket_url(), {"department_id": "2", "subject": "Nope", "message": "Not allowed"}
    )
    assert response.status_code == 403


def test_scoped_member_may_still_talk_to_support(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    browser.membership.server_scope = [f"{ALPHA}:2864"]
    browser.membership.save()
    form = browser.get(new_ticket_url()).content.decode()
    assert 'value="server:2864"' in form and "web-01.alpha.example" not in form
    response = browser.post(
        new_ticket_url(), {"department_id": "2", "subject": "Scoped", "message": "Scoped member here"}
    )
    assert response.status_code == 302
    assert len(audit("support_tickets_create")) == 1


# -- one ticket ------------------------------------------------------------------------------------
def test_ticket_thread_oldest_first_with_authors_and_attachment_links(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(ticket_url())
    body = response.content.decode()
    assert response.status_code == 200
    first = body.index("stops answering every night")
    second = body.index("DDoS mitigation event")
    assert first < second
    assert "You (the account)" in body and "VPSBG support" in body
    assert reverse("web:ticket_attachment", kwargs={"ref": TICKET, "attachment_id": 5}) in body
    assert "first_attachment.png" in body
    assert ticket_url("ticket_reply") not in body and "Mark resolved" not in body  # a viewer


def test_attachment_download_keeps_name_and_type(web_team, member_of) -> None:
    url = reverse("web:ticket_attachment", kwargs={"ref": TICKET, "attachment_id": 5})
    response = member_of(Role.VIEWER).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG")
    assert 'filename="first_attachment.png"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")


def test_attachment_upstream_failure_is_a_message(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("support_tickets_attachment_download", status=500)
    url = reverse("web:ticket_attachment", kwargs={"ref": TICKET, "attachment_id": 5})
    response = member_of(Role.VIEWER).get(url, follow=True)
    assert response.status_code == 200 and "could not be downloaded" in response.content.decode()


def test_missing_attachment_is_404(web_team, member_of) -> None:
    url = reverse("web:ticket_attachment", kwargs={"ref": TICKET, "attachment_id": 999})
    assert member_of(Role.VIEWER).get(url).status_code == 404


def test_reply_with_an_attachment(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    upload = SimpleUploadedFile("trace.txt", b"traceroute", content_type="text/plain")
    response = browser.post(
        ticket_url("ticket_reply"),
        {"message": "Still happening tonight.", "attachments": [upload], "reason": "follow-up"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#latest")
    body = browser.get(response["Location"]).content.decode()
    assert body.index("DDoS mitigation event") < body.index("Still happening tonight.")
    assert "trace.txt" in body
    (event,) = audit("support_tickets_reply")
    assert event.outcome == "ok" and event.reason == "follow-up"


def test_short_reply_is_a_field_error(web_team, member_of) -> None:
    response = member_of(Role.OPERATOR).post(ticket_url("ticket_reply"), {"message": "ok"})
    body = response.content.decode()
    assert response.status_code == 422 and "at least 5 characters" in body
    assert "stops answering every night" in body  # the thread is still there
    assert not audit("support_tickets_reply")


def test_reply_upstream_failure_keeps_the_text(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("support_tickets_reply", status=502)
    response = member_of(Role.OPERATOR).post(ticket_url("ticket_reply"), {"message": "Any news on this?"})
    assert 400 <= response.status_code < 500 and "Any news on this?" in response.content.decode()


def test_ticket_upstream_failure_is_a_retry(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("support_tickets_get", status=500)
    response = member_of(Role.VIEWER).get(ticket_url())
    assert response.status_code == 200 and "Retry" in response.content.decode()


def test_resolve_asks_for_the_ticket_number(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    assert "Mark resolved" in browser.get(ticket_url()).content.decode()
    page = browser.get(ticket_url("ticket_resolve"))
    assert page.status_code == 200 and "Type “216”" in page.content.decode()
    wrong = browser.post(ticket_url("ticket_resolve"), {"confirm": "217"})
    assert wrong.status_code == 422 and "Type it exactly" in wrong.content.decode()
    assert not audit("support_tickets_resolve")
    response = browser.post(ticket_url("ticket_resolve"), {"confirm": "#216", "reason": "fixed"}, follow=True)
    body = response.content.decode()
    assert "marked resolved" in body and "Resolved" in body
    (event,) = audit("support_tickets_resolve")
    assert event.outcome == "ok" and event.reason == "fixed"


def test_resolved_ticket_is_not_offered_again(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    assert "Mark resolved…" not in browser.get(ticket_url(ref=RESOLVED)).content.decode()
    assert "already resolved" in browser.get(ticket_url("ticket_resolve", RESOLVED)).content.decode()


def test_another_accounts_or_teams_ticket_is_404(web_team, other_team, member_of) -> None:
    outsider = member_of(Role.OWNER, other_team)
    assert outsider.get(ticket_url()).status_code == 404
    assert outsider.post(ticket_url("ticket_reply"), {"message": "hello there"}).status_code == 404
    url = reverse("web:ticket_attachment", kwargs={"ref": TICKET, "attachment_id": 5})
    assert outsider.get(url).status_code == 404
    insider = member_of(Role.VIEWER)
    assert insider.get(ticket_url(ref=f"{ALPHA}:218")).status_code == 404  # beta's ticket under alpha
    assert insider.get(ticket_url(ref="not-a-ref")).status_code == 404


# -- support plans ---------------------------------------------------------------------------------
def plan_url(name: str, account: str = ALPHA, **kwargs: str) -> str:
    return f"{reverse(f'web:support_plan_{name}', kwargs=kwargs or None)}?account={account}"


def test_purchase_shows_the_price_per_period_then_orders(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    page = browser.get(plan_url("purchase", plan="enterprise"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "60.00" in body and "3 months — 180.00 with VAT (150.00 without)" in body
    assert "Type “Enterprise”" in body and "balance now: 2492.06" in body
    key = re.search(r'name="request_key" value="([^"]+)"', body).group(1)
    data = {"billing_cycle": "3", "confirm": "enterprise", "request_key": key, "reason": "SLA"}
    response = browser.post(plan_url("purchase", plan="enterprise"), data)
    assert response.status_code == 302 and "/billing/orders/" in response["Location"]
    (event,) = audit("support_plans_purchase")
    assert event.outcome == "ok" and event.reason == "SLA"
    again = browser.post(plan_url("purchase", plan="enterprise"), data)  # a double submit
    assert again.status_code == 302 and len(audit("support_plans_purchase")) == 1


def test_purchase_needs_the_plan_name(web_team, member_of) -> None:
    response = member_of(Role.BILLING).post(
        plan_url("purchase", plan="enterprise"), {"billing_cycle": "1", "confirm": "Pro"}
    )
    assert response.status_code == 422 and "Type it exactly" in response.content.decode()
    assert not audit("support_plans_purchase")


def test_purchase_of_an_unknown_plan_is_404(web_team, member_of) -> None:
    assert member_of(Role.BILLING).get(plan_url("purchase", plan="gold")).status_code == 404


def test_purchase_upstream_failure(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("support_plans_purchase", status=500)
    response = member_of(Role.BILLING).post(
        plan_url("purchase", plan="enterprise"), {"billing_cycle": "1", "confirm": "Enterprise"}
    )
    assert 400 <= response.status_code < 500 and "Retry" not in response.content.decode()
    assert "Buy and create the order" in response.content.decode()


def test_renew_the_active_plan(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    body = browser.get(plan_url("renew")).content.decode()
    assert "Professional" in body and "12 months — 216.00 with VAT" in body
    response = browser.post(plan_url("renew"), {"billing_cycle": "12", "confirm": "Professional"})
    assert response.status_code == 302 and "/billing/orders/" in response["Location"]
    (event,) = audit("support_plans_renew")
    assert event.outcome == "ok"


def test_renew_without_a_plan_says_so(web_team, member_of) -> None:
    response = member_of(Role.BILLING).get(plan_url("renew", BETA))
    assert response.status_code == 200 and "nothing to renew" in response.content.decode()


def test_plans_upstream_failure_on_the_confirmation(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("support_plans_list", status=500)
    response = member_of(Role.BILLING).get(plan_url("renew"))
    assert response.status_code == 200 and "Retry" in response.content.decode()


def test_cancel_then_undo(web_team, member_of) -> None:
    browser = member_of(Role.BILLING)
    page = browser.get(plan_url("cancel")).content.decode()
    assert "At the end of the paid period" in page and "Type “Professional”" in page
    response = browser.post(
        plan_url("cancel"), {"when": "end", "confirm": "Professional", "reason": "too dear"}, follow=True
    )
    assert "cancelled at the end of its paid period" in response.content.decode()
    (event,) = audit("support_plans_cancel")
    assert event.outcome == "ok"
    response = browser.post(plan_url("undo_cancel"), {"reason": "changed our mind"}, follow=True)
    assert "cancellation is withdrawn" in response.content.decode()
    (event,) = audit("support_plans_undo_cancel")
    assert event.outcome == "ok" and event.reason == "changed our mind"


def test_undo_without_a_cancellation_is_a_message(web_team, member_of) -> None:
    response = member_of(Role.BILLING).post(plan_url("undo_cancel"), {}, follow=True)
    assert response.status_code == 200 and "was not withdrawn" in response.content.decode()


def test_cancel_now_needs_the_name(web_team, member_of) -> None:
    response = member_of(Role.BILLING).post(plan_url("cancel"), {"when": "now", "confirm": "nope"})
    assert response.status_code == 422 and "Type it exactly" in response.content.decode()
    assert not audit("support_plans_cancel")


def test_operator_may_not_buy_plans(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    assert browser.get(plan_url("purchase", plan="enterprise")).status_code == 403
    assert browser.post(plan_url("undo_cancel")).status_code == 403


# -- helpers ----------------------------------------------------------------------------------------
def test_plain_text_never_keeps_html() -> None:
    html = "<p>Hello &amp; <b>bye</b></p><p>2<br>3</p><script>x</script>"
    assert plain_text(html) == "Hello & bye\n2\n3\nx"
    assert support_forms.text_to_html("a < b\n\nc") == "<p>a &lt; b</p>\n\n<p>c</p>"
