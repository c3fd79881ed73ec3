"""The audit events the routing app records, by name: its use case writes an agent's away
switch and its admin the agent's skills; routing itself reacts to an agent coming back
(receivers.py: their queue may have work for them), as it does to tickets closed,
reassigned and transferred (tickets.events).

Its admin records "team_routing.*" and "agent_profile.*" through audit.admin_mixins
("<audit_name>.created/updated/deleted"); AGENT_PROFILE_SKILLS_CHANGED shares the noun on
purpose, as the same object's change."""

from typing import Final

AGENT_AWAY_CHANGED: Final = "agent.away_changed"
AGENT_PROFILE_SKILLS_CHANGED: Final = "agent_profile.skills_changed"
