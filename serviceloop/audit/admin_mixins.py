"""Audit events for configuration changed in Django's admin.

`AuditedAdminMixin` goes first in a ModelAdmin's bases. Every add, change and delete made
through that admin page — and through its inlines — appends an audit event with the
acting administrator and the fields before and after, inside the admin's own transaction
(Django runs the add/change/delete views in `transaction.atomic`; the bulk "delete
selected" action gets one here). Django's own LogEntry stays as it is.

The events' names are made here, by convention, from the admin's `audit_name` (default: the
model name):

- "<audit_name>.created", "<audit_name>.updated", "<audit_name>.deleted" for the object;
- "<audit_name>.<label>_added", "<audit_name>.<label>_changed", "<audit_name>.<label>_removed"
  for its inline rows (`audit_inlines` gives the label, default: the inline's model name).

So the team admin ("team", memberships labelled "member") writes team.created and
team.member_added, the very names the accounts use cases record. An app whose own code names
one of these events (records or reads it) holds that name as a constant in its events.py,
which says so; the others (calendar.*, sla_policy.*, mail_template.*...) no code names.

Secrets never enter an event: only the fields named in `audit_fields` (by default every
concrete field but the key) are written, and `password` is always left out.
"""

from typing import Any, cast

from django.contrib import admin
from django.db import models, router, transaction
from django.db.models import QuerySet
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest

from . import services as audit

SECRET_FIELDS = frozenset({"password"})


class AuditedAdminMixin[M: models.Model](admin.ModelAdmin[M]):
    """Admin changes of this model are audited as "<audit_name>.created/updated/deleted".

    Inline rows are audited on the parent object as "<audit_name>.<label>_added/_changed/
    _removed", with the fields given in `audit_inlines` ({inline model name: (label,
    fields)}); an inline model not named there uses its model name and every field.
    """

    audit_name: str = ""  # default: the model name
    audit_fields: tuple[str, ...] = ()  # default: every concrete field but the key
    audit_inlines: dict[str, tuple[str, tuple[str, ...]]] = {}

    # --- the object itself ----------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = self.audit_snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        after = self.audit_snapshot(obj)
        if change:
            before, after = audit.changed(before, after)
            if not after:
                return
        action = "updated" if change else "created"
        self._record(request, action, obj, before=before, after=after)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._record(request, "deleted", obj, before=self.audit_snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The "delete selected" action: one event per object, all in one transaction."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                self._record(request, "deleted", obj, before=self.audit_snapshot(obj))
            super().delete_queryset(request, queryset)

    # --- inline rows ----------------------------------------------------------------------

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if not isinstance(formset, BaseModelFormSet):
            super().save_formset(request, form, formset, change)
            return
        label, fields = self._inline_spec(cast(type[models.Model], formset.model))
        # what the changed rows held before: the forms' initial values, read before saving
        earlier = {
            id(row.instance): {name: row.initial.get(name) for name in row.changed_data}
            for row in formset.initial_forms
            if row.has_changed()
        }
        super().save_formset(request, form, formset, change)
        parent = form.instance
        for obj in formset.new_objects:
            after = audit.snapshot(obj, fields)
            self._record(request, f"{label}_added", parent, after=after)
        for obj, changed_names in formset.changed_objects:
            names = [name for name in changed_names if name in fields]
            if names:
                before = {name: earlier.get(id(obj), {}).get(name) for name in names}
                self._record(
                    request, f"{label}_changed", parent, before={"id": obj.pk, **before},
                    after={"id": obj.pk, **audit.snapshot(obj, names)},
                )  # fmt: skip
        for obj in formset.deleted_objects:
            before = audit.snapshot(obj, fields)
            self._record(request, f"{label}_removed", parent, before=before)

    # --- helpers --------------------------------------------------------------------------

    def audit_snapshot(self, obj: models.Model) -> dict[str, Any]:
        return audit.snapshot(obj, self._fields_of(type(obj), self.audit_fields))

    def _inline_spec(self, model: type[models.Model]) -> tuple[str, tuple[str, ...]]:
        name = model._meta.model_name or ""
        label, fields = self.audit_inlines.get(name, (name, ()))
        return label, self._fields_of(model, fields)

    @staticmethod
    def _fields_of(model: type[models.Model], names: tuple[str, ...]) -> tuple[str, ...]:
        if not names:
            names = tuple(
                field.name for field in model._meta.concrete_fields if not field.primary_key
            )
        return tuple(name for name in names if name not in SECRET_FIELDS)

    def _record(
        self,
        request: HttpRequest,
        action: str,
        target: models.Model,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        actor = request.user if request.user.is_authenticated else None
        name = self.audit_name or self.model._meta.model_name
        audit.record(
            actor=actor, action=f"{name}.{action}", target=target, before=before, after=after
        )
