"""A Django form built from an action's input type: its fields, bounds, choices and help text, and
the type's own validators (cross-field rules) run on what the fields cleaned.

Fields marked `offered` take their choices from the page (`form.fields[name].choices = ...`, as
VPSBG lists images or keys for the server's account); until given, they accept what the input
type accepts. Fields named in `fixed` are no boxes: the page gives their values (`fixed={...}`
when the form is made, e.g. the server a renewal is for), and the input type checks them too.
`ConfirmForm` is the base of an action's confirmation page (typed name, reason, request key).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from django import forms
from pydantic import BaseModel, ValidationError

from .fields import FieldSpec, errors_by_field, specs

__all__ = [
    "ConfirmForm",
    "FilesField",
    "InputForm",
    "OfferedIntegerField",
    "OfferedIntegerListField",
    "OfferedTextField",
    "form_class",
    "uploads",
]

F = TypeVar("F", bound=forms.Form)

NOT_OFFERED = "Select a valid choice. That choice is not one of the available choices."


class _Offered:
    """The page's offer: `choices` set → a select (or checkboxes) and a value outside it refused."""

    offered: list[tuple[str, str]] | None = None
    widget: forms.Widget
    required: bool

    @property
    def choices(self) -> list[tuple[str, str]] | None:
        return self.offered

    @choices.setter
    def choices(self, options: Iterable[tuple[Any, str]]) -> None:
        self.offered = [(str(value), label) for value, label in options]
        self.widget = self.offered_widget(choices=self.offered)
        self.widget.is_required = self.required

    def offered_widget(self, choices: list[tuple[str, str]]) -> forms.Widget:
        raise NotImplementedError

    def check_offered(self, values: list[Any]) -> None:
        if self.offered is not None:
            allowed = {value for value, _ in self.offered}
            if any(str(value) not in allowed for value in values):
                raise forms.ValidationError(NOT_OFFERED, code="invalid_choice")


class OfferedIntegerField(_Offered, forms.IntegerField):
    def offered_widget(self, choices: list[tuple[str, str]]) -> forms.Widget:
        return forms.Select(choices=choices)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            self.check_offered([value])


class OfferedTextField(_Offered, forms.CharField):
    """Text chosen from what the page offers (a plan's key); bounds are the input type's."""

    def offered_widget(self, choices: list[tuple[str, str]]) -> forms.Widget:
        return forms.Select(choices=([("", "—")] if not self.required else []) + choices)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value not in (None, ""):
            self.check_offered([value])


class OfferedIntegerListField(_Offered, forms.Field):
    """A list of whole numbers (checkboxes); bounds are the input type's to check."""

    def offered_widget(self, choices: list[tuple[str, str]]) -> forms.Widget:
        return forms.CheckboxSelectMultiple(choices=choices)

    def to_python(self, value: Any) -> list[int]:
        if value in (None, "", [], ()):
            return []
        items = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(str(item).strip()) for item in items]
        except ValueError:
            raise forms.ValidationError("Enter whole numbers.", code="invalid") from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        self.check_offered(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Zero or more files from one `<input type="file" multiple>` (Django's documented recipe);
    how many and how big is the input type's to say."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def uploads(files: Iterable[Any]) -> list[dict[str, Any]]:
    """Uploaded files (Django's) as an input type's `Upload` values."""
    return [
        {
            "name": (getattr(f, "name", None) or "attachment")[:255],
            "content_type": getattr(f, "content_type", None) or "application/octet-stream",
            "content": f.read(),
        }
        for f in files
    ]


def _field(spec: FieldSpec) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "help_text": spec.help, "required": spec.required}
    if spec.shape == "int":
        kind = OfferedIntegerField if spec.offered else forms.IntegerField
        return kind(min_value=spec.minimum, max_value=spec.maximum, **common)
    if spec.shape == "decimal":
        return forms.DecimalField(
            min_value=spec.minimum, max_value=spec.maximum, decimal_places=spec.decimal_places, **common
        )
    if spec.shape == "str":
        if spec.offered:
            return OfferedTextField(min_length=spec.min_length, max_length=spec.max_length, **common)
        widget: Any = forms.TextInput
        if spec.secret:
            widget = forms.PasswordInput(attrs={"autocomplete": "new-password"})
        elif spec.widget == "textarea":
            widget = forms.Textarea(attrs={"rows": 6})
        return forms.CharField(
            min_length=spec.min_length, max_length=spec.max_length, strip=False, widget=widget, **common
        )
    if spec.shape == "bool":
        return forms.BooleanField(**{**common, "required": False})
    if spec.shape == "choice":
        options = [(str(c), spec.choice_label(c)) for c in spec.choices]
        coerce: Callable[[Any], Any] = type(spec.choices[0]) if spec.choices else str
        return forms.TypedChoiceField(
            choices=([("", "—")] if not spec.required else []) + options,
            coerce=coerce,
            empty_value=None,
            **common,
        )
    if spec.shape == "int_list":
        return OfferedIntegerListField(widget=forms.CheckboxSelectMultiple, **common)
    if spec.shape == "files":
        return FilesField(**common)
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}), **common
    )  # str_list: one a line


def _values(form: InputForm, fields: list[FieldSpec]) -> dict[str, Any]:
    values: dict[str, Any] = dict(form.fixed)
    for spec in fields:
        if spec.name not in form.fields:
            continue
        value = form.cleaned_data.get(spec.name)
        if spec.shape == "str_list" and isinstance(value, str):
            value = [line.strip() for line in value.splitlines() if line.strip()]
        if spec.shape == "files" and value:
            value = uploads(value)
        if value is None and not spec.required:
            continue  # the input type's default applies
        values[spec.name] = value
    return values


class InputForm(forms.Form):
    """What every derived form adds: after the fields clean, the input type validates what they
    cleaned; its errors go next to their fields. A valid form holds the validated input in `input`.
    """

    input_type: ClassVar[type[BaseModel]]
    input_fields: ClassVar[list[FieldSpec]]
    input: BaseModel

    def __init__(self, *args: Any, fixed: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.fixed = dict(fixed or {})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(spec.name in self.errors for spec in self.input_fields):
            return data
        try:
            self.input = self.input_type.model_validate(_values(self, self.input_fields))
        except ValidationError as exc:
            for name, messages in errors_by_field(exc).items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return data


def form_class(model: type[BaseModel], base: type[F], *, fixed: tuple[str, ...] = ()) -> type[F]:
    """A form class for `model` on `base` (the page's own fields: confirmation, reason...).

    The class is an `InputForm` too: a valid form holds the validated input in `form.input`.
    `fixed` names the fields the page gives rather than asks (`Form(data, fixed={...})`).
    """
    fields = specs(model)
    attrs: dict[str, Any] = {spec.name: _field(spec) for spec in fields if spec.name not in fixed}
    attrs.update(
        input_type=model,
        input_fields=fields,
        __module__=model.__module__,
        __doc__=f"The form of {model.__name__}, derived from it.",
    )
    return type(f"{model.__name__.removesuffix('Input')}Form", (InputForm, base), attrs)


class ConfirmForm(forms.Form):
    """What an action's confirmation page adds to the input type's fields: a request key (one
    operation per page load, however often it is sent), an optional reason for the audit log and,
    when asked, the target's name typed in full; `choices` gives offered fields their options."""

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    confirm_hostname = forms.CharField(
        label="Type the server's hostname to confirm",
        max_length=253,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label="Reason (optional)", max_length=500, required=False, help_text="Kept in the audit log."
    )

    def __init__(
        self,
        *args: Any,
        hostname: str = "",
        confirm: bool = True,
        choices: dict[str, list[tuple[Any, str]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hostname = hostname
        if not confirm:
            del self.fields["confirm_hostname"]
        else:
            self.fields["confirm_hostname"].help_text = f"Type “{hostname}”."
        # The action's own fields first, then why (for the audit log) and the typed confirmation.
        for name in ("reason", "confirm_hostname"):
            if name in self.fields:
                self.fields[name] = self.fields.pop(name)
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)
        for name, options in (choices or {}).items():
            field = self.fields[name]
            field.choices = [(str(value), label) for value, label in options]  # type: ignore[attr-defined]

    def clean_confirm_hostname(self) -> str:
        value = (self.cleaned_data.get("confirm_hostname") or "").strip()
        if value.lower() != self.hostname.lower():
            raise forms.ValidationError(f"Type the hostname exactly: “{self.hostname}”.")
        return value
