"""The audit events the accounts app records, by name: its use cases write them (personal API
tokens, teams and their members) and its admin writes the password change; nothing reacts
to them but the audit trail's readers.

The team admin records through audit.admin_mixins ("<audit_name>.created/updated/deleted",
inline rows "<audit_name>.<label>_added/_changed/_removed"): with audit_name "team" and the
membership inline labelled "member" it writes TEAM_CREATED, TEAM_UPDATED, TEAM_MEMBER_ADDED
and TEAM_MEMBER_REMOVED too — one name for both ways of making the change. The user admin
writes "user.created/updated/deleted" the same way."""

from typing import Final

TOKEN_ISSUED: Final = "token.issued"
TOKEN_REVOKED: Final = "token.revoked"
TEAM_CREATED: Final = "team.created"
TEAM_UPDATED: Final = "team.updated"
TEAM_MEMBER_ADDED: Final = "team.member_added"
TEAM_MEMBER_REMOVED: Final = "team.member_removed"
USER_PASSWORD_CHANGED: Final = "user.password_changed"
