"""Schemathesis over the app's own OpenAPI document, in-process, authenticated.

For every operation in /api-docs/openapi.json, Hypothesis generates a bounded number of
requests, mostly valid, some invalid, sent with the org's full-access key headers (what "Authorize"
does in the docs). Each response must not be a 5xx and must match the schema declared for its
status code. Runs once per database backend, like every other database test (the `app`
fixture carries the backend); all operations' failures are reported together.

The operations are walked in one test rather than through `schema.parametrize()`, whose
pytest-fixture loader does not work with this pytest version.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from tests.conftest import Org

# Examples per operation: ~100 operations must take well under a minute per backend.
MAX_EXAMPLES = 4


def _failures_of(operation: schemathesis.APIOperation[Any, Any, Any, Any], org: Org) -> str | None:
    # Mostly valid requests (they reach the handlers and their response models), some invalid
    # ones (they must be 4xx, not 5xx). Negative generation costs ~5x more per example.
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.POSITIVE),
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
        case.call_and_validate(
            headers=org.headers, checks=[not_a_server_error, response_schema_conformance]
        )

    try:
        check()
    except Exception as exc:  # each check failure names the operation, request and response
        return f"{operation.label}: {type(exc).__name__}: {exc!s}"
    return None


def test_every_operation_conforms_to_the_openapi_document(app: FastAPI, org: Org) -> None:
    schema = schemathesis.openapi.from_asgi("/api-docs/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"operation not testable: {result.err()}")
            continue
        operations += 1
        failure = _failures_of(result.ok(), org)
        if failure is not None:
            failures.append(failure)
    assert operations >= 3
    assert failures == [], "\n\n".join(failures)
