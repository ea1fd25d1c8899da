from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from steward.core.forms import OrganisationalModelForm
from steward.evidence.choices import EvidenceKind
from steward.evidence.models import Evidence
from steward.evidence.services import inspect_upload


class EvidenceForm(OrganisationalModelForm):
    file = forms.FileField(
        required=False, help_text="A new file becomes the next revision; older ones are kept."
    )
    url = forms.URLField(label="Link", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Evidence
        fields = ["title", "kind", "description", "url", "owner", "valid_from", "expires"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "expires": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                inspect_upload(upload)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["file"]) from exc
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == EvidenceKind.LINK and not data.get("url"):
            self.add_error("url", "A link needs an address.")
        if (
            kind == EvidenceKind.FILE
            and not data.get("file")
            and not (self.instance.pk and self.instance.revision)
        ):
            self.add_error("file", "Choose a file to upload.")
        valid_from, expires = data.get("valid_from"), data.get("expires")
        if valid_from and expires and expires < valid_from:
            self.add_error("expires", "Expiry must not be before the start of validity.")
        return data
