"""Built-in tasks."""

from __future__ import annotations

from typing import Any

from steward.jobs.queue import JobContext, task


@task("audit.verify")
def verify_audit_chain(ctx: JobContext) -> dict[str, Any]:
    """Recompute the organisation's change-record chain, reporting progress."""
    from steward.audit.chain import verify
    from steward.audit.models import ChangeRecord
    from steward.organisations.models import Organisation

    organisation = Organisation.objects.get(pk=ctx.organisation_id)
    ctx.set_total(ChangeRecord.objects.filter(organisation=organisation).count())
    report = verify(organisation, progress=ctx.advance)
    return {"ok": report.ok, "records": report.records, "message": report.describe()}
