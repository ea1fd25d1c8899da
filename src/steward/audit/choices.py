from django.db import models


class ChangeAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    EVENT = "event", "Event"


class ActorKind(models.TextChoices):
    USER = "user", "User (web)"
    TOKEN = "token", "API token"
    SYSTEM = "system", "System"


class JournalKind(models.TextChoices):
    NOTE = "note", "Note"
    DECISION = "decision", "Decision"
    REVIEW = "review", "Review"
    AUDIT = "audit", "Audit note"
