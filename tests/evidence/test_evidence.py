"""Evidence store: hashed, type-checked, size-limited uploads with revisions; auditors read, never alter."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from steward.audit.context import Actor
from steward.audit.models import ChangeRecord
from steward.evidence.models import Evidence, EvidenceFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(client: Any, **fields: Any) -> Any:
    data = {"title": "Validation report", "kind": "file", "description": "", "url": "", "owner": "", **fields}
    return client.post("/evidence/items/add/", data)


def test_upload_stores_hash_size_type_and_one_change_record(client_for: Any, personas: Any) -> None:
    before = ChangeRecord.objects.count()
    response = upload(client_for("contributor"), file=SimpleUploadedFile("report.pdf", PDF))
    assert response.status_code == 302, response.content[:3000]
    evidence = Evidence.objects.get(title="Validation report")
    stored = evidence.files.get()
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (stored.size, stored.content_type, stored.revision) == (len(PDF), "application/pdf", 1)
    assert stored.file.read() == PDF
    assert ChangeRecord.objects.count() == before + 1
    record = ChangeRecord.objects.latest("id")
    assert record.action == "create" and stored.sha256 in str(record.changes["file"])


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", b"MZ\x90\x00 this is an executable", "does not look like a .pdf"),
        ("notes.exe", b"anything", "not accepted"),
        ("data.csv", b"\xff\xfe\x00bad", "not UTF-8"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason_and_nothing_is_written(
    client_for: Any, personas: Any, name: str, content: bytes, message: str
) -> None:
    before = (Evidence.objects.count(), EvidenceFile.objects.count(), ChangeRecord.objects.count())
    response = upload(client_for("manager"), file=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Evidence.objects.count(), EvidenceFile.objects.count(), ChangeRecord.objects.count()) == before


def test_size_limit(client_for: Any, personas: Any, monkeypatch: Any) -> None:
    from steward.evidence import services

    monkeypatch.setattr(services, "MAX_BYTES", 10)
    response = upload(client_for("manager"), file=SimpleUploadedFile("a.txt", b"0123456789abc"))
    assert "the limit is 10 bytes" in response.content.decode()


def test_new_file_becomes_next_revision_and_old_one_is_kept(client_for: Any, personas: Any) -> None:
    client = client_for("manager")
    upload(client, file=SimpleUploadedFile("v1.txt", b"first"))
    evidence = Evidence.objects.get()
    response = client.post(
        f"/evidence/items/{evidence.key}/edit/",
        {"title": "Validation report", "kind": "file", "file": SimpleUploadedFile("v2.txt", b"second")},
    )
    assert response.status_code == 302
    assert list(evidence.files.order_by("revision").values_list("revision", "original_name")) == [
        (1, "v1.txt"),
        (2, "v2.txt"),
    ]


def test_auditor_downloads_but_cannot_alter(client_for: Any, personas: Any, api_for: Any) -> None:
    upload(client_for("manager"), file=SimpleUploadedFile("r.pdf", PDF))
    evidence = Evidence.objects.get()
    auditor = client_for("auditor")
    download = auditor.get(f"/evidence/items/{evidence.key}/files/1/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert auditor.get(f"/evidence/items/{evidence.key}/edit/").status_code == 403
    assert auditor.post(f"/evidence/items/{evidence.key}/delete/").status_code == 403
    api = api_for("auditor")
    assert api.get(f"/api/v1/evidence/items/{evidence.key}/files/1/").status_code == 200
    assert (
        api.patch(f"/api/v1/evidence/items/{evidence.key}/", {"title": "x"}, format="json").status_code == 403
    )
    new = SimpleUploadedFile("x.txt", b"tampered")
    assert (
        api.post(
            f"/api/v1/evidence/items/{evidence.key}/files/", {"file": new}, format="multipart"
        ).status_code
        == 403
    )
    assert evidence.files.count() == 1
    assert client_for("outsider").get(f"/evidence/items/{evidence.key}/files/1/").status_code == 404


def test_api_upload_of_a_revision(api_for: Any, personas: Any) -> None:
    api = api_for("manager")
    created = api.post("/api/v1/evidence/items/", {"title": "Drift report", "kind": "file"}, format="json")
    assert created.status_code == 201
    key = created.json()["key"]
    response = api.post(
        f"/api/v1/evidence/items/{key}/files/",
        {"file": SimpleUploadedFile("d.json", b'{"psi": 0.02}')},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "application/json"
    bad = api.post(
        f"/api/v1/evidence/items/{key}/files/",
        {"file": SimpleUploadedFile("d.pdf", b"nope")},
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()


def test_status_follows_validity_dates(org: Any, personas: Any) -> None:
    today = timezone.localdate()
    evidence = Evidence(organisation=org, title="x", expires=today + datetime.timedelta(days=10))
    assert evidence.status == "expiring" and evidence.counts
    evidence.expires = today - datetime.timedelta(days=1)
    assert evidence.status == "expired" and not evidence.counts
    evidence.expires, evidence.valid_from = None, today + datetime.timedelta(days=3)
    assert evidence.status == "not_yet_valid" and not evidence.counts


def test_generated_records_are_evidence(org: Any, personas: Any) -> None:
    from steward.evidence.services import record_generated_evidence

    evidence = record_generated_evidence(
        organisation_id=org.pk,
        title="Fairness check",
        record={"schema": "steward.evidence/v1", "passed": True},
        by=Actor.for_user(personas["contributor"].user),
    )
    assert evidence.kind == "record" and evidence.record["passed"] is True
    assert ChangeRecord.objects.filter(event="evidence.recorded", object_id=evidence.key).exists()
