"""Django admin for superusers: people, teams, memberships (editable), invitations (no token shown)."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import EncryptedTOTPDevice, Invitation, Membership, Team, User

# django-otp's own TOTP devices keep their key in clear and are no longer used (the panel's are
# `EncryptedTOTPDevice`): no admin page may create one.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(EncryptedTOTPDevice)
class EncryptedTOTPDeviceAdmin(admin.ModelAdmin):
    """Who has an authenticator, and since when; the key is neither shown nor editable."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__email",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = ("user", "created_at", "last_used_at", "throttling_failure_count")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # a person enrols on their security page, with their own app


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "server_scope", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "is_superuser", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "require_2fa", "member_count", "created_at")
    list_filter = ("require_2fa",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]

    @admin.display(description="Members")
    def member_count(self, team: Team) -> int:
        return team.memberships.count()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Editable by superusers; note the admin bypasses the last-owner rule of the panel's pages."""

    list_display = ("user", "team", "role", "is_server_limited", "created_at")
    list_filter = ("role", "team")
    list_editable = ("role",)
    search_fields = ("user__email", "team__name")
    autocomplete_fields = ("user", "team")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "team", "role", "status", "invited_by", "created_at", "expires_at")
    list_filter = ("role", "team")
    search_fields = ("email", "team__name")
    exclude = ("token_hash",)
    readonly_fields = ("team", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at",
                       "accepted_by", "revoked_at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # invitations are sent from the team page, which emails the one-time link
