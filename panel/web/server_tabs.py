"""The server page's tabs, and which tab offers each action behind a confirmation page.

One page with every section was over 5,000 px tall at desktop width and asked VPSBG for seven
things on each load. Split into tabs (`?tab=<name>`, plain links that htmx turns into a swap of the
panel), each tab reads only what it shows. The Danger zone comes last and is set apart in red: it
gathers what cannot be undone from the page (cancelling the server or an addon).
"""

from __future__ import annotations

__all__ = ["ACTION_PLACES", "DEFAULT_TAB", "RED_ACTIONS", "TABS", "tab_of"]

# (name in the URL, label): the order of the tab list.
TABS: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("graphs", "Graphs"),
    ("networking", "Networking"),
    ("snapshots", "Snapshots and backups"),
    ("power", "Power"),
    ("rescue", "Rescue and ISO"),
    ("rebuild", "Rebuild"),
    ("settings", "Settings"),
    ("activity", "Activity"),
    ("danger", "Danger zone"),
)
DEFAULT_TAB = "overview"

# Action slug (panel/web/views/server_actions.py): (tab, one line on what it does). A guard test
# keeps every action placed, so a new action cannot vanish from the page.
ACTION_PLACES: dict[str, tuple[str, str]] = {
    "reinstall": ("rebuild", "Erase the disk and install an image again."),
    "scale": ("rebuild", "Move the server to a bigger or smaller plan."),
    "restore": ("snapshots", "Put a snapshot or backup back on the disk."),
    "snapshot": ("snapshots", "Save the disk as it is now."),
    "delete-snapshot": ("snapshots", "Delete one snapshot."),
    "delete-backup": ("snapshots", "Delete one backup."),
    "rescue-on": ("rescue", "Boot a rescue system to repair the server's disk."),
    "rescue-off": ("rescue", "Boot the server's own system again."),
    "password": ("rescue", "Set a new root password."),
    "primary-ip": ("networking", "Make another of the server's addresses the primary one."),
    "attach-floating-ip": ("networking", "Route one of the account's floating IPs to this server."),
    "detach-floating-ip": ("networking", "Take a floating IP away from this server."),
    "renew": ("settings", "Pay for more months now."),
    "buy-addon": ("settings", "Add backups, cPanel, bandwidth or addresses."),
    "scale-addons": ("settings", "Change the number of licences."),
    "undo-cancel-addon": ("settings", "Keep an addon whose cancellation was requested."),
    "measured-boot": ("settings", "Turn measured boot on or off."),
    "cancel-addon": ("danger", "Stop an addon at the end of its period."),
    "cancel": ("danger", "VPSBG deletes the server and its data at the end of the paid period."),
    "undo-cancel": ("danger", "Keep the server: withdraw the cancellation."),
}

# Buttons drawn in red: what erases data or ends a service. (Paying actions also ask for the
# hostname, but a renewal is not a danger.)
RED_ACTIONS = frozenset(
    {"reinstall", "restore", "delete-snapshot", "delete-backup", "cancel-addon", "cancel"}
)


def tab_of(value: str | None) -> str:
    """The tab named in the request, or the overview for a missing or unknown name."""
    return value if value in dict(TABS) else DEFAULT_TAB
