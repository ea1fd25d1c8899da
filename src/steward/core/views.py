"""Generic class-based views: a model's UI is a short ``ModelViews`` declaration.

Every view loads records through ``Model.objects.restrict(user, action, organisation)``: an outsider gets
404 (no leak of existence); a member without the right gets 403. Every write goes through a service.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.views import View
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from steward.audit.context import Actor
from steward.core import services
from steward.core.htmx import htmx_redirect, render_htmx
from steward.core.roles import Action, role_may

EXPORT_FORMATS = ("csv", "xlsx")


class ModelViews:
    """Declare a model's UI: queryset, form, filter, table. ``urls()`` builds the URL patterns."""

    model: ClassVar[Any]
    form_class: ClassVar[Any]
    table_class: ClassVar[Any]
    filterset_class: ClassVar[Any] = None
    search_fields: ClassVar[tuple[str, ...]] = ()
    select_related: ClassVar[tuple[str, ...]] = ()
    detail_fields: ClassVar[tuple[str, ...]] = ()
    url_path: ClassVar[str]
    #: full-page and htmx-partial templates of the Details tab (override for a richer page)
    #: records created elsewhere (e.g. by adopting a framework) have no add page; some are never deleted
    allow_add: ClassVar[bool] = True
    #: extra buttons on the list page for members who may add: (label, URL name); they POST
    list_actions: ClassVar[tuple[tuple[str, str], ...]] = ()
    allow_delete: ClassVar[bool] = True
    detail_template: ClassVar[str] = "generic/object_detail.html"
    detail_partial: ClassVar[str] = "generic/_object_details.html"

    @classmethod
    def save(cls, form: Any, *, organisation_id: int, by: Actor) -> Any:
        """Persist a valid form; models with richer state changes point this at their service."""
        return services.save_form(form, organisation_id=organisation_id, by=by)

    @classmethod
    def delete(cls, obj: Any, *, by: Actor) -> None:
        services.delete_object(obj, by=by)

    @classmethod
    def detail_context(cls, view: Any, obj: Any) -> dict[str, Any]:
        """Extra context for the Details tab."""
        return {}

    @classmethod
    def name(cls, action: str) -> str:
        meta = cls.model._meta
        return f"{meta.app_label}:{meta.model_name}_{action}"

    @classmethod
    def urls(cls) -> list[Any]:
        p, n = cls.url_path, cls.model._meta.model_name
        patterns = [
            path(f"{p}/", ObjectListView.as_view(mv=cls), name=f"{n}_list"),
            path(f"{p}/<str:key>/", ObjectDetailView.as_view(mv=cls), name=f"{n}_detail"),
            path(f"{p}/<str:key>/edit/", ObjectEditView.as_view(mv=cls), name=f"{n}_edit"),
            path(f"{p}/<str:key>/history/", ObjectHistoryView.as_view(mv=cls), name=f"{n}_history"),
            path(f"{p}/<str:key>/journal/", ObjectJournalView.as_view(mv=cls), name=f"{n}_journal"),
        ]
        if cls.allow_add:
            patterns.insert(1, path(f"{p}/add/", ObjectEditView.as_view(mv=cls), name=f"{n}_add"))
        if cls.allow_delete:
            patterns.append(
                path(f"{p}/<str:key>/delete/", ObjectDeleteView.as_view(mv=cls), name=f"{n}_delete")
            )
        return patterns


def actor_for(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


class OrganisationViewMixin(LoginRequiredMixin):
    """Requires a signed-in user working in an organisation they belong to."""

    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and getattr(request, "organisation", None) is None:
            return render(request, "core/no_organisation.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    @property
    def organisation(self) -> Any:
        return self.request.organisation  # type: ignore[attr-defined]

    def can(self, model: Any, action: str, obj: Any = None) -> bool:
        role = getattr(self.request, "role", None)
        owns = obj is not None and obj.is_owned_by(self.request.user)
        return role_may(role, model.permission_scope, action, owns=owns)


class ModelViewMixin(OrganisationViewMixin):
    mv: type[ModelViews] | None = None
    kwargs: dict[str, Any]

    @property
    def model(self) -> Any:
        assert self.mv is not None
        return self.mv.model

    def restricted(self, action: str = Action.VIEW) -> QuerySet[Any]:
        assert self.mv is not None
        qs = self.model.objects.restrict(self.request.user, action, self.organisation)
        if self.mv.select_related:
            qs = qs.select_related(*self.mv.select_related)
        return qs

    def get_object(self) -> Any:
        return get_object_or_404(self.restricted(Action.VIEW), key=self.kwargs["key"])

    def base_context(self, **extra: Any) -> dict[str, Any]:
        assert self.mv is not None
        meta = self.model._meta
        return {
            "mv": self.mv,
            "meta": meta,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(self.mv.name("list")),
            "add_url": reverse(self.mv.name("add")) if self.mv.allow_add else "",
            "can_add": self.mv.allow_add and self.can(self.model, Action.ADD),
            **extra,
        }

    def object_context(self, obj: Any, tab: str) -> dict[str, Any]:
        assert self.mv is not None
        return self.base_context(
            object=obj,
            tab=tab,
            can_change=self.can(self.model, Action.CHANGE, obj),
            can_delete=self.mv.allow_delete and self.can(self.model, Action.DELETE, obj),
            edit_url=reverse(self.mv.name("edit"), kwargs={"key": obj.key}),
            delete_url=reverse(self.mv.name("delete"), kwargs={"key": obj.key})
            if self.mv.allow_delete
            else "",
            detail_url=reverse(self.mv.name("detail"), kwargs={"key": obj.key}),
            history_url=reverse(self.mv.name("history"), kwargs={"key": obj.key}),
            journal_url=reverse(self.mv.name("journal"), kwargs={"key": obj.key}),
        )


class ObjectListView(ModelViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        assert self.mv is not None
        qs = self.restricted(Action.VIEW)
        query = request.GET.get("q", "").strip()
        if query and self.mv.search_fields:
            qs = qs.filter(reduce(or_, (Q(**{f"{f}__icontains": query}) for f in self.mv.search_fields)))
        filterset = None
        if self.mv.filterset_class is not None:
            filterset = self.mv.filterset_class(request.GET, queryset=qs, request=request)
            qs = filterset.qs if filterset.is_valid() else qs.none()
        table = self.mv.table_class(qs)
        export = request.GET.get("_export")
        if export:
            if export not in EXPORT_FORMATS:
                return HttpResponse(f"Unknown export format {export!r}; use csv or xlsx.", status=400)
            RequestConfig(request, paginate=False).configure(table)
            exporter = TableExport(export, table, exclude_columns=("actions",))
            return exporter.response(f"{self.model._meta.model_name}s.{export}")
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        actions = (
            [(label, reverse(name)) for label, name in self.mv.list_actions]
            if self.can(self.model, Action.ADD)
            else []
        )
        context = self.base_context(table=table, filterset=filterset, query=query, list_actions=actions)
        return render_htmx(request, "generic/object_list.html", "generic/_list_results.html", context)


class ObjectDetailView(ModelViewMixin, View):
    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        assert self.mv is not None
        obj = self.get_object()
        names = self.mv.detail_fields or tuple(
            f.name for f in self.model._meta.concrete_fields if f.editable and f.name != "id"
        )
        fields = []
        for name in names:
            field = self.model._meta.get_field(name)
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if callable(display) else getattr(obj, name)
            fields.append((field.verbose_name, value))
        context = self.object_context(obj, "details")
        context["fields"] = fields
        context.update(self.mv.detail_context(self, obj))
        return render_htmx(request, self.mv.detail_template, self.mv.detail_partial, context)


class ObjectHistoryView(ModelViewMixin, View):
    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        from steward.audit.models import ChangeRecord
        from steward.audit.signals import object_type

        obj = self.get_object()
        records = (
            ChangeRecord.objects.restrict(request.user, Action.VIEW, self.organisation)
            .filter(object_type=object_type(self.model), object_id=obj.public_id)
            .order_by("-sequence")
        )
        context = self.object_context(obj, "history")
        context["records"] = records
        return render_htmx(request, "generic/object_history.html", "generic/_object_history.html", context)


class ObjectJournalView(ModelViewMixin, View):
    def entries(self, obj: Any) -> QuerySet[Any]:
        from steward.audit.models import JournalEntry
        from steward.audit.signals import object_type

        return (
            JournalEntry.objects.restrict(self.request.user, Action.VIEW, self.organisation)
            .filter(object_type=object_type(self.model), object_id=obj.public_id)
            .select_related("created_by")
        )

    def respond(self, obj: Any, error: str = "", status: int = 200) -> HttpResponse:
        from steward.audit.choices import JournalKind
        from steward.audit.models import JournalEntry

        context = self.object_context(obj, "journal")
        context.update(
            entries=self.entries(obj),
            can_add_journal=self.can(JournalEntry, Action.ADD),
            journal_kinds=JournalKind.choices,
            journal_error=error,
        )
        return render_htmx(
            self.request, "generic/object_journal.html", "generic/_object_journal.html", context, status
        )

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        return self.respond(self.get_object())

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        from steward.audit.choices import JournalKind
        from steward.audit.services import add_journal_entry

        obj = self.get_object()
        kind = request.POST.get("kind", JournalKind.NOTE)
        if kind not in JournalKind.values:
            return self.respond(obj, f"Unknown kind {kind!r}.", status=400)
        try:
            add_journal_entry(
                target=obj, comments=request.POST.get("comments", ""), kind=kind, by=actor_for(request)
            )
        except ValueError as exc:
            return self.respond(obj, str(exc), status=400)
        if not getattr(request, "htmx", None):
            messages.success(request, "Journal entry added.")
        return self.respond(obj)


class ObjectEditView(ModelViewMixin, View):
    def get_instance(self) -> Any:
        if "key" in self.kwargs:
            obj = self.get_object()
            if not self.can(self.model, Action.CHANGE, obj):
                raise PermissionDenied("Your role may not change this record.")
            return obj
        if not self.mv or not self.mv.allow_add or not self.can(self.model, Action.ADD):
            raise PermissionDenied("Your role may not add these records.")
        return self.model(organisation=self.organisation)

    def respond(self, form: Any, obj: Any) -> HttpResponse:
        assert self.mv is not None
        context = self.base_context(form=form, object=obj if obj.pk else None)
        if obj.pk:
            context["cancel_url"] = reverse(self.mv.name("detail"), kwargs={"key": obj.key})
            context["action_url"] = reverse(self.mv.name("edit"), kwargs={"key": obj.key})
        else:
            context["cancel_url"] = reverse(self.mv.name("list"))
            context["action_url"] = reverse(self.mv.name("add")) if self.mv.allow_add else ""
        return render_htmx(self.request, "generic/object_edit.html", "generic/_form.html", context)

    def get(self, request: HttpRequest, key: str | None = None) -> HttpResponse:
        assert self.mv is not None
        obj = self.get_instance()
        return self.respond(self.mv.form_class(instance=obj, organisation=self.organisation), obj)

    def post(self, request: HttpRequest, key: str | None = None) -> HttpResponse:
        assert self.mv is not None
        obj = self.get_instance()
        form = self.mv.form_class(request.POST, request.FILES, instance=obj, organisation=self.organisation)
        if form.is_valid():
            try:
                saved = self.mv.save(form, organisation_id=self.organisation.pk, by=actor_for(request))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Saved {saved}.")
                return htmx_redirect(request, saved.get_absolute_url())
        return self.respond(form, obj)


class ObjectDeleteView(ModelViewMixin, View):
    def get_deletable(self) -> Any:
        obj = self.get_object()
        if not self.can(self.model, Action.DELETE, obj):
            raise PermissionDenied("Your role may not delete this record.")
        return obj

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        obj = self.get_deletable()
        return render(request, "generic/object_delete.html", self.object_context(obj, "delete"))

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        assert self.mv is not None
        obj = self.get_deletable()
        label = str(obj)
        try:
            self.mv.delete(obj, by=actor_for(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return htmx_redirect(request, reverse(self.mv.name("detail"), kwargs={"key": obj.key}))
        messages.success(request, f"Deleted {label}.")
        return htmx_redirect(request, reverse(self.mv.name("list")))
