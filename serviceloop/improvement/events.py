"""The audit events the improvement app records, by name: its use cases write them (root-cause
analyses with their whys, causes and evidence; improvement plans and their actions, and the
sweep that marks actions delayed); the plan's page tells a plan's history from them
(display.history_line)."""

from typing import Final

ANALYSIS_STARTED: Final = "analysis.started"
ANALYSIS_UPDATED: Final = "analysis.updated"
ANALYSIS_WHY_ADDED: Final = "analysis.why_added"
ANALYSIS_WHY_UPDATED: Final = "analysis.why_updated"
ANALYSIS_WHY_REMOVED: Final = "analysis.why_removed"
ANALYSIS_CAUSE_ADDED: Final = "analysis.cause_added"
ANALYSIS_CAUSE_UPDATED: Final = "analysis.cause_updated"
ANALYSIS_CAUSE_REMOVED: Final = "analysis.cause_removed"
ANALYSIS_EVIDENCE_LINKED: Final = "analysis.evidence_linked"
ANALYSIS_EVIDENCE_UNLINKED: Final = "analysis.evidence_unlinked"
ANALYSIS_CONCLUDED: Final = "analysis.concluded"
ANALYSIS_REOPENED: Final = "analysis.reopened"
ANALYSIS_DELETED: Final = "analysis.deleted"
PLAN_CREATED: Final = "plan.created"
PLAN_UPDATED: Final = "plan.updated"
PLAN_PHASE_CHANGED: Final = "plan.phase_changed"
PLAN_STATUS_CHANGED: Final = "plan.status_changed"
PLAN_DELETED: Final = "plan.deleted"
PLAN_ACTION_ADDED: Final = "plan_action.added"
PLAN_ACTION_UPDATED: Final = "plan_action.updated"
PLAN_ACTION_NOTED: Final = "plan_action.noted"
PLAN_ACTION_STATUS_CHANGED: Final = "plan_action.status_changed"
PLAN_ACTION_DELAYED: Final = "plan_action.delayed"
PLAN_ACTION_DELETED: Final = "plan_action.deleted"
