"""Stateful fuzzing: sequences of calls chained by the links between operations.

schemathesis infers the links from the OpenAPI document (an article created by POST is then
read, patched, bookmarked, hidden, reported on and retracted by its id; a key created is
revoked; a topic followed is unfollowed...) and checks every step with every check, including
the stateful ones: a resource just created can be fetched, and one just deleted is gone.

Every sequence starts from the same freshly seeded newsroom. Replaying a failing sequence can
still draw differently (schemathesis learns from the responses it has seen), which Hypothesis
reports as flaky: the test then fails with the failures the sequences found.
"""

from typing import Any, ClassVar

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky

from tests.hardening.conftest import (
    SEQUENCES_APP,
    World,
    restore_sequences_database,
    schema_of,
)

SEQUENCES = 50
STEPS_PER_SEQUENCE = 10

schema = schema_of(SEQUENCES_APP)


class NewsroomSequences(schema.as_state_machine()):  # type: ignore[misc]
    headers: ClassVar[dict[str, str]] = {}
    failures: ClassVar[list[str]] = []

    def setup(self) -> None:
        restore_sequences_database()

    def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
        return {"headers": self.headers}

    def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
        try:
            super().validate_response(response, case, *args, **kwargs)
        except Exception as failure:
            self.failures.append(
                f"{case.operation.label} answered {response.status_code}: {failure}"
            )
            raise


SEQUENCE_SETTINGS = settings(
    max_examples=SEQUENCES,
    stateful_step_count=STEPS_PER_SEQUENCE,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_call_sequences_as_an_admin_with_a_key(world: World) -> None:
    """An admin holding a key of every scope may call every operation, so every link can be
    followed."""
    NewsroomSequences.headers = world.principals.admin | world.principals.all_scopes_key
    NewsroomSequences.failures.clear()
    try:
        NewsroomSequences.run(settings=SEQUENCE_SETTINGS)
    except Flaky as flaky:
        if not NewsroomSequences.failures:
            raise
        raise AssertionError("\n\n".join(NewsroomSequences.failures)) from flaky
