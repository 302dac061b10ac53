"""A rerun attaches to an existing job only if it was made with the same PHI setting."""

from __future__ import annotations

from medscribe.backends.base import Job, JobStatus
from medscribe.batch.runner import _same_request
from medscribe.request import build_options


def job(content_identification: str | None) -> Job:
    return Job(
        name="visit", status=JobStatus.COMPLETED, content_identification=content_identification
    )


def test_a_job_without_phi_does_not_stand_for_a_request_with_it() -> None:
    with_phi = build_options(content_identification="phi")
    without = build_options()

    assert _same_request(job("PHI"), with_phi)
    assert _same_request(job(None), without)
    assert not _same_request(job(None), with_phi)
    assert not _same_request(job("PHI"), without)
