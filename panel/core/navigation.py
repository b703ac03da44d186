"""The main navigation, by area. One list, so adding a page means adding its URL name here.

An entry whose URL name does not resolve (its page is not built yet) is shown disabled rather than
as a broken link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_names: tuple[str, ...]  # the first that resolves wins


AREAS: tuple[NavItem, ...] = (
    NavItem("Dashboard", ("web:dashboard",)),
    NavItem("Servers", ("web:servers", "web:server_list")),
    NavItem("Network", ("web:network",)),
    NavItem("Billing", ("web:billing",)),
    NavItem("Support", ("web:support", "web:tickets")),
    NavItem("Library", ("web:library",)),
    NavItem("Accounts", ("web:account", "web:accounts")),
    NavItem("Operations", ("operations:list",)),
    NavItem("Schedules", ("schedules:list",)),
    NavItem("Team", ("accounts:team",)),
    NavItem("Guardrails", ("guardrails:index",)),
    NavItem("Tokens", ("vault:token_list",)),
    NavItem("API tokens", ("api_tokens:list",)),
    NavItem("Audit", ("audit:index",)),
)


def _resolve(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def build_navigation(path: str) -> list[dict[str, object]]:
    urls = [(area.label, _resolve(area.url_names)) for area in AREAS]
    # The deepest matching URL wins, so /team/tokens/ marks "Tokens" and not "Team" as well.
    matches = [url for _, url in urls if url and (path == url or (url != "/" and path.startswith(url)))]
    current = max(matches, key=len, default=None)
    return [{"label": label, "url": url, "active": url is not None and url == current} for label, url in urls]
