"""Form fields and choices that several pages share."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from serviceloop.tickets.models import Category
from serviceloop.tickets.reference import catalogue
from serviceloop.tickets.services.attachments import MAX_FILES


def category_label(category: Category, by_id: dict[int, Category]) -> str:
    """ "Parent › Child" in the active language (a broken or looping tree stops early)."""
    names: list[str] = []
    seen: set[int] = set()
    node: Category | None = category
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        names.append(node.name)
        node = by_id.get(node.parent_id) if node.parent_id is not None else None
    return " › ".join(reversed(names))


def category_choices() -> list[tuple[str, str]]:
    """Active categories as (code, "Parent › Child"), sorted by label, from the process's
    catalogue (no query)."""
    known = catalogue()
    labelled = [
        (code, category_label(category, known.category_by_id))
        for code, category in known.categories.items()
    ]
    return sorted(labelled, key=lambda choice: choice[1])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files up to MAX_FILES (the service checks each one's size and type)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files = [f for f in data if f] if isinstance(data, list | tuple) else [data] * bool(data)
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most 10 files at once."))
        single = super().clean
        return [single(file, initial) for file in files]
