from django.db import models


class IssueOrigin(models.TextChoices):
    EXTERNAL = "external", "External"
    INTERNAL = "internal", "Internal"


class IssueCategory(models.TextChoices):
    LEGAL = "legal", "Legal and regulatory"
    SOCIETAL = "societal", "Societal and ethical"
    TECHNOLOGICAL = "technological", "Technological"
    MARKET = "market", "Market and competition"
    ORGANISATIONAL = "organisational", "Organisational"
    CLIMATE = "climate", "Climate and environment"


class PartyType(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AI_SUBJECT = "ai_subject", "AI subject / affected person"
    REGULATOR = "regulator", "Regulator or authority"
    EMPLOYEE = "employee", "Employee"
    SUPPLIER = "supplier", "Supplier or partner"
    SHAREHOLDER = "shareholder", "Shareholder or owner"
    SOCIETY = "society", "Civil society"


class Relevance(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
