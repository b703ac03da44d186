"""Handlers by API area; importing this package registers every one of them."""

from . import account, billing, network_protection, server_extras, servers, storage, support  # noqa: F401
