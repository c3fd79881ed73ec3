from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team
from serviceloop.core import clock
from serviceloop.core.models import BilingualName
from serviceloop.customers.models import Customer, Organisation

from .choices import (
    OPEN_STATUSES,
    Channel,
    CommitmentStatus,
    CustomFieldType,
    Direction,
    Emotion,
    InteractionKind,
    Kind,
    Status,
    Urgency,
)
from .filenames import name_for_type


class Category(BilingualName):
    """A node of the admin-defined problem tree (问题分类), e.g. logistics > delay."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("responsible team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories",
        help_text=_("New tickets of this category go to this team (else the parent's)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]


class CustomField(BilingualName):
    """A ticket field an admin adds (order amount, device model...); values live in JSON."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    field_type = models.CharField(_("type"), max_length=10, choices=CustomFieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["key"]


class Ticket(models.Model):
    """One customer request (工单), with its unique human number."""

    number = models.CharField(_("number"), max_length=32, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INQUIRY)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, editable=False
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,  # covered by ticket_open_team
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        db_index=False,  # covered by ticket_open_assignee
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # covered by ticket_customer
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    submitter_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("submitted by organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submitted_tickets",
        db_index=False,  # covered by ticket_partner
    )
    order_ref = models.CharField(_("order or reference number"), max_length=64, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    resolution = models.TextField(_("resolution summary"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
    )
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follows"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text=_("The closed ticket the customer replied to, which this one continues."),
    )
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # sha256 of the normalised text, for the duplicate-submission guard
    content_hash = models.CharField(max_length=64, editable=False)
    # word and CJK-bigram tokens for full-text search (see tickets.search)
    search_document = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Since when the ticket waits on the customer (set on entering waiting_customer, cleared
    # on leaving it), and when the customer was reminded; see the waiting sweeps.
    waiting_since = models.DateTimeField(
        _("waiting on the customer since"), null=True, blank=True, editable=False
    )
    waiting_reminded_at = models.DateTimeField(
        _("customer reminded"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The queues: open tickets of a team / of an assignee, newest first.
            models.Index(
                fields=["team", "-created_at", "-id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_team",
            ),
            models.Index(
                fields=["assignee", "-created_at", "-id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_assignee",
            ),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer"),
            models.Index(
                fields=["submitter_organisation", "-created_at"],
                condition=Q(submitter_organisation__isnull=False),
                name="ticket_partner",
            ),
            models.Index(fields=["-created_at", "-id"], name="ticket_created"),
            models.Index(fields=["status", "-created_at"], name="ticket_status"),
            # The queue's "unassigned in my teams" view and its count (desk.queue).
            models.Index(
                fields=["team", "-created_at", "-id"],
                condition=Q(status__in=OPEN_STATUSES, assignee__isnull=True),
                name="ticket_open_unassigned",
            ),
            # The queue's "waiting on customer" view of a team, and its count.
            models.Index(
                fields=["team", "-created_at", "-id"],
                condition=Q(status=Status.WAITING_CUSTOMER),
                name="ticket_waiting",
            ),
            # The queue's "recently updated" view and sort.
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated"),
            # The supervisor board: one team's open tickets counted by assignee and status
            # from the index alone, however large the backlog.
            models.Index(
                fields=["team", "assignee", "status", "created_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_team_load",
            ),
            # The auto-close sweep: resolved tickets by the time of their last resolution.
            # (status leads, though constant, so that SQLite's planner picks it too)
            models.Index(
                fields=["status", "resolved_at"],
                condition=Q(status=Status.RESOLVED),
                name="ticket_resolved_due",
            ),
            # The waiting sweeps: tickets waiting on the customer by how long they wait.
            models.Index(
                fields=["status", "waiting_since"],
                condition=Q(status=Status.WAITING_CUSTOMER),
                name="ticket_waiting_due",
            ),
        ]
        constraints = [
            # a constraint, not unique=True: no extra LIKE index on PostgreSQL
            models.UniqueConstraint(fields=["number"], name="ticket_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def etag(self) -> str:
        return f'"{self.number}-v{self.version}"'

    def follow_up_tickets(self) -> list["Ticket"]:
        """The tickets that messages to this closed ticket opened, oldest first (numbers
        only). Only a closed ticket has any, so for the others this asks nothing."""
        if self.status != Status.CLOSED:
            return []
        return list(self.follow_ups.order_by("created_at", "id").only("number"))


class TicketNumberCounter(models.Model):
    """Last number handed out per day, on databases without sequences (SQLite)."""

    day = models.DateField(primary_key=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"


class Interaction(models.Model):
    """One contact with the customer (沟通记录), or an internal note between staff."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    occurred_at = models.DateTimeField(_("time"), default=clock.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, blank=True
    )  # blank for internal notes
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    content = models.TextField(_("content"))
    emotion = models.CharField(
        _("customer emotion"), max_length=15, choices=Emotion.choices, blank=True
    )
    is_internal = models.BooleanField(_("internal note"), default=False)
    # what the entry is: a staff reply or the customer's own message is shown to the
    # customer; a logged contact (the agent's own words) and a note never are
    kind = models.CharField(
        _("entry"), max_length=10, choices=InteractionKind.choices, default=InteractionKind.NOTE
    )
    created_at = models.DateTimeField(_("recorded"), default=clock.now, editable=False)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "occurred_at", "id"], name="interaction_timeline")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.occurred_at:%Y-%m-%d %H:%M}"


class Commitment(models.Model):
    """A promise to the customer with a due time (关键承诺)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField(_("promise"), max_length=500)
    due_at = models.DateTimeField(_("due"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.OPEN,
        editable=False,
    )
    reason = models.TextField(
        _("reason given to the customer"),
        blank=True,
        help_text=_("Why the promise was renegotiated; the customer is told."),
    )
    renegotiated_from = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacement",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=clock.now, editable=False)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(_("owner reminded"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status=CommitmentStatus.OPEN),
                name="commitment_open_due",
            ),
            # The reminder sweep: open promises not yet reminded of, by due time.
            models.Index(
                fields=["due_at"],
                condition=Q(status=CommitmentStatus.OPEN, reminded_at__isnull=True),
                name="commitment_remind_due",
            ),
        ]

    def __str__(self) -> str:
        return self.text


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{clock.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    is_internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def download_name(self) -> str:
        """The name it is downloaded under: its name, with its type's extension (a file
        stored before the names got them, say `page.html` of a GIF, downloads as
        `page.gif`)."""
        return name_for_type(self.filename, self.content_type)


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key and the ticket its first request created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_ticket_per_key")]

    def __str__(self) -> str:
        return self.key


class CannedReply(models.Model):
    """A reusable answer for the composer. Placeholders: {customer_name}, {ticket_number},
    {agent_name}. Team-less replies are offered to everyone."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        help_text=_("Empty: offered to every team."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class SavedView(models.Model):
    """A user's named queue: the query string of the queue's filters and sort."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name
