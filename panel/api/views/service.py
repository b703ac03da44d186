"""The generic endpoint: one view class per API path, one method per service reaching it.

Thin on purpose: validate the request with the serializer built from the service's signature,
build the `Actor` (the token's member, named by the token in the audit log), call the service,
render its result. Every rule (role, server scope, token choice, audit) lives in the service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from panel.api import results
from panel.api.endpoints import Endpoint
from panel.api.idempotency import HEADER, run_once
from panel.api.permissions import actor_for, token_of
from panel.api.schema import error_responses
from panel.core.errors import InvalidInput
from panel.services.execution import team_accounts

from .base import PanelAPIView

__all__ = ["ServiceView", "view_for"]

PATH_DESCRIPTIONS = {
    "ref": "A reference “<VPSBG account id>:<id>” (e.g. ops@example.com:2864), as the lists give it.",
    "int": "A VPSBG id.",
    "str": "A VPSBG value.",
}


def long_kinds() -> dict[str, str]:
    """operationId -> the kind of long operation performing it (`panel.operations`), when installed."""
    if not apps.is_installed("panel.operations"):
        return {}
    from panel.operations.kinds.registry import KINDS

    return {kind.action: kind.name for kind in KINDS.values()}


def _operation_params(endpoint: Endpoint, request: Request, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The operation's parameters: the service's arguments (refs as text), paying orders as refs."""
    params = {k: (str(v) if hasattr(v, "account_id") else v) for k, v in kwargs.items()}
    if endpoint.operation_id == "orders_pay":
        account = params.get("account")
        if not account:
            accounts = list(team_accounts(token_of(request).membership.team))
            account = accounts[0] if len(accounts) == 1 else ""
        if not account:
            raise InvalidInput(
                "This team has several VPSBG accounts: choose one.", fields={"account": ["Choose one."]}
            )
        params["orders"] = [f"{account}:{i}" for i in params.pop("ids", None) or []]
    return params


def start_operation(endpoint: Endpoint, request: Request, kind: str, kwargs: dict[str, Any]) -> Response:
    """202 Accepted with the operation to poll (`Location: /api/v1/operations/<id>`)."""
    from panel.operations import services as operations

    from .operations import OperationSerializer

    key = request.headers.get(HEADER, "").strip()
    operation = operations.start(
        actor=actor_for(request),
        kind=kind,
        params=_operation_params(endpoint, request, kwargs),
        idempotency_key=f"api:{token_of(request).pk}:{key}"[:100] if key else "",
        request=request._request,
    )
    body = OperationSerializer(operation).data
    return Response(body, status=202, headers={"Location": body["url"]})


def render(endpoint: Endpoint, result: Any) -> HttpResponse:
    """The HTTP answer for one service result (shapes: `panel.api.results`)."""
    if results.is_download(result):
        response = HttpResponse(result.content, content_type=result.content_type or "application/octet-stream")
        name = (result.filename or f"{endpoint.operation_id}.bin").replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if results.result_kind(endpoint.returns) == results.ResultKind.NONE:
        return Response(status=204)
    return Response(results.to_json(result, endpoint.returns), status=200)


class ServiceView(PanelAPIView):
    endpoints: dict[str, Endpoint] = {}
    operation_ids: tuple[str, ...] = ()

    def _endpoint(self, request: Request) -> Endpoint:
        return self.endpoints["GET" if request.method == "HEAD" else request.method]

    def is_write(self, request: Request) -> bool:
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        endpoint = self.endpoints.get(method)
        return endpoint.write if endpoint is not None else method != "GET"

    def run(self, request: Request, **path: Any) -> HttpResponse:
        endpoint = self._endpoint(request)
        data = request.query_params if endpoint.method == "GET" else request.data
        serializer = endpoint.serializer(data=data)
        serializer.is_valid(raise_exception=True)
        kwargs = {p.url_name: path[p.url_name] for p in endpoint.path_params}
        kwargs.update(serializer.validated_data)
        actor = actor_for(request)
        kind = long_kinds().get(endpoint.operation_id)

        def compute() -> HttpResponse:
            if kind is not None:
                return start_operation(endpoint, request, kind, kwargs)
            return render(endpoint, endpoint.func(actor=actor, **kwargs))

        if endpoint.write:
            return run_once(request, token_of(request), compute)
        return compute()


def _schema(endpoint: Endpoint) -> Callable[[Any], Any]:
    parameters: list[Any] = [
        OpenApiParameter(p.url_name, OpenApiTypes.INT if p.kind == "int" else OpenApiTypes.STR,
                         OpenApiParameter.PATH, description=PATH_DESCRIPTIONS[p.kind])
        for p in endpoint.path_params
    ]
    responses: dict[int, Any] = error_responses()
    if endpoint.operation_id in long_kinds():
        from .operations import OperationSerializer

        responses[202] = OpenApiResponse(
            response=OperationSerializer,
            description="Accepted: a long operation; poll its `url` (also in `Location`) until it ends.",
        )
    elif results.result_kind(endpoint.returns) == results.ResultKind.DOWNLOAD:
        responses[200] = OpenApiResponse(response=OpenApiTypes.BINARY, description="The file.")
    elif results.result_kind(endpoint.returns) == results.ResultKind.NONE:
        responses[204] = OpenApiResponse(description="Done.")
    else:
        responses[200] = OpenApiResponse(response=results.result_schema(endpoint.returns), description="OK")
    if endpoint.method == "GET":
        if endpoint.body_fields:
            parameters.append(endpoint.serializer)
        request: Any = None
    else:
        request = endpoint.serializer if endpoint.body_fields else None
        if endpoint.write:
            parameters.append(
                OpenApiParameter(
                    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                    description="Any unique text (1-255 characters): repeating the request with it "
                    "returns the first answer instead of acting twice.",
                )
            )
    return extend_schema(
        operation_id=endpoint.operation_id,
        summary=endpoint.summary,
        description=f"Reaches VPSBG `{endpoint.operation_id}` ({endpoint.method} {endpoint.upstream_path}).",
        tags=[endpoint.area],
        parameters=parameters,
        request=request,
        responses=responses,
    )


def view_for(by_method: dict[str, Endpoint]) -> type[ServiceView]:
    """A `ServiceView` subclass serving every method of one path."""
    attrs: dict[str, Any] = {
        "endpoints": dict(by_method),
        "operation_ids": tuple(sorted(e.operation_id for e in by_method.values())),
        "http_method_names": [m.lower() for m in by_method] + ["head", "options"]
        if "GET" in by_method else [m.lower() for m in by_method] + ["options"],
    }
    if any(e.uploads for e in by_method.values()):
        attrs["parser_classes"] = [MultiPartParser, FormParser, JSONParser]
    else:
        attrs["parser_classes"] = [JSONParser]
    for method, endpoint in by_method.items():

        def handler(self: ServiceView, request: Request, **path: Any) -> HttpResponse:
            return self.run(request, **path)

        handler.__name__ = method.lower()
        attrs[method.lower()] = _schema(endpoint)(handler)
    first = min(by_method.values(), key=lambda e: (e.method != "GET", e.operation_id))
    name = "".join(part.capitalize() for part in first.operation_id.split("_")) + "View"
    return type(name, (ServiceView,), attrs)
