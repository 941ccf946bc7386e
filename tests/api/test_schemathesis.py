"""Schemathesis over our OpenAPI document and the vendor's Swagger files, in-process.

Two sources of requests, one rule for the answers:

- our own document, /api-docs/openapi.json: every operation;
- the vendor's Swagger 2.0 files (`SPEC_DIR`, copied from the shared spec folder): what clients
  written against Splunk On-Call send, including shapes and operations our document does not
  declare the same way (the 2018 and early-2020 bodies, the deprecated reporting v1 list).

For every operation Hypothesis generates a bounded number of requests, mostly valid, some
invalid, sent with the org's full-access key headers (what "Authorize" does in the docs). Half
of the valid ones name things that exist (the seeded team, user, policy, incident, note,
override, contact...), so they reach the handlers' real work instead of stopping at a 404.
Each answer must not be a 5xx and must match the response schema *our* document declares for
that path, method and status. Answers to the primary vendor file (2020-06) must match its
response schemas too, corrected as NOTES.md (e) 3 decides, except where we answer the live
service's shape on purpose (`LIVE_SHAPES`, each with its reason; docs/wire-notes.md); the
older files' response schemas describe shapes 2020-06 replaced and are not checked. Runs once
per database backend (the `app` fixture carries it); all failures of a run are
reported together, and the number of cases each run sent is printed (`-s` shows it).

The operations are walked in one test rather than through `schema.parametrize()`, whose
pytest-fixture loader does not work with this pytest version.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    CheckFunction,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from openoncall.container import Container
from tests.api.incident_builders import open_alert_incident
from tests.api.scheduling_builders import make_ops_team
from tests.conftest import Org

# The vendor's files, from the shared spec folder beside the checkout (the same for every
# developer and for CI); OPENONCALL_VENDOR_SPEC_DIR points elsewhere.
SPEC_DIR = Path(
    os.environ.get(
        "OPENONCALL_VENDOR_SPEC_DIR", Path(__file__).resolve().parents[3] / "shared" / "spec"
    )
)
# Newest first: an older file's operation runs only where its request shape differs.
VENDOR_FILES = [
    "victorops-public-api.v0.0.3-2020-06.swagger.yaml",
    "victorops-public-api.v0.0.3-2020-02.swagger.yaml",
    "victorops-public-api.v0.0.2-2018-03.swagger.yaml",
]
# Examples per operation: 111 of ours and 159 distinct vendor ones must take well under a
# minute per backend; OPENONCALL_SCHEMATHESIS_EXAMPLES raises it for a deeper run by hand.
MAX_EXAMPLES = int(os.environ.get("OPENONCALL_SCHEMATHESIS_EXAMPLES", "4"))
# Vendor operations we answer with a 404 on purpose, and why (no schema of ours to match).
NOT_SERVED = {
    # Deprecated in 2020-02 and gone from the 2020-06 contract (NOTES.md): clients use v2.
    ("GET", "/api-reporting/v1/incidents"),
}

Operation = schemathesis.APIOperation[Any, Any, Any, Any]
Validate = Callable[[schemathesis.Case[Any], Any], None]


@dataclass
class Tally:
    operations: int = 0
    cases: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def line(self, name: str, backend: str) -> str:
        return (
            f"schemathesis {name} [{backend}]: {self.operations} operations, "
            f"{self.cases} cases, statuses {dict(sorted(self.statuses.items()))}"
        )


@pytest.fixture
def ground(api: TestClient, container: Container, org: Org) -> dict[str, str]:
    """Things that exist, by path-parameter name: a team with a rotation and a policy, users
    alice..dave, an open incident from an alert with a note, an override and a contact."""
    ops = make_ops_team(api, container, org.org_id)
    opened = open_alert_incident(
        container, org.org_id, "disk-full", state_message="Disk full", policies=[ops.policy]
    )
    number = str(opened.number)
    note = api.post(
        f"/api-public/v1/incidents/{number}/notes", json={"name": "seed", "json_value": {}}
    )
    assert note.status_code == 200, note.text
    override = api.post(
        "/api-public/v1/overrides",
        json={
            "username": "bob",
            "timezone": "UTC",
            "start": "2026-01-06T09:00:00",
            "end": "2026-01-06T17:00:00",
        },
    )
    assert override.status_code == 200, override.text
    emails = api.get("/api-public/v1/user/alice/contact-methods/emails").json()
    rotation = api.get(f"/api-public/v2/team/{ops.team}/rotations").json()["rotations"][0]
    return {
        "user": "alice",
        "username": "alice",
        "team": ops.team,
        "policy": ops.policy,
        "policySlug": ops.policy,
        "groupId": str(rotation["groupId"]),
        "shiftId": str(rotation["shifts"][0]["shiftId"]),
        "incidentNumber": number,
        "uuid": opened.alert_uuid,
        "noteName": "seed",
        "publicId": override.json()["schedule"]["publicId"],
        "contactId": str(emails["contactMethods"][0]["id"]),
        "step": "0",
        "rule": "0",
    }


def _with_known(case: schemathesis.Case[Any], known: dict[str, str]) -> schemathesis.Case[Any]:
    for name in list(case.path_parameters or {}):
        if name in known:
            case.path_parameters[name] = known[name]
    return case


def _run(  # noqa: PLR0917  (test-local helper)
    operation: Operation,
    org: Org,
    known: dict[str, str],
    validate: Validate,
    tally: Tally,
    app: FastAPI | None = None,
) -> None:
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    # Mostly valid requests (they reach the handlers and their response models), half of them
    # on things that exist; some invalid ones (they must be 4xx, not 5xx). Negative
    # generation costs ~5x more per example.
    strategy = st.one_of(
        positive,
        positive.map(lambda case: _with_known(case, known)),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        # No shrinking: a failure is reported as found; shrinking one can take minutes.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case[Any]) -> None:
        tally.cases += 1
        # Our key headers win over generated X-VO-Api-* values (the vendor declares them).
        # A vendor file names no app: its cases go to ours in-process too.
        transport: dict[str, Any] = {} if app is None else {"app": app}
        response = case.call(headers=org.headers, **transport)
        status = str(response.status_code)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        validate(case, response)

    tally.operations += 1
    try:
        check()
    except (
        Exception,
        FailureGroup,
    ) as exc:  # each check failure names the operation, request and response
        tally.failures.append(f"{operation.label}: {type(exc).__name__}: {exc!s}")


def _ours(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/api-docs/openapi.json", app)


def _operations(schema: Any, tally: Tally) -> Iterable[Operation]:
    found = []
    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            found.append(result.ok())
        else:
            tally.failures.append(f"operation not testable: {result.err()}")
    # Deletes last, so the seeded things they remove are there for everything else.
    return sorted(found, key=lambda op: op.method.upper() == "DELETE")


def test_every_operation_conforms_to_the_openapi_document(
    app: FastAPI, org: Org, ground: dict[str, str], backend: str
) -> None:
    def validate(case: schemathesis.Case[Any], response: Any) -> None:
        case.validate_response(
            response,
            checks=[not_a_server_error, response_schema_conformance],
            headers=org.headers,
        )

    tally = Tally()
    for operation in _operations(_ours(app), tally):
        _run(operation, org, ground, validate, tally)
    print(tally.line("openapi.json", backend))  # noqa: T201  (the case counts, with -s)
    assert tally.operations >= 100
    assert tally.failures == [], "\n\n".join(tally.failures)


def _shape(spec: dict[str, Any], method: str, path: str) -> str:
    """What a vendor operation sends (path, parameters and body, references inlined), as a
    fingerprint: operations equal in it across the files are run once."""

    def inline(node: Any, depth: int = 0) -> Any:
        if depth > 12:
            return None
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                target: Any = spec
                for part in ref[2:].split("/"):
                    target = target.get(part, {})
                return inline(target, depth + 1)
            return {
                k: inline(v, depth + 1)
                for k, v in node.items()
                if k not in ("description", "summary", "example", "x-example")
            }
        if isinstance(node, list):
            return [inline(v, depth + 1) for v in node]
        return node

    item = spec["paths"][path]
    operation = item[method.lower()]
    params = inline(item.get("parameters", [])) + inline(operation.get("parameters", []))
    template = re.sub(r"\{[^}]+\}", "{}", path)
    return json.dumps([method.upper(), template, params], sort_keys=True)


def _corrected(spec: dict[str, Any]) -> dict[str, Any]:
    """The primary file with the corrections NOTES.md (e) 3 decides on, plus one reading: a
    value a thing does not have (a user who never set a password, an incident without a
    host) is null; the Swagger types such fields as plain strings and says nothing of absence."""
    spec = copy.deepcopy(spec)
    definitions = spec["definitions"]
    for definition in definitions.values():
        for prop in definition.get("properties", {}).values():
            if prop.get("type") == "string":
                prop["x-nullable"] = True
    # A push rule names no contact (it goes to every device): its contact is null.
    definitions["Contact"]["x-nullable"] = True
    # "TeamMember.verified is typed string while V1User.verified is bool": both are booleans.
    definitions["TeamMember"]["properties"]["verified"] = {"type": "boolean"}
    # "The TimeoutDescription enum says 'minute' where the endpoint description says
    # 'minutes'": the description's strings.
    definitions["TimeoutDescription"]["enum"] = [
        "If still unacked after 1 minute",
        *(f"If still unacked after {n} minutes" for n in (5, 10, 15, 20, 25, 30, 45, 60)),
    ]
    return spec


# Operations of the primary file whose answers are not checked against its response schema,
# because we answer the live service's shape on purpose (docs/wire-notes.md, NOTES.md (e) 3,
# (f), (g)); our own document declares what we answer, and that is checked for them too.
LIVE_SHAPES = {
    ("GET", "/api-public/v1/user"): "users nested in a second array: {users: [[...]]}",
    ("POST", "/api-public/v1/user/batch"): "the live reply {users: [{username, _selfUrl, errors}]}",
    ("GET", "/api-public/v1/incidents/{}/notes"): "a list of notes; the Swagger says one",
    ("GET", "/api-public/v1/webhooks"): "spelled webHooks, capital H",
    # Contact lists are {contactMethods: [...]}, the combined one {phones: {...}, emails: {...},
    # devices: {...}}; one contact is an object, where the Swagger declares an array.
    **{
        ("GET", f"/api-public/v1/user/{{}}/contact-methods{tail}"): "contact methods"
        for tail in (
            "",
            "/devices",
            "/devices/{}",
            "/emails",
            "/emails/{}",
            "/phones",
            "/phones/{}",
        )
    },
}


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_vendor_swagger_requests_get_answers_our_document_declares(
    app: FastAPI, org: Org, ground: dict[str, str], backend: str
) -> None:
    ours = _ours(app)
    primary = VENDOR_FILES[0]

    def validate(case: schemathesis.Case[Any], response: Any, *, vendor_answers: bool) -> None:
        method, template = case.method.upper(), _template(case.operation.path)
        checks: list[CheckFunction] = [not_a_server_error]
        if vendor_answers and (method, template) not in LIVE_SHAPES:
            checks.append(response_schema_conformance)
        case.validate_response(response, checks=checks, headers=org.headers)
        own = ours.find_operation_by_path(method, case.formatted_path)
        if own is None:
            assert (method, template) in NOT_SERVED, f"{method} {case.formatted_path} not ours"
            assert response.status_code == 404, response.text
            assert "error" in response.json(), response.text
            return
        own.validate_response(response)

    tally = Tally()
    seen: set[str] = set()
    for name in VENDOR_FILES:
        spec = schemathesis.openapi.from_path(SPEC_DIR / name).raw_schema
        # Answers are held to the primary contract only; the older files' response schemas
        # describe shapes it replaced (ActiveIncidentInfo and the like).
        is_primary = name == primary
        schema = schemathesis.openapi.from_dict(_corrected(spec) if is_primary else spec)
        for operation in _operations(schema, tally):
            shape = _shape(spec, operation.method, operation.path)
            if shape in seen:
                continue
            seen.add(shape)
            check = functools.partial(validate, vendor_answers=is_primary)
            _run(operation, org, ground, check, tally, app=app)
    print(tally.line("vendor swagger", backend))  # noqa: T201
    assert tally.operations >= 83
    assert tally.failures == [], "\n\n".join(tally.failures)
