"""Template helpers of the web pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def ref(account_id: object, object_id: object) -> str:
    """`"<account>:<id>"`, the panel's reference to one object of one VPSBG account."""
    return f"{account_id}:{object_id}"
