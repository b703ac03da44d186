"""Pieces the input types of several areas share: ids, billing periods, blank text, and one way
to validate a mapping with an input type (for the operation kinds, which get plain parameters).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import BeforeValidator, Field, ValidationError

from panel.core.errors import InvalidInput

from .base import Input
from .fields import errors_by_field

__all__ = [
    "BILLING_CYCLE_LABELS",
    "MAX_ID",
    "BillingCycle",
    "Ids",
    "OptionalText",
    "PromoCode",
    "VpsbgId",
    "blank_is_none",
    "validate",
]

InputT = TypeVar("InputT", bound=Input)

MAX_ID = 2**31 - 1


def blank_is_none(value: Any) -> Any:
    """An empty box on a form and a missing key in JSON mean the same: no value."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


VpsbgId = Annotated[int, Field(ge=1, le=MAX_ID)]
# What the panel sends in one call about several objects (orders to pay, IPs to cancel).
Ids = Annotated[list[VpsbgId], Field(min_length=1, max_length=50)]
OptionalText = Annotated[str | None, BeforeValidator(blank_is_none)]
# Bounded text or none (the bounds apply to a value, not to its absence); empty means none.
PromoCode = Annotated[Annotated[str, Field(max_length=50)] | None, BeforeValidator(blank_is_none)]


# The billing periods VPSBG sells (months), as the reference's examples list them.
BillingCycle = Literal[1, 3, 6, 12, 24]
BILLING_CYCLE_LABELS: dict[str, Any] = {
    "1": "1 month",
    "3": "3 months",
    "6": "6 months",
    "12": "12 months",
    "24": "24 months",
}


def validate(model: type[InputT], data: dict[str, Any], label: str) -> InputT:
    """`model` validating `data`, or `InvalidInput` with its field errors (for the kinds)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            f"Invalid input for “{label}”.",
            fields={name or "input": messages for name, messages in errors_by_field(exc).items()},
        ) from None

# The same months as (value, label) pairs: the one name the API schema gives them (settings'
# ENUM_NAME_OVERRIDES), whichever action asks.
BILLING_CYCLE_CHOICES = [(int(months), label) for months, label in BILLING_CYCLE_LABELS.items()]
