"""Files attached to a ticket: limited in size and type, stored through Django storage."""

import hashlib
import mimetypes
from collections.abc import Sequence

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed

from .. import events
from ..archives import ArchiveRefused, check_archive
from ..choices import Status
from ..filenames import name_for_type
from ..models import Attachment, Interaction, Ticket

_TEXT_TYPES = {"text/plain", "text/csv"}


def sniff_content_type(upload: UploadedFile[bytes]) -> str | None:
    """The type the bytes say they are (magic numbers); plain text by name when it decodes."""
    upload.seek(0)
    head = upload.read(8192)
    cut = len(head) == 8192 and bool(upload.read(1))  # the file goes on past the head
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    guessed, _encoding = mimetypes.guess_type(upload.name or "")
    if guessed in _TEXT_TYPES:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if not (cut and error.reason == "unexpected end of data"):
                return None  # not just a character cut at the 8 KiB edge
        return guessed
    return None


@transaction.atomic
def add_attachment(
    *,
    ticket: Ticket,
    actor: User,
    upload: UploadedFile[bytes],
    interaction: Interaction | None = None,
    is_internal: bool = False,
) -> Attachment:
    """Attach a file; internal files (or files of an internal note) stay hidden from customers.

    The file is accepted by what its bytes are (sniff_content_type, ATTACHMENT_TYPES), its
    name gets that type's extension (filenames.name_for_type: a GIF named page.html is
    page.gif), and an archive must not unpack to too much (archives.check_archive)."""
    if not (actor.works_tickets or actor.role in (Role.CUSTOMER, Role.PARTNER)):
        raise NotPermitted(_("Your role may not attach files."))
    if is_internal and not actor.works_tickets:
        raise DomainError(_("Your role may not set this field."), field="is_internal")
    if ticket.status == Status.CLOSED:
        raise Conflict(_("This ticket is closed; closed tickets cannot change."))
    if interaction is not None and interaction.ticket_id != ticket.pk:
        raise DomainError(_("This interaction belongs to another ticket."), field="interaction")
    if upload.size is None or upload.size == 0:
        raise DomainError(_("The file is empty."), field="file")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(
            format_lazy(
                _("The file is larger than the limit of {limit}."),
                limit=filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            ),
            field="file",
        )
    content_type = sniff_content_type(upload)
    if content_type not in settings.ATTACHMENT_TYPES:
        raise DomainError(_("This type of file is not accepted."), field="file")
    try:
        check_archive(upload, content_type, size=upload.size)
    except ArchiveRefused as refused:
        raise DomainError(refused.message, field="file") from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        ticket=ticket,
        interaction=interaction,
        filename=name_for_type(upload.name or "file", content_type),
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        is_internal=is_internal or bool(interaction and interaction.is_internal),
        uploaded_by=actor,
        created_at=clock.now(),
    )
    attachment.file.save(attachment.filename, upload, save=False)
    attachment.save()
    audit.record(
        actor=actor,
        action=events.ATTACHMENT_ADDED,
        target=attachment,
        after=audit.snapshot(
            attachment, ["filename", "content_type", "size", "sha256", "is_internal"]
        ),
    )
    return attachment


MAX_FILES = 10


def attach_files(
    *,
    ticket: Ticket,
    actor: User,
    uploads: Sequence[UploadedFile[bytes]],
    interaction: Interaction | None = None,
    field: str = "attachments",
) -> list[Attachment]:
    """add_attachment for each upload, all or nothing, inside the caller's transaction.

    A refused file is reported on `field`, prefixed with its name. The rows roll back with
    the caller's transaction; the files already written are deleted here, since storage
    does not roll back.
    """
    if len(uploads) > MAX_FILES:
        raise ValidationFailed({field: _("Attach at most 10 files at once.")})
    stored: list[Attachment] = []
    try:
        for upload in uploads:
            try:
                stored.append(
                    add_attachment(
                        ticket=ticket, actor=actor, upload=upload, interaction=interaction
                    )
                )
            except DomainError as error:
                if error.field not in (None, "file"):
                    raise
                raise DomainError(
                    format_lazy("{name}: {message}", name=upload.name, message=error.message),
                    field=field,
                    code=error.code,
                ) from error
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored
