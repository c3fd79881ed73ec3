from .lifecycle import router

__all__ = ["router"]
