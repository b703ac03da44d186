"""A stateful stand-in for the VPSBG v1 API, driven by the reference (``openapi.json``).

Run it: ``python -m vpsbg_api.simulator --port 8765``; embed it: ``Simulator().start()``;
in tests: ``vpsbg_api.simulator.testing.running_simulator()``. It imports no Django and no
part of the client, so it can stand in for the real API for any HTTP client.
"""

from .app import Simulator, parse_token_spec
from .clock import Clock
from .faults import Fault, Faults
from .keys import totp
from .seed import DEMO_2FA_SECRET, DEMO_TOKENS

__all__ = [
    "DEMO_2FA_SECRET",
    "DEMO_TOKENS",
    "Clock",
    "Fault",
    "Faults",
    "Simulator",
    "parse_token_spec",
    "totp",
]
