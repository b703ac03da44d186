"""Endpoints over the panel's own data: the team, its members, audit events, API tokens, and the
cross-account aggregates (every server, every balance of the team's VPSBG accounts)."""

from __future__ import annotations

import typing
from typing import Any

import django_filters
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import generics
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from panel.accounts.models import Membership
from panel.api import results
from panel.api.permissions import actor_for, require_action, token_of
from panel.api.schema import error_responses
from panel.api.serializers import (
    AuditEventSerializer,
    MembershipSerializer,
    MeSerializer,
    PanelApiTokenSerializer,
    TeamSerializer,
)
from panel.audit.filters import AuditEventFilter
from panel.audit.models import AuditEvent
from panel.services import aggregates
from panel.services.registry import reaches

from ..models import PanelApiToken
from .base import PanelAPIView

ERRORS = error_responses()


class PanelListView(PanelAPIView, generics.ListAPIView):
    """A local list: page-number pagination, django-filter filters, `?ordering=`."""

    action = ""

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no token
            model: type[Model] = self.serializer_class.Meta.model  # type: ignore[union-attr]
            return model._default_manager.none()
        require_action(self.request, self.action)
        return self.scoped_queryset(token_of(self.request))

    def scoped_queryset(self, token: PanelApiToken) -> QuerySet[Any]:
        """What the token's team may list (each list says)."""
        raise NotImplementedError


@extend_schema(tags=["team"], responses={200: MeSerializer, **ERRORS})
class MeView(PanelAPIView):
    """The token, its member and the team it acts in."""

    def get(self, request: Request) -> Response:
        token = token_of(request)
        require_action(request, "team.view")
        membership = token.membership
        return Response(
            {
                "team": TeamSerializer(membership.team).data,
                "membership": MembershipSerializer(membership).data,
                "token": PanelApiTokenSerializer(token).data,
            }
        )


class MemberFilter(django_filters.FilterSet):
    role = django_filters.CharFilter()
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="icontains")

    class Meta:
        model = Membership
        fields = ["role"]


@extend_schema(tags=["team"], responses={200: MembershipSerializer(many=True), **ERRORS})
class MemberListView(PanelListView):
    action = "members.view"
    serializer_class = MembershipSerializer
    filterset_class = MemberFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["created_at", "role", "user__email"]
    ordering = ["user__email"]

    def scoped_queryset(self, token: PanelApiToken) -> QuerySet[Membership]:
        return Membership.objects.filter(team=token.membership.team).select_related("user")


class AuditFilter(AuditEventFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, show_team=False, **kwargs)


@extend_schema(tags=["audit"], responses={200: AuditEventSerializer(many=True), **ERRORS})
class AuditListView(PanelListView):
    """The team's audit log (Owner and Admin), newest first; filters as on the review page."""

    action = "audit.read"
    serializer_class = AuditEventSerializer
    filterset_class = AuditFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["seq", "created_at"]
    ordering = ["-seq"]

    def scoped_queryset(self, token: PanelApiToken) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.for_team(token.membership.team_id)


@extend_schema(tags=["audit"], responses={200: AuditEventSerializer, **ERRORS})
class AuditDetailView(PanelAPIView):
    def get(self, request: Request, pk: int) -> Response:
        require_action(request, "audit.read")
        event = get_object_or_404(AuditEvent.objects.for_team(token_of(request).membership.team_id), pk=pk)
        return Response(AuditEventSerializer(event).data)


class TokenFilter(django_filters.FilterSet):
    read_only = django_filters.BooleanFilter()
    active = django_filters.BooleanFilter(method="filter_active")

    class Meta:
        model = PanelApiToken
        fields = ["read_only"]

    def filter_active(
        self, queryset: QuerySet[PanelApiToken], name: str, value: bool
    ) -> QuerySet[PanelApiToken]:
        active = PanelApiToken.objects.active().values("pk")
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)


@extend_schema(tags=["api-tokens"], responses={200: PanelApiTokenSerializer(many=True), **ERRORS})
class ApiTokenListView(PanelListView):
    """The caller's own panel API tokens (create them on Team → API tokens: shown once)."""

    action = "team.view"
    serializer_class = PanelApiTokenSerializer
    filterset_class = TokenFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["created_at", "last_used_at", "label"]
    ordering = ["-created_at"]

    def scoped_queryset(self, token: PanelApiToken) -> QuerySet[PanelApiToken]:
        return PanelApiToken.objects.filter(membership=token.membership)


@extend_schema(tags=["api-tokens"])
class ApiTokenRevokeView(PanelAPIView):
    """Revoke one of the caller's own panel API tokens (this one included)."""

    @extend_schema(request=None, responses={200: PanelApiTokenSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        token = token_of(request)
        require_action(request, "team.view")
        target = get_object_or_404(PanelApiToken, pk=pk, membership=token.membership)
        if target.revoked_at is None:
            from panel.api.tokens import revoke

            revoke(target, actor=actor_for(request))
            target.refresh_from_db()
        return Response(PanelApiTokenSerializer(target).data)


def _server_schema() -> dict[str, Any]:
    team_server = typing.get_type_hints(aggregates.TeamServer)
    return {
        "type": "object",
        "properties": {
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "ref": {"type": "string", "description": "“<account id>:<server id>”"},
                        "account_id": {"type": "string"},
                        "account_label": {"type": "string"},
                        "server": results.result_schema(team_server["server"]),
                    },
                    "required": ["ref", "account_id", "account_label", "server"],
                },
            },
            "warnings": {"type": "array", "items": WARNING_SCHEMA},
        },
        "required": ["data", "warnings"],
    }


WARNING_SCHEMA = {
    "type": "object",
    "properties": {
        "account_id": {"type": "string"},
        "account_label": {"type": "string"},
        "message": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["account_id", "account_label", "message", "code"],
}


def _warnings(result: Any) -> list[dict[str, str]]:
    return [
        {"account_id": w.account_id, "account_label": w.account_label, "message": w.message, "code": w.code}
        for w in result.warnings
    ]


@reaches("servers_list")
class TeamServersView(PanelAPIView):
    """Every server of every VPSBG account of the team (within the member's server scope)."""

    @extend_schema(
        tags=["servers"],
        operation_id="team_servers_list",
        summary="Servers across all the team's VPSBG accounts",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, description="VPSBG status filter (e.g. active)."),
            OpenApiParameter("search", OpenApiTypes.STR),
            OpenApiParameter("ip", OpenApiTypes.STR),
        ],
        responses={200: OpenApiResponse(response=_server_schema()), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        params = {k: request.query_params.get(k) or None for k in ("status", "search", "ip")}
        result = aggregates.servers_list_all(actor=actor_for(request), **params)
        items = [
            {
                "ref": str(item.ref),
                "account_id": item.ref.account_id,
                "account_label": item.account_label,
                "server": results.to_json(item.server, type(item.server)),
            }
            for item in result.items
        ]
        return Response({"data": items, "warnings": _warnings(result)})


def _balance_schema() -> dict[str, Any]:
    hints = typing.get_type_hints(aggregates.AccountBalance)
    return {
        "type": "object",
        "properties": {
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "account_id": {"type": "string"},
                        "account_label": {"type": "string"},
                        "balance": results.result_schema(hints["balance"]),
                    },
                    "required": ["account_id", "account_label", "balance"],
                },
            },
            "warnings": {"type": "array", "items": WARNING_SCHEMA},
        },
        "required": ["data", "warnings"],
    }


@reaches("balance_get")
class TeamBalancesView(PanelAPIView):
    """The balance of every VPSBG account of the team."""

    @extend_schema(
        tags=["billing"],
        operation_id="team_balances_list",
        summary="Balances of all the team's VPSBG accounts",
        responses={200: OpenApiResponse(response=_balance_schema()), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        result = aggregates.balances_all(actor=actor_for(request))
        items = [
            {
                "account_id": item.account_id,
                "account_label": item.account_label,
                "balance": results.to_json(item.balance, type(item.balance)),
            }
            for item in result.items
        ]
        return Response({"data": items, "warnings": _warnings(result)})
