"""The generic endpoint: one view class per API path, one method per service reaching it.

Thin on purpose: validate the request with the serializer built from the service's signature,
build the `Actor` (the token's member, named by the token in the audit log), call the service,
render its result. Every rule (role, server scope, token choice, audit) lives in the service.
Actions declared in `panel.actions` (the server area, ...) run through its pipeline instead
(`run_action`), with the serializer derived from their input type.

Long actions (deploy, reinstall, restore, scale, renew, pay, rescue, password, primary IP,
floating IPs, snapshot and backup deletion: every operationId a `panel.operations` kind performs)
start an operation instead and answer 202 with it (`Location` = the URL to poll). Writes honour
`Idempotency-Key` (`panel.api.idempotency`).
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

from panel.accounts.permissions import ActionDenied, require
from panel.actions import pipeline
from panel.actions import registry as actions
from panel.actions.base import Action, Target
from panel.api import results
from panel.api.endpoints import Endpoint
from panel.api.idempotency import HEADER, run_once
from panel.api.permissions import actor_for, token_of
from panel.api.schema import error_responses
from panel.audit import recorder as audit
from panel.core.errors import InvalidInput, NotAllowed, NotFoundError
from panel.services.execution import team_accounts

from .base import PanelAPIView

__all__ = ["ServiceView", "view_for"]

PATH_DESCRIPTIONS = {
    "ref": "A reference “<VPSBG account id>:<id>” (e.g. ops@example.com:2864), as the lists give it.",
    "int": "A VPSBG id.",
    "str": "A VPSBG value.",
}


DOWNLOAD_TYPES = ("application/pdf", "application/zip", "application/octet-stream", "*/*")


def long_kinds() -> dict[str, str]:
    """operationId -> the kind of long operation performing it (`panel.operations`), when installed."""
    if not apps.is_installed("panel.operations"):
        return {}
    from panel.operations.kinds.registry import KINDS

    # A batch's parent and its per-server children (`panel.bulk`: `bulk_*`, `do_*`) carry the
    # action's name for its permission, but perform nothing the action's own endpoint does not.
    return {kind.action: kind.name for kind in KINDS.values() if not kind.name.startswith(("bulk_", "do_"))}


def _operation_params(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The operation's parameters: the service's arguments, references as text."""
    return {k: (str(v) if hasattr(v, "account_id") else v) for k, v in kwargs.items()}


def start_operation(endpoint: Endpoint, request: Request, kind: str, kwargs: dict[str, Any]) -> Response:
    """202 Accepted with the operation to poll (`Location: /api/v1/operations/<id>`)."""
    from panel.operations import services as operations

    from .operations import OperationSerializer

    key = request.headers.get(HEADER, "").strip()
    params = _operation_params(kwargs)
    reason = str(params.pop("reason", "") or "")
    operation = operations.start(
        actor=actor_for(request),
        kind=kind,
        params=params,
        idempotency_key=f"api:{token_of(request).pk}:{key}"[:100] if key else "",
        request=request._request,
        reason=reason,
    )
    body = OperationSerializer(operation).data
    return Response(body, status=202, headers={"Location": body["url"]})


def render(endpoint: Endpoint, result: Any) -> HttpResponse:
    """The HTTP answer for one service result (shapes: `panel.api.results`)."""
    if results.is_download(result):
        response = HttpResponse(
            result.content, content_type=result.content_type or "application/octet-stream"
        )
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
        return self.endpoints["GET" if request.method == "HEAD" else str(request.method)]

    def is_write(self, request: Request) -> bool:
        method = "GET" if request.method in ("HEAD", "OPTIONS") else str(request.method)
        endpoint = self.endpoints.get(method)
        return endpoint.write if endpoint is not None else method != "GET"

    def _check_first(self, request: Request, endpoint: Endpoint, path: dict[str, Any]) -> None:
        """Before reading the body: the role table (403) and the team's accounts (404).

        The service checks both again; asking first means a refused caller learns nothing from
        body validation, as in the web pages. A refused write is audited like the services do.
        """
        token = token_of(request)
        membership = token.membership
        try:
            require(membership, endpoint.operation_id)
        except ActionDenied as exc:
            if endpoint.write:
                refs = [str(path[p.url_name]) for p in endpoint.path_params if p.kind == "ref"]
                audit.record(
                    actor=membership.user,
                    api_token_label=token.audit_label,
                    team=membership.team,
                    operation_id=endpoint.operation_id,
                    target_id=refs[0][:128] if refs else "",
                    target_label=refs[0][:255] if refs else "",
                    params={"method": request.method, "path": request.path},
                    outcome=audit.Outcome.DENIED,
                    reason=str(exc),
                    request=request._request,
                )
            raise NotAllowed(str(exc)) from None
        accounts = None
        for param in endpoint.path_params:
            if param.kind != "ref":
                continue
            accounts = accounts if accounts is not None else team_accounts(membership.team)
            account = str(path[param.url_name]).rpartition(":")[0]
            if account not in accounts:
                raise NotFoundError(
                    f"No such {param.url_name.replace('_', ' ')}: “{str(path[param.url_name])[:80]}”."
                )

    def run_action(self, request: Request, endpoint: Endpoint, action: Action, **path: Any) -> HttpResponse:
        """A converted action: the pipeline authorises first (403 or 404, audited), then the
        body is validated by the serializer derived from the action's input type, then it runs."""
        actor = actor_for(request)
        if endpoint.path_params:
            target = path[endpoint.path_params[0].url_name]
        else:  # the body names it: `server`, or `account` (else the account of the server it
            # names, else the team's only one)
            name = "server" if action.target is Target.SERVER else "account"
            body: Any = request.data if hasattr(request.data, "get") else {}
            target = body.get(name) or ""
            if not target and name == "account" and isinstance(body.get("server"), str):
                target = body["server"].rpartition(":")[0]
            servers = body.get("servers")  # a renewal names its servers: their account
            if not target and name == "account" and isinstance(servers, list) and servers:
                target = str(servers[0]).rpartition(":")[0]
            if not isinstance(target, str):
                raise InvalidInput(f"Give the {name} as text.", fields={name: ["Not text."]})
        grant = pipeline.authorise(action, actor, target)
        fixed = {
            p.url_name: path[p.url_name]
            for p in endpoint.path_params[1:]
            if p.url_name in action.input.model_fields
        }
        serializer = endpoint.serializer(data=request.data, context={"fixed": fixed})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = str(data.pop("reason", "") or "")
        named = "server" if action.target is Target.SERVER else "account"
        if not endpoint.path_params and named not in action.input.model_fields:
            data.pop(named, None)  # the target, not input (a deploy's input names its account)
        key = request.headers.get(HEADER, "").strip()

        def compute() -> HttpResponse:
            try:
                outcome = pipeline.submit(
                    action,
                    actor=actor,
                    target=target,
                    data=data,
                    reason=reason,
                    idempotency_key=f"api:{token_of(request).pk}:{key}"[:100] if key else "",
                    grant=grant,
                )
            except pipeline.Pending as held:  # 202 with the approval request (stored for replays)
                return Response(held.as_dict(), status=202, headers={"Location": held.api_location})
            if outcome.operation is not None:
                from .operations import OperationSerializer

                body = OperationSerializer(outcome.operation).data
                return Response(body, status=202, headers={"Location": body["url"]})
            return render(endpoint, outcome.value)

        return run_once(request, token_of(request), compute)

    def run(self, request: Request, **path: Any) -> HttpResponse:
        endpoint = self._endpoint(request)
        action = actions.get(endpoint.operation_id)
        if action is not None:
            return self.run_action(request, endpoint, action, **path)
        self._check_first(request, endpoint, path)
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
        OpenApiParameter(
            p.url_name,
            OpenApiTypes.INT if p.kind == "int" else OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description=PATH_DESCRIPTIONS[p.kind],
        )
        for p in endpoint.path_params
    ]
    responses: dict[Any, Any] = error_responses()
    if endpoint.operation_id in long_kinds():
        from .operations import OperationSerializer

        responses[202] = OpenApiResponse(
            response=OperationSerializer,
            description="Accepted: a long operation; poll its `url` (also in `Location`) until it ends.",
        )
    elif results.result_kind(endpoint.returns) == results.ResultKind.DOWNLOAD:
        for media_type in DOWNLOAD_TYPES:  # an invoice PDF, a ZIP of several, a ticket's attachment
            responses[(200, media_type)] = OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The file."
            )
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
                    HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=False,
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
        if "GET" in by_method
        else [m.lower() for m in by_method] + ["options"],
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
