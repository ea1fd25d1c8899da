"""Statement of Applicability pages (ISO/IEC 42001 6.1.3): versions, the per-control table edited inline with
htmx, validation, approval, comparison of versions and exports.

Every record is loaded through ``objects.restrict()`` (outsiders get 404) and every write calls
``steward.soa.services``. Writes to an approved or superseded version answer 409 with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views import View

from steward.audit.context import Actor
from steward.core import registry
from steward.core.charts import bar_chart
from steward.core.htmx import htmx_redirect, is_htmx_partial, render_htmx
from steward.core.roles import Action
from steward.core.views import (
    ModelViews,
    ObjectDeleteView,
    ObjectEditView,
    OrganisationViewMixin,
    actor_for,
)
from steward.soa import filters, forms, services, tables
from steward.soa.choices import ImplementationStatus, SoAStatus
from steward.soa.models import SoAEntry, StatementOfApplicability

EXPORT_FORMATS = ("xlsx", "pdf", "csv", "oscal")
EXPORT_LABELS = {"xlsx": "XLSX", "pdf": "PDF", "csv": "CSV", "oscal": "OSCAL"}


def frozen_response(request: HttpRequest, soa: StatementOfApplicability | None, message: str) -> HttpResponse:
    """409: the version is a frozen record; the page says why and offers a new draft."""
    context = {
        "object": soa,
        "message": message,
        "list_url": reverse(StatementOfApplicabilityViews.name("list")),
    }
    return render_htmx(request, "soa/frozen.html", "soa/_frozen.html", context, status=409)


class FrozenAwareMixin:
    """Turns a refused write to a frozen version into a 409 page instead of a form error."""

    kwargs: dict[str, Any]
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except services.FrozenVersionError as exc:
            soa = getattr(exc, "soa", None)
            return frozen_response(request, soa, " ".join(exc.messages))


def _frozen(soa: StatementOfApplicability, verb: str = "") -> services.FrozenVersionError:
    exc = services.FrozenVersionError(services.frozen_message(soa, verb), code="frozen")
    exc.soa = soa  # type: ignore[attr-defined]
    return exc


class StatementEditView(FrozenAwareMixin, ObjectEditView):
    def get_instance(self) -> Any:
        obj = super().get_instance()
        if obj.pk and not obj.is_draft:
            raise _frozen(obj)
        return obj


class StatementDeleteView(FrozenAwareMixin, ObjectDeleteView):
    def get_deletable(self) -> Any:
        obj = super().get_deletable()
        if not obj.is_draft:
            raise _frozen(obj, "deleted")
        return obj


def objective_groups(entries: list[SoAEntry]) -> list[dict[str, Any]]:
    """Entries grouped under their Annex A objective (A.2 … A.10), additional controls last."""
    groups: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for entry in entries:
        parent = entry.node.parent if entry.node is not None else None
        gid = parent.label if parent is not None else ""
        group = by_id.get(gid)
        if group is None:
            group = {
                "id": gid,
                "title": parent.title
                if parent is not None
                else "Additional controls (the organisation's own)",
                "entries": [],
            }
            by_id[gid] = group
            groups.append(group)
        group["entries"].append(entry)
    return groups


def statement_counts(entries: list[SoAEntry]) -> dict[str, int]:
    applicable = [e for e in entries if e.applicable is True]
    return {
        "total": len(entries),
        "applicable": len(applicable),
        "excluded": sum(1 for e in entries if e.applicable is False),
        "undecided": sum(1 for e in entries if e.applicable is None),
        "implemented": sum(
            1 for e in applicable if e.implementation_status == ImplementationStatus.IMPLEMENTED
        ),
        "in_progress": sum(
            1 for e in applicable if e.implementation_status == ImplementationStatus.IN_PROGRESS
        ),
        "not_started": sum(
            1 for e in applicable if e.implementation_status == ImplementationStatus.NOT_STARTED
        ),
    }


def soa_urls(soa: StatementOfApplicability) -> dict[str, str]:
    kw = {"key": soa.key}
    return {
        "validate_url": reverse("soa:validate", kwargs=kw),
        "approve_url": reverse("soa:approve", kwargs=kw),
        "compare_url": reverse("soa:compare", kwargs=kw),
        "export_url": reverse("soa:export", kwargs=kw),
        "additional_url": reverse("soa:additional", kwargs=kw),
        "new_draft_url": reverse("soa:new_draft"),
    }


class StatementOfApplicabilityViews(ModelViews):
    """The versions of the SoA; new ones start from every Annex A control, drafts are edited per control."""

    model = StatementOfApplicability
    form_class = forms.StatementOfApplicabilityForm
    table_class = tables.StatementOfApplicabilityTable
    filterset_class = filters.StatementOfApplicabilityFilterSet
    search_fields = ("title", "scope", "notes")
    select_related = ("approved_by", "framework", "organisation")
    url_path = "statements"
    detail_template = "soa/statement_detail.html"
    detail_partial = "soa/_statement_detail.html"

    @classmethod
    def save(cls, form: Any, *, organisation_id: int, by: Actor) -> Any:
        data = {
            name: form.cleaned_data.get(name) or "" for name in services.SOA_FIELDS if name in form.fields
        }
        if form.instance.pk is None:
            return services.create_soa(organisation_id, by=by, **data)
        return services.update_soa(form.instance, data, by=by)

    @classmethod
    def delete(cls, obj: Any, *, by: Actor) -> None:
        services.delete_soa(obj, by=by)

    @classmethod
    def detail_context(cls, view: Any, obj: Any) -> dict[str, Any]:
        request = view.request
        entries = list(services.entries_for_display(obj))
        for entry in entries:
            entry.can_edit = obj.is_draft and view.can(SoAEntry, Action.CHANGE, entry)  # type: ignore[attr-defined]
        problems = services.validate_entries(entries)
        counts = statement_counts(entries)
        others = list(
            StatementOfApplicability.objects.restrict(request.user, Action.VIEW, view.organisation)
            .exclude(pk=obj.pk)
            .order_by("-version")
            .values_list("version", "status", "key")
        )
        open_draft = obj.key if obj.is_draft else next((k for _, s, k in others if s == SoAStatus.DRAFT), "")
        return {
            "entries": entries,
            "groups": objective_groups(entries),
            "problems": problems,
            "counts": counts,
            "decision_chart": bar_chart(
                ["Applicable", "Excluded", "Undecided"],
                [counts["applicable"], counts["excluded"], counts["undecided"]],
                title="Decisions on the controls",
                width=300,
                height=150,
            ),
            "implementation_chart": bar_chart(
                ["Implemented", "In progress", "Not started"],
                [counts["implemented"], counts["in_progress"], counts["not_started"]],
                title="Implementation of the applicable controls",
                width=300,
                height=150,
            ),
            "other_versions": [(v, s) for v, s, _ in others],
            "open_draft_url": reverse(cls.name("detail"), kwargs={"key": open_draft}) if open_draft else "",
            "export_formats": [(f, EXPORT_LABELS[f]) for f in EXPORT_FORMATS],
            # A frozen version is never edited or deleted; the buttons go, the pages answer 409.
            "can_change": obj.is_draft and view.can(StatementOfApplicability, Action.CHANGE, obj),
            "can_delete": obj.is_draft and view.can(StatementOfApplicability, Action.DELETE, obj),
            "can_approve": obj.is_draft and view.can(StatementOfApplicability, Action.APPROVE, obj),
            "can_new_draft": view.can(StatementOfApplicability, Action.ADD),
            "can_add_entry": obj.is_draft and view.can(SoAEntry, Action.ADD),
            **soa_urls(obj),
        }

    @classmethod
    def urls(cls) -> list[Any]:
        p = cls.url_path
        edit, delete = cls.name("edit").split(":")[1], cls.name("delete").split(":")[1]
        generic = [u for u in super().urls() if u.name not in (edit, delete)]
        return [
            path(f"{p}/new-draft/", NewDraftView.as_view(), name="new_draft"),
            *generic,
            path(f"{p}/<str:key>/edit/", StatementEditView.as_view(mv=cls), name=edit),
            path(f"{p}/<str:key>/delete/", StatementDeleteView.as_view(mv=cls), name=delete),
            path(f"{p}/<str:key>/validate/", ValidateView.as_view(), name="validate"),
            path(f"{p}/<str:key>/approve/", ApproveView.as_view(), name="approve"),
            path(f"{p}/<str:key>/compare/", CompareView.as_view(), name="compare"),
            path(f"{p}/<str:key>/export/", ExportView.as_view(), name="export"),
            path(f"{p}/<str:key>/additional/", AdditionalControlView.as_view(), name="additional"),
            path(f"{p}/<str:key>/entries/<str:entry_key>/", EntryRowView.as_view(), name="entry_row"),
            path(f"{p}/<str:key>/entries/<str:entry_key>/edit/", EntryEditView.as_view(), name="entry_edit"),
            path(
                f"{p}/<str:key>/entries/<str:entry_key>/history/",
                EntryHistoryView.as_view(),
                name="entry_history",
            ),
        ]


# ------------------------------------------------------------------------------------------------ base
class SoAViewMixin(FrozenAwareMixin, OrganisationViewMixin):
    def get_soa(self, key: str) -> StatementOfApplicability:
        qs = StatementOfApplicability.objects.restrict(self.request.user, Action.VIEW, self.organisation)
        return get_object_or_404(qs.select_related("framework", "organisation", "approved_by"), key=key)

    def require(self, model: Any, action: str, obj: Any = None) -> None:
        if not self.can(model, action, obj):
            raise PermissionDenied(f"Your role may not {action} {model._meta.verbose_name_plural}.")

    def require_draft(self, soa: StatementOfApplicability) -> None:
        if not soa.is_draft:
            raise _frozen(soa)

    def detail_url(self, soa: StatementOfApplicability, entry: SoAEntry | None = None) -> str:
        url = soa.get_absolute_url()
        return f"{url}#entry-{entry.key}" if entry is not None else url

    def soa_context(self, soa: StatementOfApplicability, **extra: Any) -> dict[str, Any]:
        return {
            "object": soa,
            "detail_url": soa.get_absolute_url(),
            "list_url": reverse(StatementOfApplicabilityViews.name("list")),
            **soa_urls(soa),
            **extra,
        }


class EntryViewMixin(SoAViewMixin):
    def entries(self, soa: StatementOfApplicability) -> QuerySet[SoAEntry]:
        visible = SoAEntry.objects.restrict(self.request.user, Action.VIEW, self.organisation).values("pk")
        return services.entries_for_display(soa).filter(pk__in=visible)

    def get_entry(self, key: str, entry_key: str) -> tuple[StatementOfApplicability, SoAEntry]:
        soa = self.get_soa(key)
        entry = get_object_or_404(self.entries(soa), key=entry_key)
        entry.soa = soa
        return soa, entry

    def row(self, soa: StatementOfApplicability, entry: SoAEntry, status: int = 200) -> HttpResponse:
        entry = self.entries(soa).get(pk=entry.pk)
        entry.soa = soa
        entry.can_edit = soa.is_draft and self.can(SoAEntry, Action.CHANGE, entry)  # type: ignore[attr-defined]
        response = render(
            self.request, "soa/_entry_row.html", self.soa_context(soa, entry=entry), status=status
        )
        patch_vary_headers(response, ("HX-Request",))
        return response


# ------------------------------------------------------------------------------------------------ entries
class EntryRowView(EntryViewMixin, View):
    """One row of the SoA table (htmx swaps it back in after an edit is cancelled)."""

    def get(self, request: HttpRequest, key: str, entry_key: str) -> HttpResponse:
        soa, entry = self.get_entry(key, entry_key)
        if not is_htmx_partial(request):
            return redirect(self.detail_url(soa, entry))
        return self.row(soa, entry)


class EntryEditView(EntryViewMixin, View):
    """Inline editor of one control's decision: GET the form row, POST it back, get the row (or errors)."""

    def prepare(self, key: str, entry_key: str) -> tuple[StatementOfApplicability, SoAEntry]:
        soa, entry = self.get_entry(key, entry_key)
        self.require(SoAEntry, Action.CHANGE, entry)
        self.require_draft(soa)
        return soa, entry

    def respond(self, soa: StatementOfApplicability, form: forms.SoAEntryForm) -> HttpResponse:
        context = self.soa_context(
            soa,
            entry=form.entry,
            form=form,
            action_url=reverse("soa:entry_edit", kwargs={"key": soa.key, "entry_key": form.entry.key}),
            row_url=reverse("soa:entry_row", kwargs={"key": soa.key, "entry_key": form.entry.key}),
        )
        return render_htmx(self.request, "soa/entry_edit.html", "soa/_entry_edit_row.html", context)

    def get(self, request: HttpRequest, key: str, entry_key: str) -> HttpResponse:
        soa, entry = self.prepare(key, entry_key)
        return self.respond(soa, forms.SoAEntryForm(entry=entry, user=request.user))

    def post(self, request: HttpRequest, key: str, entry_key: str) -> HttpResponse:
        soa, entry = self.prepare(key, entry_key)
        form = forms.SoAEntryForm(request.POST, entry=entry, user=request.user)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.ENTRY_FIELDS}
            try:
                services.update_entry(entry, data, by=actor_for(request))
            except services.FrozenVersionError:
                raise
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if not is_htmx_partial(request):
                    messages.success(request, f"Saved {entry.control_id}.")
                    return redirect(self.detail_url(soa, entry))
                response = self.row(soa, entry)
                response["HX-Trigger"] = "soa-changed"
                return response
        return self.respond(soa, form)


class EntryHistoryView(EntryViewMixin, View):
    """The change records of one entry (object type ``soa.soaentry``)."""

    def get(self, request: HttpRequest, key: str, entry_key: str) -> HttpResponse:
        from steward.audit.models import ChangeRecord
        from steward.audit.signals import object_type

        soa, entry = self.get_entry(key, entry_key)
        records = (
            ChangeRecord.objects.restrict(request.user, Action.VIEW, self.organisation)
            .filter(object_type=object_type(SoAEntry), object_id=entry.public_id)
            .order_by("-sequence")
        )
        context = self.soa_context(soa, entry=entry, records=records)
        return render_htmx(request, "soa/entry_history.html", "soa/_entry_history.html", context)


class AdditionalControlView(SoAViewMixin, View):
    """Add a control of the organisation's own to a draft."""

    def prepare(self, key: str) -> StatementOfApplicability:
        soa = self.get_soa(key)
        self.require(SoAEntry, Action.ADD)
        self.require_draft(soa)
        return soa

    def respond(
        self, soa: StatementOfApplicability, form: forms.AdditionalControlForm, status: int = 200
    ) -> Any:
        return render_htmx(
            self.request,
            "soa/additional.html",
            "soa/_additional_form.html",
            self.soa_context(soa, form=form),
            status,
        )

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        return self.respond(self.prepare(key), forms.AdditionalControlForm())

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        soa = self.prepare(key)
        form = forms.AdditionalControlForm(request.POST)
        if form.is_valid():
            try:
                entry = services.add_additional_control(
                    soa,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    by=actor_for(request),
                )
            except services.FrozenVersionError:
                raise
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(request, f"Added {entry.key} {entry.additional_title}; now decide on it.")
                return htmx_redirect(request, self.detail_url(soa, entry))
        return self.respond(soa, form)  # 200 with inline errors, so htmx swaps them in


# ---------------------------------------------------------------------------------------- version actions
class ValidateView(SoAViewMixin, View):
    """The validation panel: every problem, each naming its control, or "Ready for approval"."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        soa = self.get_soa(key)
        context = self.soa_context(
            soa,
            problems=services.validate_soa(soa),
            can_approve=soa.is_draft and self.can(StatementOfApplicability, Action.APPROVE, soa),
        )
        return render_htmx(request, "soa/validate.html", "soa/_validation.html", context)


class ApproveView(SoAViewMixin, View):
    """Approval by a manager or admin, with a note; an incomplete SoA shows its problems instead."""

    def prepare(self, key: str) -> StatementOfApplicability:
        soa = self.get_soa(key)
        if not self.can(StatementOfApplicability, Action.APPROVE, soa):
            raise PermissionDenied("Only a manager or an admin may approve the Statement of Applicability.")
        self.require_draft(soa)
        return soa

    def respond(
        self, soa: StatementOfApplicability, form: Any, problems: Any, status: int = 200
    ) -> HttpResponse:
        context = self.soa_context(soa, form=form, problems=problems)
        return render_htmx(self.request, "soa/approve.html", "soa/_approve_form.html", context, status)

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        soa = self.prepare(key)
        return self.respond(soa, forms.ApprovalForm(), services.validate_soa(soa))

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        soa = self.prepare(key)
        form = forms.ApprovalForm(request.POST)
        if not form.is_valid():
            return self.respond(soa, form, [], status=400)
        try:
            soa = services.approve_soa(soa, by=actor_for(request), note=form.cleaned_data["note"])
        except services.ApprovalRefused as exc:
            return self.respond(soa, form, exc.problems, status=400)
        except services.FrozenVersionError:
            raise
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
            return self.respond(soa, form, [], status=400)
        messages.success(request, f"Approved v{soa.version}; it is now frozen.")
        return htmx_redirect(request, soa.get_absolute_url())


class NewDraftView(SoAViewMixin, View):
    """Start the next version as a copy of the latest approved one (one draft at a time)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        self.require(StatementOfApplicability, Action.ADD)
        try:
            soa = services.new_draft(self.organisation, by=actor_for(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            draft = (
                StatementOfApplicability.objects.restrict(request.user, Action.VIEW, self.organisation)
                .filter(status="draft")
                .order_by("-version")
                .first()
            )
            target = (
                draft.get_absolute_url() if draft else reverse(StatementOfApplicabilityViews.name("list"))
            )
            return htmx_redirect(request, target)
        messages.success(request, f"Started draft v{soa.version}.")
        return htmx_redirect(request, soa.get_absolute_url())


class CompareView(SoAViewMixin, View):
    """What changed between this version and another, per control."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        soa = self.get_soa(key)
        visible = StatementOfApplicability.objects.restrict(request.user, Action.VIEW, self.organisation)
        versions = list(visible.exclude(pk=soa.pk).order_by("-version").values_list("version", flat=True))
        context = self.soa_context(soa, versions=versions, diffs=None, other=None)
        against = request.GET.get("against", "").strip().lstrip("v")
        status = 200
        if against:
            if not against.isdigit():
                context["error"] = f"{against!r} is not a version number."
                status = 400
            else:
                other = get_object_or_404(
                    visible.select_related("framework", "organisation"), version=int(against)
                )
                older, newer = (other, soa) if other.version < soa.version else (soa, other)
                context.update(other=other, older=older, newer=newer, diffs=services.diff(older, newer))
        return render_htmx(request, "soa/compare.html", "soa/_compare.html", context, status)


class ExportView(SoAViewMixin, View):
    """Download one version as XLSX, PDF, CSV or OSCAL JSON (any member, auditors included)."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        soa = self.get_soa(key)
        fmt = request.GET.get("format", "xlsx")
        return export_response(soa, fmt)


def export_filename(soa: StatementOfApplicability, extension: str) -> str:
    return f"{slugify(soa.organisation.name) or 'organisation'}-soa-v{soa.version}.{extension}"


def export_response(soa: StatementOfApplicability, fmt: str) -> HttpResponse:
    from steward.soa.exports import EXPORTERS, SoAExportError

    if fmt not in EXPORTERS:
        return HttpResponse(
            f"Unknown format {fmt!r}; use one of {', '.join(sorted(EXPORTERS))}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    render, content_type, extension = EXPORTERS[fmt]
    try:
        data = render(services.build_document(soa))
    except SoAExportError as exc:
        return HttpResponse(
            f"Cannot export as {fmt}: {exc}", status=422, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(soa, extension)}"'
    return response


registry.register(StatementOfApplicabilityViews, nav_group="Planning")
