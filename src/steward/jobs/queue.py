"""The queue abstraction: ``@task`` registers a function, ``enqueue`` stores a job, a worker runs it.

Workers claim jobs with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the IMMEDIATE
transaction already serialises claims. Each job runs as the system actor ``worker`` on behalf of the user
who asked, so its writes land in the audit trail with a named actor.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from steward.audit.context import Actor, acting_as
from steward.jobs.models import Job, JobStatus

log = logging.getLogger("steward.jobs")

TaskFunc = Callable[..., Any]
_tasks: dict[str, TaskFunc] = {}


class JobContext:
    """Handed to a task: report progress, know the organisation and the actor."""

    def __init__(self, job: Job, actor: Actor) -> None:
        self.job = job
        self.actor = actor
        self.organisation_id = job.organisation_id

    def set_total(self, total: int) -> None:
        Job.objects.filter(pk=self.job.pk).update(total=total)

    def advance(self, steps: int = 1) -> None:
        self.job.progress += steps
        # Progress is cheap to lose: write at most every 1% so a big job does not hammer the database.
        if self.job.total is None or self.job.progress % max(1, (self.job.total or 100) // 100) == 0:
            Job.objects.filter(pk=self.job.pk).update(progress=self.job.progress)


def task(name: str) -> Callable[[TaskFunc], TaskFunc]:
    def decorate(func: TaskFunc) -> TaskFunc:
        _tasks[name] = func
        return func

    return decorate


def registered_tasks() -> dict[str, TaskFunc]:
    return dict(_tasks)


def enqueue(name: str, *, organisation_id: int, by: Actor, **arguments: Any) -> Job:
    from steward.audit.services import record_event

    if name not in _tasks:
        raise LookupError(f"no task named {name!r}")
    with transaction.atomic():
        job = Job.objects.create(
            organisation_id=organisation_id,
            task=name,
            arguments=arguments,
            requested_by=by.user,
            requested_by_label=by.label,
        )
        record_event(
            organisation_id=organisation_id, event="job.enqueued", obj=job, by=by, changes={"task": name}
        )
    return job


def claim_next() -> Job | None:
    with transaction.atomic():
        qs = Job.objects.filter(status=JobStatus.QUEUED).order_by("created")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        job = qs.first()
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.started = timezone.now()
        job.save(update_fields=["status", "started"])
        return job


def run_job(job: Job) -> Job:
    func = _tasks.get(job.task)
    on_behalf = job.requested_by_label or "unknown"
    actor = Actor(label=f"system:worker for {on_behalf}", kind="system")
    try:
        if func is None:
            raise LookupError(f"no task named {job.task!r} in this worker")
        with acting_as(actor, request_id=f"job-{job.uid.hex}"):
            result = func(JobContext(job, actor), **job.arguments)
        job.status, job.result = JobStatus.SUCCEEDED, result
    except Exception as exc:  # a failing task must not kill the worker; the error is kept on the job
        log.exception("job %s failed", job.uid)
        job.status = JobStatus.FAILED
        job.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
    job.finished = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=job.status, result=job.result, error=job.error, finished=job.finished, progress=job.progress
    )
    return job


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs until none are left (or ``limit``); returns how many ran."""
    count = 0
    while limit is None or count < limit:
        job = claim_next()
        if job is None:
            break
        run_job(job)
        count += 1
    return count


def work_forever(poll_seconds: float = 1.0, stop: threading.Event | None = None) -> None:
    from steward.jobs import tasks  # noqa: F401  (registers the built-in tasks)

    log.info("worker started")
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()
        try:
            ran = run_pending(limit=10)
        except Exception:
            log.exception("worker loop error")
            ran = 0
        if not ran:
            stop.wait(poll_seconds)
    close_old_connections()


def start_worker_thread(poll_seconds: float = 1.0) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(
        target=work_forever, args=(poll_seconds, stop), name="steward-worker", daemon=True
    )
    thread.start()
    time.sleep(0)
    return thread, stop
