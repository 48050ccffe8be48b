"""Schema-driven fuzzing of every operation with schemathesis, as three kinds of caller.

Every check is on: no 5xx, responses (status codes, headers, bodies, content types) conform
to the OpenAPI document, invalid data is rejected with 4xx, and wrong methods get 405.
Generation is derandomized, so a failure reproduces.
"""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from tests.hardening.conftest import WORLD_APP, World, schema_of

EXAMPLES_PER_OPERATION = 12


# Every operation but the deletion of the caller's own account: the callers are shared by
# every test, and a deleted one would meet a 401 everywhere after it (a pass for every check),
# leaving what needs an account untried. tests/users and tests/reader delete accounts.
schema = schema_of(WORLD_APP).exclude(method="DELETE", path="/v1/me")


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_as_a_reader(case: schemathesis.Case[Any], world: World) -> None:
    case.call_and_validate(headers=world.principals.reader)


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_as_an_editor(case: schemathesis.Case[Any], world: World) -> None:
    case.call_and_validate(headers=world.principals.editor)


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_with_a_partner_key(case: schemathesis.Case[Any], world: World) -> None:
    case.call_and_validate(headers=world.principals.feeds_key)
