"""The five team roles, ordered from most to least powerful."""
from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    OPERATOR = "operator", "Operator"
    BILLING = "billing", "Billing"
    VIEWER = "viewer", "Viewer"
