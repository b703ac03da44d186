"""`{% provider_buttons next %}`: a "Sign in with …" link per configured identity provider."""
from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from panel.sso import providers

register = template.Library()


@register.inclusion_tag("sso/_provider_buttons.html")
def provider_buttons(next_url: str = "") -> dict[str, object]:
    start = reverse("sso:start")
    links = []
    for key, name in providers.choices():
        query = {"provider": key, **({"next": next_url} if next_url else {})}
        links.append({"key": key, "name": name, "url": f"{start}?{urlencode(query)}"})
    return {"links": links}
