"""Small helpers of the accounts tests: TOTP codes as an authenticator app computes them."""
from __future__ import annotations

import time

from django_otp.oath import TOTP

from panel.accounts.models import EncryptedTOTPDevice as TOTPDevice


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an app shows now (or `steps_ahead` periods later: within the device's tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
