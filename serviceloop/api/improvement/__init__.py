from .plans import router

__all__ = ["router"]
