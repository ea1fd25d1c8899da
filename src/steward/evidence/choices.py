from django.db import models


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"
    RECORD = "record", "Generated record"


class EvidenceStatus(models.TextChoices):
    CURRENT = "current", "Current"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    NOT_YET_VALID = "not_yet_valid", "Not yet valid"
