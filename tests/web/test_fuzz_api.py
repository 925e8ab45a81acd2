"""Schemathesis against the JSON API, in-process on the WSGI app, with the demo week seeded.

Every operation of /api/v1/openapi.json, with valid and invalid input: no server error,
and each answer (errors included) matches the status codes, content types and schemas
the document promises.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

pytestmark = pytest.mark.fuzz


def test_api_conforms_to_its_openapi_document(app, demo):
    # Built here rather than with schemathesis.pytest.from_fixture, which does not run
    # under this pytest; one strategy covers every operation.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    cases = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=settings().max_examples * 4,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=cases)
    def call(case):
        # Left out, as they judge deliberate choices rather than failures: a well-formed
        # value the data does not hold (scope=ÁFYËE) is a documented 400 the types cannot
        # express, and an empty filter (key=) means no filter, as on the programme page.
        case.call_and_validate(excluded_checks=[positive_data_acceptance, negative_data_rejection])

    call()
