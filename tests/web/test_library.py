"""Library: one account's SSH keys, ISOs, images, plans and measured-boot images."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panel.accounts.roles import Role
from panel.audit.models import AuditEvent
from tests.web.conftest import ALPHA, BETA, UBUNTU

pytestmark = pytest.mark.django_db

URL = reverse("web:library")
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0ZXN0a2V5Zm9ydGhlcGFuZWx0ZXN0c29ubHk1 me@laptop"


def test_viewer_sees_every_section_and_no_forms(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200
    for heading in ("SSH keys", "ISOs", "Server images", "Plans", "Measured-boot images"):
        assert heading in body
    assert "deploy-ci" in body and "Ubuntu 22.04" in body and "cloud-vps-2gb" in body
    assert reverse("web:ssh_key_create") not in body and "Delete" not in body


def test_accounts_are_chosen_with_a_parameter(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    assert "Beta Hosting Ltd" in browser.get(URL, {"account": BETA}).content.decode()
    assert browser.get(URL, {"account": "nobody@example"}).status_code == 404


def test_add_ssh_key(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    response = browser.post(
        f"{reverse('web:ssh_key_create')}?account={ALPHA}", {"name": "laptop", "key": PUBLIC_KEY}, follow=True
    )
    body = response.content.decode()
    assert "SSH key added." in body and "laptop" in body
    assert AuditEvent.objects.filter(operation_id="ssh_keys_create", outcome="ok").exists()


def test_private_key_is_refused_next_to_the_field(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    response = browser.post(
        f"{reverse('web:ssh_key_create')}?account={ALPHA}",
        {"name": "oops", "key": "-----BEGIN OPENSSH PRIVATE KEY-----"},
    )
    assert response.status_code == 422
    assert "not an OpenSSH public key" in response.content.decode()
    assert not AuditEvent.objects.filter(operation_id="ssh_keys_create").exists()


def test_ssh_key_page_edit_and_delete(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    body = browser.get(URL, {"account": ALPHA}).content.decode()
    key_url = re.search(r'href="(/library/ssh-keys/[^"/]+/)"', body).group(1)
    ref = key_url.split("/")[3]
    page = browser.get(key_url).content.decode()
    assert "Fingerprint" in page
    response = browser.post(
        reverse("web:ssh_key_update", kwargs={"ref": ref}), {"name": "renamed", "key": PUBLIC_KEY}
    )
    assert response.status_code == 302
    assert "renamed" in browser.get(key_url).content.decode()
    confirm = browser.get(reverse("web:ssh_key_delete", kwargs={"ref": ref}))
    assert "deleted at VPSBG for good" in confirm.content.decode()
    response = browser.post(
        reverse("web:ssh_key_delete", kwargs={"ref": ref}), {"reason": "left the team"}, follow=True
    )
    assert "deleted." in response.content.decode()
    assert AuditEvent.objects.get(operation_id="ssh_keys_delete").reason == "left the team"


def test_viewer_may_not_add_keys(web_team, member_of) -> None:
    response = member_of(Role.VIEWER).post(f"{reverse('web:ssh_key_create')}?account={ALPHA}", {"name": "x"})
    assert response.status_code == 403


def test_add_and_delete_iso(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    response = browser.post(
        f"{reverse('web:iso_add')}?account={ALPHA}",
        {"name": "alpine.iso", "url": "https://dl.example.org/alpine.iso"},
        follow=True,
    )
    body = response.content.decode()
    assert "ISO added" in body and "alpine.iso" in body
    delete_url = re.findall(r'href="(/library/isos/[^"]+/delete/)"', body)[-1]
    response = browser.post(delete_url, {}, follow=True)
    assert "deleted." in response.content.decode()


def test_bad_iso_url_is_a_field_error(web_team, member_of) -> None:
    response = member_of(Role.OPERATOR).post(
        f"{reverse('web:iso_add')}?account={ALPHA}", {"name": "x", "url": "not a url"}
    )
    body = response.content.decode()
    assert response.status_code == 422 and "Enter a valid URL" in body and "must end with .iso" in body


def test_boot_image_upload_checks_the_file(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    bad = SimpleUploadedFile("kernel.txt", b"hello", content_type="text/plain")
    response = browser.post(f"{reverse('web:boot_image_upload')}?account={ALPHA}", {"file": bad})
    assert response.status_code == 422 and "Choose an .efi file." in response.content.decode()
    good = SimpleUploadedFile("uki.efi", b"MZ" + b"\0" * 64, content_type="application/octet-stream")
    response = browser.post(
        f"{reverse('web:boot_image_upload')}?account={ALPHA}", {"file": good}, follow=True
    )
    assert "Boot image uploaded." in response.content.decode()


def test_plan_page_lists_addons_and_promo_codes(web_team, member_of) -> None:
    browser = member_of(Role.VIEWER)
    body = browser.get(URL, {"account": ALPHA}).content.decode()
    plan_url = re.search(r'href="(/library/plans/\d+/\?account=[^"]+)"', body).group(1).replace("&amp;", "&")
    response = browser.get(plan_url)
    page = response.content.decode()
    assert response.status_code == 200 and "Addons" in page and "Promo codes" in page
    assert browser.get(reverse("web:plan", kwargs={"plan_id": 999999}), {"account": ALPHA}).status_code == 404


def test_scoped_member_may_read_but_not_write(web_team, member_of) -> None:
    browser = member_of(Role.OPERATOR)
    browser.membership.server_scope = [UBUNTU]
    browser.membership.save()
    response = browser.post(
        f"{reverse('web:ssh_key_create')}?account={ALPHA}", {"name": "x", "key": PUBLIC_KEY}
    )
    assert response.status_code in (403, 422)
    assert "limited" in response.content.decode()


def test_upstream_trouble_is_per_section(web_team, simulator, member_of) -> None:
    simulator.sim.faults.add("isos_list", status=503)
    response = member_of(Role.VIEWER).get(URL, {"account": ALPHA})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Retry" in body and "deploy-ci" in body  # the other sections still show


def test_another_teams_key_is_404(web_team, other_team, member_of) -> None:
    outsider = member_of(Role.OWNER, other_team)
    assert outsider.get(reverse("web:ssh_key", kwargs={"ref": f"{ALPHA}:1"})).status_code == 404
