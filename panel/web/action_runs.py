"""What every page that runs a declared action (`panel.actions`) does with a POST, in one place.

A view function asks `authorise` first (the role and scope, once, by the pipeline: a refused
member gets the refusal page and learns nothing from the form), binds the form derived from the
action's input type, and hands a valid one to `submit`, which runs it through the pipeline and
puts what went wrong (VPSBG's field errors, a refusal, a busy server) on the form instead of
raising. The view keeps only what is its own: which page to show, where to go afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse

from panel.accounts.decorators import render_denied
from panel.actions import pipeline
from panel.actions.base import Action
from panel.actions.pipeline import Refused
from panel.core.errors import InvalidInput, NotFoundError, PanelError

from .common import actor_for, error_text, field_errors

__all__ = ["PAGE_FORMS", "Denied", "authorise", "page_form", "requested_account", "submit"]

F = TypeVar("F", bound=type)

# The form each page uses for a declared action (by the action's name): the adapters-agree test
# checks these, not forms derived on the side.
PAGE_FORMS: dict[str, type] = {}


def page_form(action: Action, form: F) -> F:
    """Record `form` as the page's form of `action` (derived from its input type) and return it."""
    if getattr(form, "input_type", None) is not action.input:
        raise TypeError(f"{form.__name__} is not derived from {action.input.__name__}")
    PAGE_FORMS[action.name] = form
    return form


class Denied(Exception):
    """The pipeline refused the member: `response` is the refusal page to return."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("refused")
        self.response = response


def authorise(request: HttpRequest, action: Action, target: Any) -> pipeline.Grant:
    """The pipeline's authorisation for a POST: `Denied` (with the refusal page) or `Http404`."""
    try:
        return pipeline.authorise(action, actor_for(request), target)
    except Refused as exc:
        raise Denied(render_denied(request, exc)) from None
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def requested_account(request: HttpRequest) -> str:
    """The account a page's `?account=` names, as typed ("" for none): what `authorise` is asked
    about before the page resolves it, so a refused role is refused before anything else."""
    return (request.GET.get("account") or request.POST.get("account") or "").strip()


def submit(
    request: HttpRequest,
    action: Action,
    form: Any,
    *,
    target: Any,
    grant: pipeline.Grant | None,
    data: Any = None,
    aliases: dict[str, str] | None = None,
    on_invalid: Callable[[Any, InvalidInput], None] | None = None,
) -> pipeline.Outcome | None:
    """Run the valid `form`'s input (or `data`) through the pipeline; None when it did not run,
    with the reason on the form (next to its field when VPSBG named one; `on_invalid` places a
    page's own way)."""
    cleaned = form.cleaned_data
    if grant is not None and grant.target != str(target):  # asked for "", run on the page's choice
        grant = None
    try:
        return pipeline.submit(
            action,
            actor=actor_for(request),
            target=target,
            data=form.input if data is None else data,
            reason=cleaned.get("reason") or "",
            idempotency_key=cleaned.get("request_key") or "",
            grant=grant,
        )
    except Refused as exc:
        form.add_error(None, str(exc))
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except InvalidInput as exc:
        if on_invalid is not None:
            on_invalid(form, exc)
        else:
            field_errors(form, exc, aliases)
    except PanelError as exc:
        form.add_error(None, error_text(exc))
    return None
