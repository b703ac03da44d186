"""Serializers of the panel's own objects (team, members, audit events, operations, API tokens)."""

from __future__ import annotations

from rest_framework import serializers

from panel.accounts.models import Membership, Team
from panel.audit.models import AuditEvent

from .models import PanelApiToken


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "require_2fa", "created_at"]


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)
    server_scope = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "server_scope", "created_at"]


class MeSerializer(serializers.Serializer):
    team = TeamSerializer()
    membership = MembershipSerializer()
    token = serializers.DictField()


class AuditEventSerializer(serializers.ModelSerializer):
    params = serializers.JSONField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id", "seq", "created_at", "actor_name", "actor_api_token", "operation_id", "target_type",
            "target_id", "target_label", "token_name", "params", "outcome", "upstream_status",
            "upstream_message", "request_id", "client_ip", "operation_url", "reason",
        ]  # fmt: skip


class PanelApiTokenSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    allowed_ips = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = PanelApiToken
        fields = [
            "id", "label", "prefix", "read_only", "allowed_ips", "expires_at", "created_at", "last_used_at",
            "last_used_ip", "revoked_at", "status",
        ]  # fmt: skip
        read_only_fields = fields
