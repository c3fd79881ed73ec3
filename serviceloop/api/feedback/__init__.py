from .register import router, staff_surveys

__all__ = ["router", "staff_surveys"]
