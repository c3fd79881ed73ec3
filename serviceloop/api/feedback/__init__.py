"""/api/v1/feedback (the feedback register) and /api/v1/staff-surveys."""

from . import register, staff_surveys

__all__ = ["register", "staff_surveys"]
