"""Web pages of the support area, merged into `panel/web/urls.py` (names live in the `web` namespace).

Tickets are addressed as `<account id>:<ticket id>`; plan pages take the account from `?account=`.
"""

from django.urls import URLPattern, path

from .views import support

urlpatterns: list[URLPattern] = [
    path("support/", support.support_index, name="support"),
    path("support/tickets/new/", support.ticket_create, name="ticket_create"),
    path("support/tickets/<str:ref>/", support.ticket_detail, name="ticket"),
    path("support/tickets/<str:ref>/reply/", support.ticket_reply, name="ticket_reply"),
    path("support/tickets/<str:ref>/resolve/", support.ticket_resolve, name="ticket_resolve"),
    path(
        "support/tickets/<str:ref>/attachments/<int:attachment_id>/",
        support.attachment_download,
        name="ticket_attachment",
    ),
    path("support/plans/renew/", support.plan_renew, name="support_plan_renew"),
    path("support/plans/cancel/", support.plan_cancel, name="support_plan_cancel"),
    path("support/plans/undo-cancel/", support.plan_undo_cancel, name="support_plan_undo_cancel"),
    path("support/plans/<str:plan>/purchase/", support.plan_purchase, name="support_plan_purchase"),
]
