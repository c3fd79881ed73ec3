"""Reads of routing for the doors."""

from serviceloop.accounts.models import User

from .models import AgentProfile


def is_away(user: User) -> bool:
    """Whether `user` marked themselves away (one query)."""
    return AgentProfile.objects.filter(user=user, is_away=True).exists()
