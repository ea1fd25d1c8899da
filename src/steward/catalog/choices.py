from django.db import models


class CatalogKind(models.TextChoices):
    FRAMEWORK = "framework", "Framework"
    TAXONOMY = "taxonomy", "Taxonomy"


class CatalogSource(models.TextChoices):
    BUNDLED = "bundled", "Bundled with Steward"
    IMPORTED = "imported", "Imported"


class RelationType(models.TextChoices):
    EQUIVALENT = "equivalent", "Equivalent"
    SUBSET = "subset", "Subset"
    SUPERSET = "superset", "Superset"
    INTERSECTS = "intersects", "Intersects"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class DocumentedInformation(models.TextChoices):
    NONE = "none", "None"
    DOCUMENT = "document", "Document (maintained)"
    RECORD = "record", "Record (retained)"
    DOCUMENT_AND_RECORD = "document_and_record", "Document and record"
    META = "meta", "About documented information"
