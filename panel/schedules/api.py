"""`/api/v1/schedules`: list and create, one schedule (read, delete), pause and resume, its runs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from panel.api.permissions import actor_for, require_action
from panel.api.schema import error_responses
from panel.api.views.base import PanelAPIView
from panel.api.views.panel import PanelListView
from panel.services.context import Actor

from . import services, timing
from .models import Schedule, ScheduleRun, TargetKind

ERRORS = error_responses()


class ScheduleSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    when = serializers.SerializerMethodField()
    next_runs = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Schedule
        fields = [
            "id",
            "name",
            "action",
            "input",
            "target_kind",
            "target_value",
            "target",
            "interval_minutes",
            "cron",
            "time_zone",
            "when",
            "keep_last",
            "owner_name",
            "paused",
            "pause_reason",
            "next_run_at",
            "last_run_at",
            "next_runs",
            "created_at",
            "url",
        ]

    def get_target(self, schedule: Schedule) -> str:
        return services.describe_target(schedule)

    def get_when(self, schedule: Schedule) -> str:
        return services.describe_timing(schedule)

    def get_next_runs(self, schedule: Schedule) -> list[str]:
        if schedule.paused:
            return []
        try:
            return [moment.isoformat() for moment in timing.next_runs(schedule, 5)]
        except Exception:  # an expression no longer readable: the schedule pauses itself at its run
            return []

    def get_url(self, schedule: Schedule) -> str:
        return f"/api/v1/schedules/{schedule.pk}"


class ScheduleCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    action = serializers.CharField(
        max_length=64, help_text="A schedulable action, e.g. servers_snapshots_create."
    )
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    target_value = serializers.CharField(
        max_length=500, help_text="A server reference, a label, or the servers list's filter query."
    )
    input = serializers.DictField(required=False, default=dict)
    interval_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=services.INTERVAL_MIN, max_value=services.INTERVAL_MAX
    )
    cron = serializers.CharField(required=False, allow_blank=True, max_length=100)
    time_zone = serializers.CharField(required=False, default="UTC", max_length=64)
    keep_last = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=services.KEEP_MAX
    )


class RunSerializer(serializers.ModelSerializer):
    batch = serializers.SerializerMethodField()

    class Meta:
        model = ScheduleRun
        fields = ["id", "due_at", "started_at", "missed", "servers", "outcome", "message", "batch"]

    def get_batch(self, run: ScheduleRun) -> str | None:
        return f"/api/v1/bulk/{run.operation_id}" if run.operation_id else None


@extend_schema_view(
    get=extend_schema(tags=["schedules"], responses={200: ScheduleSerializer(many=True), **ERRORS}),
    post=extend_schema(
        tags=["schedules"], request=ScheduleCreateSerializer, responses={201: ScheduleSerializer, **ERRORS}
    ),
)
class ScheduleListView(PanelListView):
    """The team's schedules (paginated), and a new one."""

    action = "schedules.view"
    serializer_class = ScheduleSerializer

    def scoped_queryset(self, token: Any) -> Any:
        return services.visible(Actor(token.membership))

    def post(self, request: Request) -> Response:
        require_action(request, "schedules.manage")
        serializer = ScheduleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        spec = services.ScheduleSpec(**serializer.validated_data)
        schedule = services.create(actor_for(request), spec)
        return Response(
            ScheduleSerializer(schedule).data,
            status=201,
            headers={"Location": f"/api/v1/schedules/{schedule.pk}"},
        )


@extend_schema(tags=["schedules"])
class ScheduleDetailView(PanelAPIView):
    @extend_schema(responses={200: ScheduleSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        require_action(request, "schedules.view")
        return Response(ScheduleSerializer(services.get(actor_for(request), pk)).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        require_action(request, "schedules.manage")
        actor = actor_for(request)
        services.delete(actor, services.get(actor, pk))
        return Response(status=204)


@extend_schema(tags=["schedules"], request=None, responses={200: ScheduleSerializer, **ERRORS})
class SchedulePauseView(PanelAPIView):
    paused = True

    def post(self, request: Request, pk: int) -> Response:
        require_action(request, "schedules.manage")
        actor = actor_for(request)
        schedule = services.set_paused(actor, services.get(actor, pk), self.paused)
        return Response(ScheduleSerializer(schedule).data)


class ScheduleResumeView(SchedulePauseView):
    paused = False


@extend_schema(tags=["schedules"], responses={200: RunSerializer(many=True), **ERRORS})
class ScheduleRunsView(PanelListView):
    """A schedule's runs, newest first (paginated)."""

    action = "schedules.view"
    serializer_class = RunSerializer

    def scoped_queryset(self, token: Any) -> Any:
        schedule = services.get(Actor(token.membership), int(self.kwargs["pk"]))
        return schedule.runs.select_related("operation").order_by("-started_at", "-pk")
