"""Catalog browser: frameworks, their requirement trees with search, node pages with crosswalks.

Read-only for every member of any organisation: the catalog is global reference data (ISO/IEC 42001
clauses 4 to 10 and Annex A, the reference for 6.1.3 and the Statement of Applicability; 7.5 documented
information kinds). A node page also shows where the current organisation stands on it — its requirement
assessment and the controls implementing it — loaded through the permission gate.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch
from django.views import View

from steward.catalog import services
from steward.catalog.choices import CatalogKind
from steward.catalog.filters import RequirementNodeFilterSet
from steward.catalog.models import Crosswalk, Framework, RequirementNode
from steward.core.htmx import render_htmx
from steward.core.roles import Action
from steward.core.views import OrganisationViewMixin

#: Query parameters that switch the framework page from the tree to a list of matching nodes.
SEARCH_PARAMETERS = ("q", "kind", "assessable")


def _with_counts(queryset: Any) -> Any:
    current = Q(nodes__retired=False)
    return queryset.annotate(
        node_count=Count("nodes", filter=current, distinct=True),
        assessable_count=Count("nodes", filter=current & Q(nodes__assessable=True), distinct=True),
    )


def _url_or_none(obj: Any) -> str | None:
    """Detail link of a record of another app, if that app already has its pages."""
    try:
        return str(obj.get_absolute_url())
    except (NoReverseMatch, AttributeError):
        return None


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_display(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value)
    return str(value)


def attribute_rows(attributes: dict[str, Any]) -> list[tuple[str, str]]:
    """Framework-specific facts (EU AI Act roles, risk outcomes, application dates…) as label/text pairs."""
    return [(_attribute_label(key), _display(value)) for key, value in (attributes or {}).items()]


def _attribute_label(key: str) -> str:
    """``annex_b`` → "Annex B", ``applies_from`` → "Applies from"."""
    text = " ".join(w.upper() if len(w) == 1 else w for w in key.split("_"))
    return text[:1].upper() + text[1:]


class CatalogIndexView(OrganisationViewMixin, View):
    """``/catalog/``: every framework and taxonomy with node counts, licence and crosswalks."""

    def get(self, request: HttpRequest) -> HttpResponse:
        entries = list(_with_counts(Framework.objects.all()).order_by("kind", "title"))
        crosswalks = list(
            Crosswalk.objects.select_related("source", "target")
            .annotate(relation_count=Count("relations"))
            .order_by("title")
        )
        for entry in entries:
            entry.crosswalk_list = [c for c in crosswalks if entry.pk in (c.source_id, c.target_id)]
        context = {
            "frameworks": [e for e in entries if e.kind == CatalogKind.FRAMEWORK],
            "taxonomies": [e for e in entries if e.kind == CatalogKind.TAXONOMY],
            "crosswalks": crosswalks,
        }
        return render_htmx(request, "catalog/index.html", "catalog/_index_content.html", context)


def _build_tree(nodes: list[RequirementNode]) -> list[RequirementNode]:
    """Attach ``tree_children`` to every node and return the roots (file order kept)."""
    by_pk = {n.pk: n for n in nodes}
    roots: list[RequirementNode] = []
    for n in nodes:
        n.tree_children = []  # type: ignore[attr-defined]
    for n in nodes:
        parent = by_pk.get(n.parent_id) if n.parent_id else None
        if parent is None:
            roots.append(n)
        else:
            parent.tree_children.append(n)  # type: ignore[attr-defined]
    return roots


def _trail(node: RequirementNode, by_pk: dict[int, RequirementNode]) -> list[RequirementNode]:
    """Ancestors from the root down to the parent."""
    out: list[RequirementNode] = []
    parent = by_pk.get(node.parent_id) if node.parent_id else None
    while parent is not None and len(out) < 50:
        out.append(parent)
        parent = by_pk.get(parent.parent_id) if parent.parent_id else None
    return list(reversed(out))


class FrameworkView(OrganisationViewMixin, View):
    """``/catalog/<identifier>/``: the requirement tree; with ``q``/``kind``/``assessable`` a result list.

    Constant queries whatever the size of the framework: one for the framework, one for the kinds, one for
    every node (the tree is assembled in Python) and, when searching, one for the matches.
    """

    def get(self, request: HttpRequest, identifier: str) -> HttpResponse:
        framework = get_object_or_404(_with_counts(Framework.objects.all()), identifier=identifier)
        current = framework.nodes.filter(retired=False)
        nodes = list(current.order_by("order"))
        kinds = sorted({n.kind for n in nodes})
        filterset = RequirementNodeFilterSet(request.GET, queryset=current.order_by("order"), kinds=kinds)
        searching = any(request.GET.get(p, "").strip() for p in SEARCH_PARAMETERS)
        results: list[RequirementNode] = []
        if searching:
            by_pk = {n.pk: n for n in nodes}
            if filterset.is_valid():
                results = list(filterset.qs)
            for n in results:
                n.trail = _trail(n, by_pk)  # type: ignore[attr-defined]
        context = {
            "framework": framework,
            "roots": _build_tree(nodes),
            "kinds": kinds,
            "filterset": filterset,
            "searching": searching,
            "results": results,
            "query": request.GET.get("q", "").strip(),
            "kind": request.GET.get("kind", ""),
            "assessable_only": request.GET.get("assessable", "") == "true",
            "crosswalks": Crosswalk.objects.filter(Q(source=framework) | Q(target=framework))
            .select_related("source", "target")
            .order_by("title"),
        }
        return render_htmx(request, "catalog/framework.html", "catalog/_framework_results.html", context)


class FrameworkExportView(OrganisationViewMixin, View):
    """``/catalog/<identifier>/export/<oscal|json>/``: download an OSCAL catalog or Steward's JSON."""

    def get(self, request: HttpRequest, identifier: str, fmt: str) -> HttpResponse:
        if fmt not in services.EXPORT_FORMATS:
            raise Http404(f"Unknown export format {fmt!r}.")
        framework = get_object_or_404(Framework, identifier=identifier)
        response = JsonResponse(services.export_framework(framework, fmt), json_dumps_params={"indent": 2})
        filename = services.export_filename(framework, fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class NodeView(OrganisationViewMixin, View):
    """``/catalog/<identifier>/<node_id>/``: guidance, links, children, crosswalks, your organisation."""

    def get(self, request: HttpRequest, identifier: str, node_id: str) -> HttpResponse:
        node = get_object_or_404(
            RequirementNode.objects.select_related("framework"),
            framework__identifier=identifier,
            node_id=node_id,
        )
        framework = node.framework
        # One light query over the framework answers ancestors, children and links in both directions.
        siblings = list(
            framework.nodes.only(
                "pk",
                "framework_id",
                "node_id",
                "label",
                "title",
                "kind",
                "parent_id",
                "links",
                "retired",
                "order",
                "excludable",
                "documented_information",
            ).order_by("order")
        )
        by_pk = {n.pk: n for n in siblings}
        by_id = {n.node_id: n for n in siblings}
        links_to = [by_id[link] for link in node.links or [] if link in by_id and not by_id[link].retired]
        linked_from = [n for n in siblings if node.node_id in (n.links or []) and not n.retired]
        context = {
            "framework": framework,
            "node": node,
            "trail": _trail(node, by_pk),
            "children": [n for n in siblings if n.parent_id == node.pk and not n.retired],
            "links_to": links_to,
            "linked_from": linked_from,
            "related": services.related_nodes(node),
            "guidance": node.guidance or {},
            "attributes": attribute_rows(node.attributes),
            # Only where the framework itself uses the notion (ISO/IEC 42001 clauses vs Annex A; 7.5).
            "has_exclusions": any(n.excludable for n in siblings),
            "has_documented_information": any(n.documented_information != "none" for n in siblings),
            "documented_information": node.get_documented_information_display(),
        }
        context.update(self.implementation_context(node))
        return render_htmx(request, "catalog/node.html", "catalog/_node_content.html", context)

    def implementation_context(self, node: RequirementNode) -> dict[str, Any]:
        """The current organisation's assessment of the node and the controls implementing it, if any.

        Loaded only through ``restrict()`` for the signed-in user and the organisation they work in.
        """
        if not apps.is_installed("steward.implementation"):
            return {"implementation": False}
        assessment_model = apps.get_model("implementation", "RequirementAssessment")
        control_model = apps.get_model("implementation", "Control")
        user, organisation = self.request.user, self.organisation
        assessment = (
            assessment_model.objects.restrict(user, Action.VIEW, organisation)
            .filter(node=node)
            .select_related("owner")
            .first()
        )
        controls = list(
            control_model.objects.restrict(user, Action.VIEW, organisation)
            .filter(implements=node)
            .select_related("owner")
            .order_by("key")
        )
        return {
            "implementation": True,
            "assessment": assessment,
            "assessment_url": _url_or_none(assessment) if assessment is not None else None,
            "controls": [(control, _url_or_none(control)) for control in controls],
        }


class CrosswalkView(OrganisationViewMixin, View):
    """``/catalog/crosswalks/<identifier>/``: every relation of one crosswalk, with provenance."""

    def get(self, request: HttpRequest, identifier: str) -> HttpResponse:
        crosswalk = get_object_or_404(
            Crosswalk.objects.select_related("source", "target"), identifier=identifier
        )
        relations = crosswalk.relations.select_related("source", "target").order_by(
            "source__order", "target__order"
        )
        context = {"crosswalk": crosswalk, "relations": relations}
        return render_htmx(request, "catalog/crosswalk.html", "catalog/_crosswalk_content.html", context)
