"""Catalog browser and read-only catalog API, for every persona (the catalog is the same for all)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from steward.catalog import schema
from steward.catalog.models import CrosswalkRelation, Framework, RequirementNode
from tests.conftest import PERSONAS

A624 = "/catalog/iso-iec-42001/A.6.2.4/"


def partial(client: Any, url: str) -> str:
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" not in html
    return html


# ------------------------------------------------------------------------------------------------------ UI


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_member_reads_the_same_catalog(persona: str, client_for: Any, catalog: Any) -> None:
    client = client_for(persona)
    for url in (
        "/catalog/",
        "/catalog/iso-iec-42001/",
        A624,
        "/catalog/crosswalks/iso-iec-42001--nist-ai-rmf/",
    ):
        assert client.get(url).status_code == 200, url
    reference = client_for("admin")
    for url in ("/catalog/", "/catalog/nist-ai-rmf/", "/catalog/iso-iec-42001/?q=risk"):
        assert partial(client, url) == partial(reference, url)


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, catalog: Any) -> None:
    for url in ("/catalog/", "/catalog/iso-iec-42001/", A624, "/catalog/iso-iec-42001/export/oscal/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_index_lists_frameworks_taxonomies_and_crosswalks_with_counts(client_for: Any, catalog: Any) -> None:
    html = client_for("viewer").get("/catalog/").content.decode()
    for identifier in (
        "iso-iec-42001",
        "nist-ai-rmf",
        "eu-ai-act",
        "iso-iec-27001",
        "iso-iec-22989-lifecycle",
    ):
        assert f'href="/catalog/{identifier}/"' in html
    assert 'href="/catalog/crosswalks/iso-iec-42001--eu-ai-act/"' in html
    iso = Framework.objects.get(identifier="iso-iec-42001")
    assert f'<td class="text-end">{iso.nodes.count()}</td>' in html
    assert "written by Steward" in html  # licence / attribution note
    assert '<a class="nav-link" href="/catalog/">Framework catalog</a>' in html  # in the Planning navigation


def test_framework_page_shows_a_nested_collapsible_tree(client_for: Any, catalog: Any) -> None:
    html = client_for("viewer").get("/catalog/iso-iec-42001/").content.decode()
    assert html.count("<details") >= 10 and "<summary>" in html
    assert f'href="{A624}"' in html and 'href="/catalog/iso-iec-42001/6.1.3/"' in html
    # A.6.2.4 sits inside A.6.2 which sits inside A.6: nested lists.
    a6 = html.index('href="/catalog/iso-iec-42001/A.6/"')
    a62 = html.index('href="/catalog/iso-iec-42001/A.6.2/"')
    assert a6 < a62 < html.index(f'href="{A624}"')
    assert 'role="search"' in html and 'hx-get="/catalog/iso-iec-42001/"' in html


def test_search_matches_label_title_and_guidance(client_for: Any, catalog: Any) -> None:
    client = client_for("contributor")
    by_label = partial(client, "/catalog/iso-iec-42001/?q=A.6.2.4")
    assert f'href="{A624}"' in by_label and "1 matching node" in by_label
    by_title = partial(client, "/catalog/iso-iec-42001/?q=verification+validation")
    assert f'href="{A624}"' in by_title
    # Words only in Steward's guidance summary of A.6.2.4, not in any title.
    by_guidance = partial(client, "/catalog/iso-iec-42001/?q=pass+criteria")
    assert f'href="{A624}"' in by_guidance
    nothing = partial(client, "/catalog/iso-iec-42001/?q=zzzz-nothing")
    assert "No node matches" in nothing


def test_kind_and_assessable_filters(client_for: Any, catalog: Any) -> None:
    client = client_for("viewer")
    controls = partial(client, "/catalog/iso-iec-42001/?kind=control")
    assert "38 matching nodes" in controls
    assessable = partial(client, "/catalog/iso-iec-42001/?assessable=true")
    assert "70 matching nodes" in assessable  # 32 clause units + 38 controls
    assert "19 matching nodes" in partial(client, "/catalog/nist-ai-rmf/?kind=category")
    both = partial(client, "/catalog/nist-ai-rmf/?kind=subcategory&assessable=true&q=GOVERN-1.")
    assert "7 matching nodes" in both  # GOVERN 1.1 to 1.7


def test_node_page_shows_guidance_and_relations_in_other_frameworks(client_for: Any, catalog: Any) -> None:
    html = client_for("auditor").get(A624).content.decode()
    node = RequirementNode.objects.get(framework=catalog, node_id="A.6.2.4")
    assert "AI system verification and validation" in html
    assert node.guidance["summary"] in html
    for item in (*node.guidance["evidence"], *node.guidance["pitfalls"], *node.guidance["features"]):
        assert item in html
    assert "Verification and validation measures and criteria" in html  # DI item
    assert "Steward&#x27;s analysis" in html or "Steward's analysis" in html
    outgoing = CrosswalkRelation.objects.filter(source=node).select_related("target__framework")
    assert outgoing.exists()
    for relation in outgoing:
        assert relation.target.get_absolute_url() in html
    assert 'href="/catalog/iso-iec-42001/A.6.2/"' in html  # breadcrumb to the parent


def test_a_related_node_links_back_with_the_inverse_relation(client_for: Any, catalog: Any) -> None:
    relation = (
        CrosswalkRelation.objects.filter(source__framework=catalog, source__node_id="A.6.2.4")
        .select_related("source", "target")
        .first()
    )
    assert relation is not None
    html = client_for("viewer").get(relation.target.get_absolute_url()).content.decode()
    assert A624 in html
    inverse = {"subset": "superset of", "superset": "subset of"}.get(relation.type, relation.type)
    assert inverse.split()[0] in html


def test_node_ids_with_dots_reverse_and_resolve(client_for: Any, catalog: Any) -> None:
    url = reverse("catalog:node", kwargs={"identifier": "nist-ai-rmf", "node_id": "GOVERN-1.1"})
    assert url == "/catalog/nist-ai-rmf/GOVERN-1.1/"
    assert resolve(url).kwargs == {"identifier": "nist-ai-rmf", "node_id": "GOVERN-1.1"}
    assert RequirementNode.objects.get(framework=catalog, node_id="A.6.2.4").get_absolute_url() == A624
    assert client_for("viewer").get(url).status_code == 200


def test_unknown_framework_or_node_is_404(client_for: Any, catalog: Any) -> None:
    client = client_for("viewer")
    assert client.get("/catalog/no-such-framework/").status_code == 404
    assert client.get("/catalog/iso-iec-42001/A.99/").status_code == 404
    assert client.get("/catalog/iso-iec-42001/export/pdf/").status_code == 404


def _implement(org: Any, actor: Any, node: RequirementNode, title: str) -> Any:
    from steward.audit.context import acting_as
    from steward.audit.signals import audit_batch
    from steward.core.services import create_object
    from steward.implementation.models import Control

    control = create_object(Control, organisation_id=org.pk, data={"title": title}, by=actor)
    with acting_as(actor), transaction.atomic(), audit_batch():
        control.implements.add(node)
    return control


def test_node_page_shows_the_current_organisations_assessment_and_controls_only(
    client_for: Any, personas: Any, system_actor: Any, catalog: Any
) -> None:
    from steward.core.services import create_object
    from steward.implementation.models import RequirementAssessment

    node = RequirementNode.objects.get(framework=catalog, node_id="A.6.2.4")
    org, other = personas["admin"].organisation, personas["outsider"].organisation
    create_object(
        RequirementAssessment,
        organisation_id=org.pk,
        data={"node": node, "status": "in_progress"},
        by=system_actor,
    )
    _implement(org, system_actor, node, "Release test gate")
    _implement(other, system_actor, node, "Globex validation board")

    mine = client_for("viewer").get(A624).content.decode()
    assert "In progress" in mine and "Release test gate" in mine and "Globex validation board" not in mine
    theirs = client_for("outsider").get(A624).content.decode()
    assert "Globex validation board" in theirs and "Release test gate" not in theirs
    assert "In progress" not in theirs


def test_framework_and_node_pages_cost_the_same_queries_whatever_the_size(
    client_for: Any, catalog: Any
) -> None:
    client = client_for("viewer")
    client.get("/catalog/")  # the first request stores the active organisation in the session
    counts = {}
    for identifier in ("iso-iec-42001", "nist-ai-rmf", "iso-iec-27001", "iso-iec-22989-roles"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/catalog/{identifier}/").status_code == 200
        counts[identifier] = len(queries)
    assert len(set(counts.values())) == 1 and max(counts.values()) <= 15, counts
    nodes = {}
    for url in (
        A624,
        "/catalog/iso-iec-42001/A.6/",
        "/catalog/iso-iec-42001/5.2/",
        "/catalog/eu-ai-act/art-15/",
    ):
        if client.get(url).status_code != 200:
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        nodes[url] = len(queries)
    assert len(set(nodes.values())) == 1 and max(nodes.values()) <= 20, nodes
    with CaptureQueriesContext(connection) as few:
        client.get("/catalog/")
    Framework.objects.create(identifier="extra-one", version="1", title="Extra", content_hash="x")
    with CaptureQueriesContext(connection) as many:
        client.get("/catalog/")
    assert len(few) == len(many)


def test_ui_export_downloads_an_oscal_catalog_and_steward_json(client_for: Any, catalog: Any) -> None:
    from trestle.oscal.catalog import Catalog

    client = client_for("viewer")
    response = client.get("/catalog/iso-iec-42001/export/oscal/")
    assert response.status_code == 200
    assert 'filename="iso-iec-42001.oscal.json"' in response["Content-Disposition"]
    Catalog.model_validate(json.loads(response.content)["catalog"])
    document = json.loads(client.get("/catalog/iso-iec-42001/export/json/").content)
    assert isinstance(schema.load_text(json.dumps(document), "x.json"), schema.Framework)


def test_crosswalk_page_lists_every_relation_with_provenance(client_for: Any, catalog: Any) -> None:
    html = client_for("viewer").get("/catalog/crosswalks/iso-iec-42001--nist-ai-rmf/").content.decode()
    count = CrosswalkRelation.objects.filter(crosswalk__identifier="iso-iec-42001--nist-ai-rmf").count()
    assert html.count("<tr>") == count + 1
    assert "analysis" in html


# ----------------------------------------------------------------------------------------------------- API


def test_api_needs_a_signed_in_member_and_is_read_only(client: Any, api_for: Any, catalog: Any) -> None:
    assert client.get("/api/v1/catalog/frameworks/").status_code in (401, 403)
    api = api_for("viewer", read_only=True)
    assert api.get("/api/v1/catalog/frameworks/").status_code == 200
    admin = api_for("admin")
    assert admin.post("/api/v1/catalog/frameworks/", {"identifier": "x"}, format="json").status_code == 405
    assert admin.delete("/api/v1/catalog/frameworks/iso-iec-42001/").status_code == 405
    assert (
        admin.put("/api/v1/catalog/frameworks/iso-iec-42001/nodes/A.6.2.4/", {}, format="json").status_code
        == 405
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_catalog_is_the_same_for_every_persona(persona: str, api_for: Any, catalog: Any) -> None:
    response = api_for(persona).get("/api/v1/catalog/frameworks/?limit=100")
    assert response.status_code == 200
    identifiers = {f["identifier"] for f in response.json()["results"]}
    assert identifiers == set(Framework.objects.values_list("identifier", flat=True))


def test_api_frameworks_filter_order_and_page(api_for: Any, catalog: Any) -> None:
    api = api_for("viewer")
    taxonomies = api.get("/api/v1/catalog/frameworks/?kind=taxonomy").json()
    assert taxonomies["count"] == Framework.objects.filter(kind="taxonomy").count()
    page = api.get("/api/v1/catalog/frameworks/?ordering=-identifier&limit=2&offset=1").json()
    ordered = sorted(Framework.objects.values_list("identifier", flat=True), reverse=True)
    assert [f["identifier"] for f in page["results"]] == ordered[1:3]
    iso = api.get("/api/v1/catalog/frameworks/iso-iec-42001/").json()
    assert iso["version"] == "2023" and iso["assessable_count"] == 70
    assert api.get("/api/v1/catalog/frameworks/?search=NIST").json()["count"] >= 1


def test_api_nodes_filter_by_framework_kind_assessable_and_search(api_for: Any, catalog: Any) -> None:
    api = api_for("viewer")
    controls = api.get("/api/v1/catalog/nodes/?framework=iso-iec-42001&kind=control&limit=100").json()
    assert controls["count"] == 38
    assert controls["results"][0]["framework"] == "iso-iec-42001"
    assessable = api.get("/api/v1/catalog/frameworks/iso-iec-42001/nodes/?assessable=true").json()
    assert assessable["count"] == 70
    found = api.get("/api/v1/catalog/nodes/?framework=iso-iec-42001&search=pass criteria").json()
    assert [n["node_id"] for n in found["results"]] == ["A.6.2.4"]
    found_q = api.get("/api/v1/catalog/nodes/?q=A.6.2.4").json()
    assert "A.6.2.4" in [n["node_id"] for n in found_q["results"]]
    ordered = api.get("/api/v1/catalog/frameworks/nist-ai-rmf/nodes/?ordering=-node_id&limit=1").json()
    assert ordered["results"][0]["node_id"] == max(
        RequirementNode.objects.filter(framework__identifier="nist-ai-rmf").values_list("node_id", flat=True)
    )


def test_api_node_detail_has_guidance_children_and_related_nodes(api_for: Any, catalog: Any) -> None:
    api = api_for("auditor")
    node = api.get("/api/v1/catalog/frameworks/iso-iec-42001/nodes/A.6.2.4/").json()
    assert node["node_id"] == "A.6.2.4" and node["parent"] == "A.6.2" and node["excludable"] is True
    assert node["guidance"]["summary"] and node["guidance"]["evidence"]
    assert {r["framework"] for r in node["related"]} >= {"nist-ai-rmf", "eu-ai-act"}
    assert all(r["direction"] == "outgoing" for r in node["related"])
    parent = api.get("/api/v1/catalog/frameworks/iso-iec-42001/nodes/A.6.2/").json()
    assert "A.6.2.4" in parent["children"]
    nist = api.get("/api/v1/catalog/frameworks/nist-ai-rmf/nodes/GOVERN-1.1/").json()
    assert nist["label"] == "GOVERN 1.1"
    assert any(r["direction"] == "incoming" and r["framework"] == "iso-iec-42001" for r in nist["related"])
    assert api.get("/api/v1/catalog/frameworks/iso-iec-42001/nodes/A.99/").status_code == 404
    assert api.get("/api/v1/catalog/frameworks/nope/nodes/").status_code == 404


def test_api_crosswalks_list_and_relations(api_for: Any, catalog: Any) -> None:
    api = api_for("viewer")
    listing = api.get("/api/v1/catalog/crosswalks/?source=iso-iec-42001").json()
    assert listing["count"] >= 3
    detail = api.get("/api/v1/catalog/crosswalks/iso-iec-42001--nist-ai-rmf/").json()
    assert detail["source"] == "iso-iec-42001" and detail["target"] == "nist-ai-rmf"
    assert len(detail["relations"]) == detail["relation_count"] > 0
    assert {"source", "target", "type", "confidence", "rationale"} == set(detail["relations"][0])
    assert api.get("/api/v1/catalog/crosswalks/?framework=iso-iec-27001").json()["count"] == 1


def test_api_export_oscal_validates_with_trestle_and_json_loads_back(api_for: Any, catalog: Any) -> None:
    from trestle.oscal.catalog import Catalog

    api = api_for("viewer", read_only=True)
    oscal = api.get("/api/v1/catalog/frameworks/nist-ai-rmf/export/?format=oscal")
    assert oscal.status_code == 200, oscal.content
    Catalog.model_validate(oscal.json()["catalog"])
    steward_json = api.get("/api/v1/catalog/frameworks/nist-ai-rmf/export/?format=json").json()
    loaded = schema.load_text(json.dumps(steward_json), "nist.json")
    assert isinstance(loaded, schema.Framework) and len(loaded.nodes) == 95
    bad = api.get("/api/v1/catalog/frameworks/nist-ai-rmf/export/?format=pdf")
    assert bad.status_code == 400 and "format" in bad.json()


def test_api_lists_cost_the_same_queries_whatever_the_rows(api_for: Any, catalog: Any) -> None:
    api = api_for("viewer")
    api.get("/api/v1/catalog/frameworks/")  # the token's first use is recorded once
    for url in ("/api/v1/catalog/nodes/?limit={n}", "/api/v1/catalog/crosswalks/?limit={n}"):
        counts = []
        for n in (2, 50):
            with CaptureQueriesContext(connection) as queries:
                assert api.get(url.format(n=n)).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], (url, counts)
    with CaptureQueriesContext(connection) as detail:
        api.get("/api/v1/catalog/crosswalks/iso-iec-42001--nist-ai-rmf/")
    assert len(detail) <= 10


def test_catalog_endpoints_are_in_the_openapi_schema(client_for: Any, catalog: Any) -> None:
    import yaml

    response = client_for("admin").get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = set(yaml.safe_load(response.content)["paths"])
    for route in (
        "/api/v1/catalog/frameworks/",
        "/api/v1/catalog/frameworks/{identifier}/",
        "/api/v1/catalog/frameworks/{identifier}/export/",
        "/api/v1/catalog/frameworks/{identifier}/nodes/",
        "/api/v1/catalog/frameworks/{identifier}/nodes/{node_id}/",
        "/api/v1/catalog/nodes/",
        "/api/v1/catalog/crosswalks/",
        "/api/v1/catalog/crosswalks/{identifier}/",
    ):
        assert route in paths, route
    assert not [p for p in paths if re.search(r"catalog.*\{format\}", p)]


def test_retired_nodes_leave_the_tree_and_lists_but_keep_their_page(
    client_for: Any, api_for: Any, catalog: Any
) -> None:
    RequirementNode.objects.filter(framework=catalog, node_id="A.6.2.4").update(retired=True)
    client = client_for("viewer")
    assert f'href="{A624}"' not in client.get("/catalog/iso-iec-42001/").content.decode()
    page = client.get(A624).content.decode()
    assert "Retired: no longer in" in page
    api = api_for("viewer")
    current = api.get("/api/v1/catalog/frameworks/iso-iec-42001/nodes/?kind=control").json()
    assert current["count"] == 37
    retired = api.get("/api/v1/catalog/nodes/?retired=true").json()
    assert [n["node_id"] for n in retired["results"]] == ["A.6.2.4"]
    detail = api.get("/api/v1/catalog/frameworks/iso-iec-42001/nodes/A.6.2.4/").json()
    assert detail["retired"] is True
    assert "A.6.2.4" not in [
        n["id"]
        for n in api.get("/api/v1/catalog/frameworks/iso-iec-42001/export/?format=json").json()["nodes"]
    ]
