from django.db import models


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class AssessmentResult(models.TextChoices):
    NOT_ASSESSED = "", "Not assessed"
    CONFORMING = "conforming", "Conforming"
    MINOR = "minor_nc", "Minor nonconformity"
    MAJOR = "major_nc", "Major nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


class ControlStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IMPLEMENTING = "implementing", "Being implemented"
    IMPLEMENTED = "implemented", "Implemented"
    RETIRED = "retired", "Retired"


class ControlType(models.TextChoices):
    POLICY = "policy", "Policy"
    PROCESS = "process", "Process or procedure"
    TECHNICAL = "technical", "Technical"
    ORGANISATIONAL = "organisational", "Organisational"
    MONITORING = "monitoring", "Monitoring"
