"""Client of the VPSBG v1 API (https://api.vpsbg.eu/v1), driven by the shipped reference.

Standalone on purpose: no Django import anywhere in this package, so it can be used (and
tested) on its own. `vpsbg_api.simulator` is a stateful stand-in for the API.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .calls import PendingCall, call, operation_id_of
from .client import DEFAULT_BASE_URL, CallEvent, Client
from .errors import (
    AuthenticationError,
    Locked,
    NotFound,
    PermissionDenied,
    RateLimited,
    UpstreamError,
    UpstreamUnavailable,
    ValidationError,
    VpsbgError,
)
from .operations import METHODS, OPERATIONS, Operation
from .results import Download, Page
from .retry import RetryPolicy
from .spec import ROUTES, Route, is_verified

__all__ = [
    "DEFAULT_BASE_URL",
    "METHODS",
    "OPERATIONS",
    "ROUTES",
    "AuthenticationError",
    "CallEvent",
    "Client",
    "Download",
    "Locked",
    "NotFound",
    "Operation",
    "Page",
    "PendingCall",
    "PermissionDenied",
    "RateLimited",
    "RetryPolicy",
    "Route",
    "UpstreamError",
    "UpstreamUnavailable",
    "ValidationError",
    "VpsbgError",
    "__version__",
    "call",
    "is_verified",
    "operation_id_of",
]
