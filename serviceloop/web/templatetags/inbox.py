"""The bell's notifications as sentences, in the reader's language at display time."""

from django import template

from serviceloop.inbox.messages import render
from serviceloop.inbox.models import Notification

register = template.Library()


@register.filter
def sentence(notification: Notification) -> str:
    """The notification's sentence (its ticket loaded with select_related)."""
    return render(notification)
