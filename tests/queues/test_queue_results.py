from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.gateway.jobs import CompletionJob
from shared.moderation.jobs import ModerationJob


@pytest.mark.parametrize("queue", ["conversation-events", "completion-jobs-poison", "moderation-requests"])
def test_jobs_may_not_post_results_to_the_platforms_own_queues(queue: str) -> None:
    with pytest.raises(ValidationError, match="own queues"):
        CompletionJob(model="m", request={}, result_queue=queue)
    with pytest.raises(ValidationError, match="own queues"):
        ModerationJob(content="x", result_queue=queue)


@pytest.mark.parametrize("queue", ["Upper", "a", "double--dash", "-leading", "x" * 64])
def test_result_queue_must_be_a_valid_storage_queue_name(queue: str) -> None:
    with pytest.raises(ValidationError):
        ModerationJob(content="x", result_queue=queue)


def test_a_service_queue_is_accepted() -> None:
    assert ModerationJob(content="x", result_queue="titles-results").result_queue == "titles-results"
    assert CompletionJob(model="m", request={}, result_queue=None).result_queue is None
