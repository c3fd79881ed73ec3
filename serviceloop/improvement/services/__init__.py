"""Use cases of root-cause analyses and improvement plans. Each is one function; the API, the
web views and the tasks all call these."""

from .actions import (
    ActionDraft,
    add_action,
    add_action_note,
    delete_action,
    set_action_status,
    update_action,
)
from .analyses import (
    AnalysisDraft,
    add_cause,
    add_why,
    conclude_analysis,
    delete_analysis,
    link_evidence,
    remove_cause,
    remove_why,
    reopen_analysis,
    start_analysis,
    unlink_evidence,
    update_analysis,
    update_cause,
    update_why,
)
from .plans import (
    PlanDraft,
    change_phase,
    change_plan_status,
    create_plan,
    delete_plan,
    draft_of,
    update_plan,
)
from .sweeps import mark_delayed_actions

__all__ = [
    "ActionDraft",
    "AnalysisDraft",
    "PlanDraft",
    "add_action",
    "add_action_note",
    "add_cause",
    "add_why",
    "change_phase",
    "change_plan_status",
    "conclude_analysis",
    "create_plan",
    "delete_action",
    "delete_analysis",
    "delete_plan",
    "draft_of",
    "link_evidence",
    "mark_delayed_actions",
    "remove_cause",
    "remove_why",
    "reopen_analysis",
    "set_action_status",
    "start_analysis",
    "unlink_evidence",
    "update_action",
    "update_analysis",
    "update_cause",
    "update_plan",
    "update_why",
]
