"""The guardrails in the panel API (`/api/v1/guardrails/...`): approval requests (approve or reject
with a second-factor `code`), rules, budgets, freezes (and breaking their glass), elevations.

Bodies are validated by the same forms as the pages (`forms.py`); the rules live in the services.
A request held for approval anywhere in the API answers 202 with the approval request
(`ApprovalRequestSerializer`), its URL in `Location`.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.forms import Form
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from panel.api.permissions import require_action, token_of
from panel.api.schema import error_responses
from panel.api.views.base import PanelAPIView
from panel.api.views.panel import PanelListView
from panel.core.errors import InvalidInput

from . import approvals, config, elevations, freezes, step_up
from .forms import BreakGlassForm, BudgetForm, ElevationForm, FreezeForm, RuleForm
from .models import ApprovalRequest, ApprovalRule, ApprovalState, Budget, Elevation, Freeze
from .spend import budget_states

ERRORS = error_responses()


class DecisionSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    decision = serializers.CharField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApprovalRequestSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    requests = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True, read_only=True)
    cost = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    operations = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRequest
        fields = [
            "id", "summary", "state", "requester_name", "risk", "cost", "why", "approvals_required",
            "approver_roles", "requests", "decisions", "created_at", "expires_at", "decided_at", "result",
            "operations", "url", "page",
        ]  # fmt: skip

    def get_state(self, obj: ApprovalRequest) -> str:
        return "expired" if obj.state == "pending" and not obj.is_open else obj.state

    def get_requests(self, obj: ApprovalRequest) -> list[dict[str, Any]]:
        return approvals.shown(obj)

    def get_cost(self, obj: ApprovalRequest) -> dict[str, str] | None:
        return (
            {"amount": str(obj.cost_amount), "currency": obj.cost_currency}
            if obj.cost_amount is not None
            else None
        )

    def get_url(self, obj: ApprovalRequest) -> str:
        return obj.api_url()

    def get_page(self, obj: ApprovalRequest) -> str:
        return obj.get_absolute_url()

    def get_operations(self, obj: ApprovalRequest) -> list[str]:
        return [f"/api/v1/operations/{pk}" for pk in obj.operation_ids]


class RuleSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = ApprovalRule
        fields = [
            "id",
            "risk",
            "action_name",
            "min_amount",
            "currency",
            "approvals_required",
            "approver_roles",
            "enabled",
            "description",
            "created_at",
        ]


class BudgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Budget
        fields = [
            "id",
            "account_id",
            "monthly_limit",
            "per_order_limit",
            "currency",
            "on_exceed",
            "approvals_required",
            "approver_roles",
        ]


class FreezeSerializer(serializers.ModelSerializer):
    window = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = Freeze
        fields = [
            "id",
            "name",
            "scope",
            "kind",
            "starts_at",
            "ends_at",
            "weekdays",
            "start_time",
            "end_time",
            "time_zone",
            "enabled",
            "window",
        ]


class ElevationSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="membership.user.email", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Elevation
        fields = [
            "id",
            "member",
            "role",
            "minutes",
            "reason",
            "state",
            "active",
            "requested_at",
            "decided_at",
            "ends_at",
        ]


def _valid(form: Form) -> dict[str, Any]:
    if not form.is_valid():
        raise InvalidInput(
            "Please correct the errors.",
            fields={
                ("" if name == "__all__" else name): [str(e) for e in errs]
                for name, errs in form.errors.items()
            },
        )
    return form.cleaned_data


def _membership(request: Request) -> Any:
    return token_of(request).membership


# -- approval requests ------------------------------------------------------------------------------
class ApprovalFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ApprovalState.choices)

    class Meta:
        model = ApprovalRequest
        fields = ["state"]


@extend_schema(tags=["guardrails"], responses={200: ApprovalRequestSerializer(many=True), **ERRORS})
class ApprovalListView(PanelListView):
    action = "guardrails.view"
    serializer_class = ApprovalRequestSerializer
    filterset_class = ApprovalFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def scoped_queryset(self, token: Any) -> Any:
        return ApprovalRequest.objects.filter(team=token.membership.team).prefetch_related("decisions")


@extend_schema(tags=["guardrails"], responses={200: ApprovalRequestSerializer, **ERRORS})
class ApprovalDetailView(PanelAPIView):
    def get(self, request: Request, pk: int) -> Response:
        require_action(request, "guardrails.view")
        held = get_object_or_404(ApprovalRequest, pk=pk, team=_membership(request).team)
        return Response(ApprovalRequestSerializer(held).data)


DECIDE_BODY = inline_serializer(
    "ApprovalDecision",
    {
        "comment": serializers.CharField(required=False),
        "code": serializers.CharField(
            required=False, help_text="A second-factor code (TOTP or recovery): approving needs one."
        ),
    },
)


def _decide(request: Request, pk: int, *, approve: bool) -> Response:
    require_action(request, "approvals.decide")
    membership = _membership(request)
    held = get_object_or_404(ApprovalRequest, pk=pk, team=membership.team)
    comment = str(request.data.get("comment", "") or "")[:2000]
    if approve:
        user = membership.user
        if not step_up.has_factor(user):
            raise InvalidInput(step_up.NO_FACTOR, code="step_up_required")
        if not step_up.prove_code(user, str(request.data.get("code", "") or "")):
            raise InvalidInput(
                "Approving needs a second-factor code in `code` (missing or wrong).",
                fields={"code": "A current code from your authenticator app, or a recovery code."},
                code="step_up_required",
            )
    held = approvals.decide(
        held,
        membership,
        approve=approve,
        comment=comment,
        stepped_up=True,
        request=request._request,
        api_token_label=token_of(request).audit_label,
    )
    return Response(ApprovalRequestSerializer(held).data)


@extend_schema(tags=["guardrails"], request=DECIDE_BODY, responses={200: ApprovalRequestSerializer, **ERRORS})
class ApprovalApproveView(PanelAPIView):
    def post(self, request: Request, pk: int) -> Response:
        return _decide(request, pk, approve=True)


@extend_schema(tags=["guardrails"], request=DECIDE_BODY, responses={200: ApprovalRequestSerializer, **ERRORS})
class ApprovalRejectView(PanelAPIView):
    def post(self, request: Request, pk: int) -> Response:
        return _decide(request, pk, approve=False)


# -- rules, budgets, freezes -----------------------------------------------------------------------
class BudgetStateSerializer(BudgetSerializer):
    used = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    left = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)

    class Meta(BudgetSerializer.Meta):
        fields = [*BudgetSerializer.Meta.fields, "used", "left"]


def _config_schema(serializer: Any, listed: Any = None) -> Any:
    """GET: the list; POST: create (201), or replace the budget of the same scope (200)."""
    return extend_schema_view(
        get=extend_schema(tags=["guardrails"], responses={200: (listed or serializer)(many=True), **ERRORS}),
        post=extend_schema(
            tags=["guardrails"], request=serializer, responses={200: serializer, 201: serializer, **ERRORS}
        ),
    )


class _ConfigList(PanelAPIView):
    pagination_class = None  # a team has a handful of each: the whole list, unpaginated
    model: Any
    serializer: Any
    form: Any

    def rows(self, request: Request) -> Any:
        return self.model.objects.filter(team=_membership(request).team)

    def get(self, request: Request) -> Response:
        require_action(request, "guardrails.view")
        return Response(self.serializer(self.rows(request), many=True).data)

    def post(self, request: Request) -> Response:
        require_action(request, "guardrails.manage")
        form = self.make_form(request)
        _valid(form)
        before = form.instance.snapshot() if form.instance.pk else None
        obj = config.save(
            _membership(request), form.save(commit=False), before=before, request=request._request
        )
        return Response(self.serializer(obj).data, status=201 if before is None else 200)

    def make_form(self, request: Request) -> Any:
        return self.form(data=request.data)


class _ConfigDetail(PanelAPIView):
    model: Any

    def delete(self, request: Request, pk: int) -> Response:
        require_action(request, "guardrails.manage")
        membership = _membership(request)
        obj = get_object_or_404(self.model, pk=pk, team=membership.team)
        config.delete(membership, obj, request=request._request)
        return Response(status=204)


@_config_schema(RuleSerializer)
class RuleListView(_ConfigList):
    model, serializer, form = ApprovalRule, RuleSerializer, RuleForm


@extend_schema(tags=["guardrails"], responses={204: None, **ERRORS})
class RuleDetailView(_ConfigDetail):
    model = ApprovalRule


@_config_schema(BudgetSerializer, listed=BudgetStateSerializer)
class BudgetListView(_ConfigList):
    model, serializer, form = Budget, BudgetSerializer, BudgetForm

    def get(self, request: Request) -> Response:
        require_action(request, "guardrails.view")
        return Response(
            [
                {
                    **BudgetSerializer(s.budget).data,
                    "used": f"{s.used:.2f}",
                    "left": f"{s.left:.2f}" if s.left is not None else None,
                }
                for s in budget_states(_membership(request).team)
            ]
        )

    def make_form(self, request: Request) -> Any:
        existing = Budget.objects.filter(
            team=_membership(request).team, account_id=str(request.data.get("account_id", "") or "")
        ).first()
        return BudgetForm(data=request.data, instance=existing)


@extend_schema(tags=["guardrails"], responses={204: None, **ERRORS})
class BudgetDetailView(_ConfigDetail):
    model = Budget


@_config_schema(FreezeSerializer)
class FreezeListView(_ConfigList):
    model, serializer, form = Freeze, FreezeSerializer, FreezeForm


@extend_schema(tags=["guardrails"], responses={204: None, **ERRORS})
class FreezeDetailView(_ConfigDetail):
    model = Freeze


@extend_schema(
    tags=["guardrails"],
    request=inline_serializer(
        "BreakGlass", {"reason": serializers.CharField(), "minutes": serializers.IntegerField()}
    ),
    responses={200: FreezeSerializer, **ERRORS},
)
class FreezeBreakGlassView(PanelAPIView):
    def post(self, request: Request, pk: int) -> Response:
        require_action(request, "freezes.break_glass")
        membership = _membership(request)
        freeze = get_object_or_404(Freeze, pk=pk, team=membership.team)
        data = _valid(BreakGlassForm(data=request.data))
        glass = freezes.break_glass(
            membership, freeze, reason=data["reason"], minutes=data["minutes"], request=request._request
        )
        return Response({**FreezeSerializer(freeze).data, "glass_broken_until": glass.expires_at})


# -- elevations ------------------------------------------------------------------------------------
@extend_schema_view(
    get=extend_schema(tags=["guardrails"], responses={200: ElevationSerializer(many=True), **ERRORS}),
    post=extend_schema(
        tags=["guardrails"], request=ElevationSerializer, responses={201: ElevationSerializer, **ERRORS}
    ),
)
class ElevationListView(PanelAPIView):
    pagination_class = None  # the latest 200

    def get(self, request: Request) -> Response:
        require_action(request, "guardrails.view")
        rows = Elevation.objects.filter(team=_membership(request).team).select_related("membership__user")[
            :200
        ]
        return Response(ElevationSerializer(rows, many=True).data)

    def post(self, request: Request) -> Response:
        require_action(request, "elevations.request")
        data = _valid(ElevationForm(data=request.data))
        elevation = elevations.ask(_membership(request), request=request._request, **data)
        return Response(ElevationSerializer(elevation).data, status=201)


def _elevation_decision(request: Request, pk: int, *, grant: bool) -> Response:
    require_action(request, "elevations.grant")
    membership = _membership(request)
    elevation = get_object_or_404(Elevation, pk=pk, team=membership.team)
    elevation = elevations.decide(membership, elevation, grant=grant, request=request._request)
    return Response(ElevationSerializer(elevation).data)


@extend_schema(tags=["guardrails"], request=None, responses={200: ElevationSerializer, **ERRORS})
class ElevationGrantView(PanelAPIView):
    def post(self, request: Request, pk: int) -> Response:
        return _elevation_decision(request, pk, grant=True)


@extend_schema(tags=["guardrails"], request=None, responses={200: ElevationSerializer, **ERRORS})
class ElevationRefuseView(PanelAPIView):
    def post(self, request: Request, pk: int) -> Response:
        return _elevation_decision(request, pk, grant=False)


def urlpatterns() -> list[Any]:
    from django.urls import path

    return [
        path("v1/guardrails/approvals", ApprovalListView.as_view(), name="guardrails_approvals"),
        path("v1/guardrails/approvals/<int:pk>", ApprovalDetailView.as_view(), name="guardrails_approval"),
        path(
            "v1/guardrails/approvals/<int:pk>/approve",
            ApprovalApproveView.as_view(),
            name="guardrails_approve",
        ),
        path(
            "v1/guardrails/approvals/<int:pk>/reject", ApprovalRejectView.as_view(), name="guardrails_reject"
        ),
        path("v1/guardrails/rules", RuleListView.as_view(), name="guardrails_rules"),
        path("v1/guardrails/rules/<int:pk>", RuleDetailView.as_view(), name="guardrails_rule"),
        path("v1/guardrails/budgets", BudgetListView.as_view(), name="guardrails_budgets"),
        path("v1/guardrails/budgets/<int:pk>", BudgetDetailView.as_view(), name="guardrails_budget"),
        path("v1/guardrails/freezes", FreezeListView.as_view(), name="guardrails_freezes"),
        path("v1/guardrails/freezes/<int:pk>", FreezeDetailView.as_view(), name="guardrails_freeze"),
        path(
            "v1/guardrails/freezes/<int:pk>/break-glass",
            FreezeBreakGlassView.as_view(),
            name="guardrails_break_glass",
        ),
        path("v1/guardrails/elevations", ElevationListView.as_view(), name="guardrails_elevations"),
        path(
            "v1/guardrails/elevations/<int:pk>/grant", ElevationGrantView.as_view(), name="guardrails_grant"
        ),
        path(
            "v1/guardrails/elevations/<int:pk>/refuse",
            ElevationRefuseView.as_view(),
            name="guardrails_refuse",
        ),
    ]
