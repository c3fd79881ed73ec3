"""Improvement pages (/desk/improvement/): the PDCA board of plans, a plan with its measured
effect, chart and actions, the plan forms, and root-cause analyses.

Parse, call, render: the forms check shapes, the improvement services enforce the rules and
their refusals land on the forms' fields (nothing is stored then). Actions are updated
inline with htmx (the row comes back); the other forms post and redirect.
"""

from django.urls import URLPattern, path

from .actions import action_new, action_update
from .analyses import analyses, analysis_edit, analysis_new, analysis_page
from .analysis_work import (
    analysis_conclude,
    analysis_reopen,
    cause_add,
    cause_change,
    evidence_change,
    why_add,
    why_change,
)
from .board import board
from .plans import plan_chart, plan_edit, plan_new, plan_page, plan_phase, plan_status

P = "improvement/"
urlpatterns: list[URLPattern] = [
    path(P, board, name="improvement_board"),
    path(f"{P}plans/new/", plan_new, name="improvement_plan_new"),
    path(f"{P}plans/<str:code>/", plan_page, name="improvement_plan"),
    path(f"{P}plans/<str:code>/edit/", plan_edit, name="improvement_plan_edit"),
    path(f"{P}plans/<str:code>/chart.json", plan_chart, name="improvement_plan_chart"),
    path(f"{P}plans/<str:code>/phase/", plan_phase, name="improvement_plan_phase"),
    path(f"{P}plans/<str:code>/status/", plan_status, name="improvement_plan_status"),
    path(f"{P}plans/<str:code>/actions/", action_new, name="improvement_action_new"),
    path(
        f"{P}plans/<str:code>/actions/<int:action_id>/",
        action_update,
        name="improvement_action_update",
    ),
    path(f"{P}analyses/", analyses, name="improvement_analyses"),
    path(f"{P}analyses/new/", analysis_new, name="improvement_analysis_new"),
    path(f"{P}analyses/<int:analysis_id>/", analysis_page, name="improvement_analysis"),
    path(f"{P}analyses/<int:analysis_id>/edit/", analysis_edit, name="improvement_analysis_edit"),
    path(f"{P}analyses/<int:analysis_id>/whys/", why_add, name="improvement_why_add"),
    path(
        f"{P}analyses/<int:analysis_id>/whys/<int:why_id>/",
        why_change,
        name="improvement_why_change",
    ),
    path(f"{P}analyses/<int:analysis_id>/causes/", cause_add, name="improvement_cause_add"),
    path(
        f"{P}analyses/<int:analysis_id>/causes/<int:cause_id>/",
        cause_change,
        name="improvement_cause_change",
    ),
    path(
        f"{P}analyses/<int:analysis_id>/evidence/",
        evidence_change,
        name="improvement_evidence",
    ),
    path(
        f"{P}analyses/<int:analysis_id>/conclude/",
        analysis_conclude,
        name="improvement_analysis_conclude",
    ),
    path(
        f"{P}analyses/<int:analysis_id>/reopen/",
        analysis_reopen,
        name="improvement_analysis_reopen",
    ),
]
