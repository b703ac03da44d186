"""What every panel API view shares: token authentication, the read-only rule, the throttle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.pagination import BasePagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from panel.api import schema  # noqa: F401 - registers the token scheme with drf-spectacular
from panel.api.authentication import PanelTokenAuthentication
from panel.api.errors import exception_handler
from panel.api.pagination import PageNumberPagination
from panel.api.permissions import TokenPermission
from panel.api.throttling import TokenRateThrottle


class PanelAPIView(APIView):
    """Panel API tokens only (no session, no basic auth), JSON only (no browsable HTML pages)."""

    authentication_classes = [PanelTokenAuthentication]
    permission_classes = [TokenPermission]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [JSONRenderer]
    pagination_class: type[BasePagination] | None = PageNumberPagination

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return exception_handler
