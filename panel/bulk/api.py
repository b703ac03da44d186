"""`/api/v1/bulk`: one action on many servers (202 with the batch), a batch with each server's result,
and a retry of its failed servers. Writes honour `Idempotency-Key` (`panel.api.idempotency`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from panel.actions import pipeline
from panel.actions import registry as actions
from panel.actions.request import ActionRequest
from panel.api.idempotency import HEADER, run_once
from panel.api.permissions import actor_for, require_action, token_of
from panel.api.schema import error_responses
from panel.api.views.base import PanelAPIView
from panel.core.errors import InvalidInput, NotFoundError
from panel.operations.models import Operation

from . import batches
from .models import BatchItem

ERRORS = error_responses()
KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique text (1-255 characters): repeating the request with it returns the first "
    "answer instead of starting a second batch.",
)


class BulkRequestSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=64, help_text="A bulk action's name, e.g. servers_restart.")
    servers = serializers.ListField(
        child=serializers.CharField(max_length=300),
        min_length=1,
        max_length=500,
        help_text="Server references “<VPSBG account id>:<server id>”.",
    )
    input = serializers.DictField(
        required=False, default=dict, help_text="The action's input, if it takes one."
    )
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="Kept in the audit log."
    )


class BatchItemSerializer(serializers.ModelSerializer):
    server = serializers.CharField(source="target")
    hostname = serializers.CharField(source="label")
    operation = serializers.SerializerMethodField()

    class Meta:
        model = BatchItem
        fields = ["server", "hostname", "state", "error", "operation", "started_at", "finished_at"]

    def get_operation(self, item: BatchItem) -> str | None:
        return f"/api/v1/operations/{item.child_id}" if item.child_id else None


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="operation.pk")
    action = serializers.SerializerMethodField()
    state = serializers.CharField(source="operation.state")
    error = serializers.CharField(source="operation.error")
    retry_of = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    items = BatchItemSerializer(many=True)

    def get_action(self, batch: batches.Batch) -> str:
        return str(batch.operation.params.get("action", ""))

    def get_retry_of(self, batch: batches.Batch) -> int | None:
        return batch.operation.params.get("retry_of")

    def get_url(self, batch: batches.Batch) -> str:
        return f"/api/v1/bulk/{batch.operation.pk}"


def _accepted(parent: Operation) -> Response:
    body = BatchSerializer(batches.Batch.of(parent)).data
    return Response(body, status=202, headers={"Location": body["url"]})


def _pending(exc: pipeline.Pending) -> Response:
    return Response({"status": "approval_required", "message": exc.message}, status=202)


def _batch(request: Request, pk: int) -> Operation:
    membership = token_of(request).membership
    parent = Operation.objects.filter(team=membership.team, pk=pk, kind__startswith="bulk_").first()
    if parent is None or membership.is_server_limited:
        raise NotFoundError("No such batch.")
    return parent


@extend_schema(
    tags=["bulk"],
    request=BulkRequestSerializer,
    parameters=[KEY_PARAMETER],
    responses={202: BatchSerializer, **ERRORS},
)
class BulkView(PanelAPIView):
    """Start one action on many servers: one parent operation, a child per server."""

    def post(self, request: Request) -> Response:
        require_action(request, "bulk.run")
        serializer = BulkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        action = actions.get(data["action"])
        if action is None or not action.bulk:
            raise InvalidInput("Choose an action that runs on many servers.", fields={"action": ["Unknown."]})
        actor = actor_for(request)
        key = request.headers.get(HEADER, "").strip()

        def compute() -> Response:
            requests = [
                ActionRequest.create(
                    action, actor=actor, target=ref, data=data["input"], reason=data.get("reason", "")
                )
                for ref in data["servers"]
            ]
            try:
                parent = batches.start_batch(
                    requests, idempotency_key=f"api:{token_of(request).pk}:{key}"[:100] if key else ""
                )
            except pipeline.Pending as exc:
                return _pending(exc)
            return _accepted(parent)

        return run_once(request, token_of(request), compute)


@extend_schema(tags=["bulk"], responses={200: BatchSerializer, **ERRORS})
class BatchDetailView(PanelAPIView):
    def get(self, request: Request, pk: int) -> Response:
        require_action(request, "operations.view")
        return Response(BatchSerializer(batches.Batch.of(_batch(request, pk))).data)


@extend_schema(
    tags=["bulk"], request=None, parameters=[KEY_PARAMETER], responses={202: BatchSerializer, **ERRORS}
)
class BatchRetryView(PanelAPIView):
    """A new batch of just the servers that failed in this one."""

    def post(self, request: Request, pk: int) -> Response:
        require_action(request, "bulk.run")
        parent = _batch(request, pk)
        key = request.headers.get(HEADER, "").strip()

        def compute() -> Any:
            try:
                again = batches.retry_failed(
                    parent,
                    actor=actor_for(request),
                    idempotency_key=f"api:{token_of(request).pk}:{key}"[:100] if key else "",
                )
            except pipeline.Pending as exc:
                return _pending(exc)
            return _accepted(again)

        return run_once(request, token_of(request), compute)
