"""The team's long operations (read only): poll one after a 202 until it ends."""

from __future__ import annotations

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from panel.api.permissions import require_action, token_of
from panel.api.schema import error_responses
from panel.operations.models import Operation, State

from .base import PanelAPIView
from .panel import PanelListView

ERRORS = error_responses()


class OperationSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a field, not Field.label
    url = serializers.SerializerMethodField()

    class Meta:
        model = Operation
        fields = [
            "id", "kind", "label", "state", "progress", "step", "target_type", "target_id", "target_label",
            "actor_name", "attempts", "created_at", "started_at", "finished_at", "error", "url",
        ]  # fmt: skip

    def get_url(self, obj: Operation) -> str:
        return f"/api/v1/operations/{obj.pk}"


class OperationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    kind = django_filters.CharFilter()
    target_id = django_filters.CharFilter()

    class Meta:
        model = Operation
        fields = ["state", "kind", "target_id"]


def _scoped(token: Any) -> Any:
    membership = token.membership
    operations = Operation.objects.filter(team=membership.team)
    if membership.server_scope:  # a member limited to some servers sees their operations only
        operations = operations.filter(target_type="server", target_id__in=membership.server_scope)
    return operations


@extend_schema(tags=["operations"], responses={200: OperationSerializer(many=True), **ERRORS})
class OperationListView(PanelListView):
    action = "operations.view"
    serializer_class = OperationSerializer
    filterset_class = OperationFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["created_at", "finished_at", "state"]
    ordering = ["-created_at", "-pk"]

    def scoped_queryset(self, token: Any) -> Any:
        return _scoped(token)


@extend_schema(tags=["operations"], responses={200: OperationSerializer, **ERRORS})
class OperationDetailView(PanelAPIView):
    def get(self, request: Request, pk: int) -> Response:
        require_action(request, "operations.view")
        operation = get_object_or_404(_scoped(token_of(request)), pk=pk)
        return Response(OperationSerializer(operation).data)
