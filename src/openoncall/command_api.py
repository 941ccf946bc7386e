"""The resource commands run the public API's own handlers, in-process, on the configured
database, like `keys` and `oncall take`: the same body validation, service calls and JSON as
the API, one transaction per command, with `cli` as the actor in the audit trail.

Handlers are named `module:function` under `openoncall` and imported when a command runs,
so that `--help` and the other commands do not load every router. A handler's parameters are
filled by name: `session`, `caller`, `container`, `now` and
`page` (the whole list) here, `body` validated against its declared type, the rest (path
and query values) from the command.
"""

from __future__ import annotations

import importlib
import json
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.responses import Response

from openoncall.auth.api_keys import Caller
from openoncall.command_line import command_container, fail
from openoncall.errors import InvalidInput, OnCallError
from openoncall.list_window import Page
from openoncall.orgs import service as orgs
from openoncall.orgs.models import Organization

CLI_ACTOR = "cli"
Handler = Callable[..., Any]


def cli_caller(org: Organization) -> Caller:
    """The organization's full access, without a key (the CLI has the database itself)."""
    return Caller(
        org_id=org.id,
        org_slug=org.slug,
        api_id=org.api_id,
        api_key_id=0,
        is_read_only=False,
        created_by_user_id=None,
        actor=CLI_ACTOR,
    )


def _excludes_none(handler: Handler) -> bool:
    """Whether the handler's route drops null fields from its answer, as the API sends it."""
    router = getattr(sys.modules[handler.__module__], "router", None)
    for route in getattr(router, "routes", ()):
        endpoint = getattr(route, "endpoint", None)
        if getattr(endpoint, "__wrapped__", endpoint) is handler:
            return bool(getattr(route, "response_model_exclude_none", False))
    return False


def wire(result: Any, *, exclude_none: bool = False) -> Any:
    """A handler's answer as the JSON the API sends."""
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True, exclude_none=exclude_none)
    if isinstance(result, Response):
        return json.loads(bytes(result.body))
    if isinstance(result, list):
        return [wire(item, exclude_none=exclude_none) for item in result]
    return result


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _validated_body(handler: Handler, body: Any) -> Any:
    body_type = typing.get_type_hints(handler)["body"]
    try:
        return TypeAdapter(body_type).validate_python(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field(first["loc"])
        raise InvalidInput(f"{field}: {first['msg']}", field=field) from exc


def handler_named(name: str) -> Handler:
    """`users.router:add_user` → openoncall.users.router.add_user."""
    module, _, function = name.partition(":")
    found: Handler = getattr(importlib.import_module(f"openoncall.{module}"), function)
    return found


def call(
    name: str,
    *,
    org: str | None,
    as_json: bool,
    write: bool = False,
    body: Any = None,
    **params: Any,
) -> Any:
    """Run the handler `name` in one transaction and return its answer as the API's JSON; an error
    prints (as JSON with --json) and exits 1, with nothing written."""
    handler = handler_named(name)
    wanted = typing.get_type_hints(handler).keys()
    try:
        with (
            command_container() as container,
            container.sessions.transaction(write=write) as session,
        ):
            org_row = orgs.get_org(session, org)
            given: dict[str, Any] = {
                "session": session,
                "caller": cli_caller(org_row),
                "container": container,
                "now": container.clock.now(),
                "page": Page(limit=None, offset=0),
            }
            kwargs = {name: value for name, value in given.items() if name in wanted}
            if "body" in wanted:
                kwargs["body"] = _validated_body(handler, body)
            result = handler(**kwargs, **params)
            return wire(result, exclude_none=_excludes_none(handler))
    except OnCallError as exc:
        raise fail(exc, as_json=as_json) from exc


def body_from(file: Path | None, *, as_json: bool, **fields: Any) -> dict[str, Any]:
    """A request body: the JSON in `file` (`-` for stdin), then each field given as a flag."""
    try:
        return _body_from(file, **fields)
    except (OnCallError, OSError) as exc:
        error = exc if isinstance(exc, OnCallError) else InvalidInput(str(exc), field="file")
        raise fail(error, as_json=as_json) from exc


def _body_from(file: Path | None, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if file is not None:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{file} is not JSON: {exc}", field="file") from exc
        if not isinstance(loaded, dict):
            raise InvalidInput(f"{file} must hold a JSON object", field="file")
        body.update(loaded)
    body.update({name: value for name, value in fields.items() if value not in (None, [])})
    return body


def emit(data: Any, *, as_json: bool, human: Callable[[Any], None]) -> None:
    """One line of JSON, or `human`'s rendering of it."""
    if as_json:
        typer.echo(json.dumps(data))
    else:
        human(data)
