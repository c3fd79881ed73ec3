"""The issue's "done when", in a browser on the demo data: the dashboard shows a real Pareto
and priority matrix, a completed plan shows its measured effect with an interval and n, a
running pilot its difference in differences, the PDF report downloads; and every page of
the loop renders, in Chinese and English, with a screenshot under artifacts/screenshots/."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from serviceloop.feedback.models import StaffSurvey
from serviceloop.improvement.choices import PlanStatus
from serviceloop.improvement.models import ImprovementPlan, RootCauseAnalysis
from serviceloop.satisfaction.links import csat_page_url, csat_rating_urls
from serviceloop.satisfaction.models import CsatSurvey, NpsCampaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "serviceloop-demo"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("demo", "--tickets", "900", "--customers", "120", stdout=io.StringIO())


def demo_sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_the_loop_on_the_demo_data(demo, open_page, screenshot, live_server):
    analyst = open_page("zh-CN")
    demo_sign_in(analyst, "analyst")
    analyst.goto("/desk/analytics/?start=" + _ninety_days_ago() + "&end=" + _today())
    expect(analyst.locator("#sl-chart-pareto[data-ready='1'] svg")).to_be_visible()
    expect(analyst.locator("#sl-chart-matrix[data-ready='1'] svg")).to_be_visible()
    vital = analyst.locator("#sl-pain-points tr.table-warning")
    assert 0 < vital.count() < analyst.locator("#sl-pain-points tbody tr").count()
    expect(analyst.locator("[data-quadrant='fix_first']").first).to_be_visible()
    screenshot(analyst, "demo-analytics-dashboard")
    with analyst.expect_download() as report:
        analyst.locator("#sl-export-pdf").click()
    assert report.value.suggested_filename.endswith(".pdf")
    pdf = Path(report.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    (ARTIFACTS / "demo-diagnosis-report.pdf").write_bytes(pdf)

    specialist = open_page()
    demo_sign_in(specialist, "specialist")
    specialist.goto("/desk/improvement/")
    screenshot(specialist, "demo-improvement-board")
    completed = ImprovementPlan.objects.get(status=PlanStatus.COMPLETED)
    specialist.goto(f"/desk/improvement/plans/{completed.code}/")
    effect = specialist.locator("main")
    expect(effect).to_contain_text("95 % CI")
    expect(effect).to_contain_text("Difference in differences")
    expect(specialist.locator("main")).to_contain_text(re.compile(r"n = \d+"))
    screenshot(specialist, "demo-plan-completed")
    pilot = ImprovementPlan.objects.filter(status=PlanStatus.ACTIVE).exclude(pilot_scope={}).get()
    specialist.goto(f"/desk/improvement/plans/{pilot.code}/")
    expect(specialist.locator("main")).to_contain_text("Difference in differences")
    screenshot(specialist, "demo-plan-pilot")
    analysis = RootCauseAnalysis.objects.get()
    specialist.goto(f"/desk/improvement/analyses/{analysis.pk}/")
    screenshot(specialist, "demo-root-cause-analysis")
    specialist.goto("/desk/feedback/")
    screenshot(specialist, "demo-feedback-register")
    specialist.goto(f"/desk/surveys/{NpsCampaign.objects.get().pk}/")
    screenshot(specialist, "demo-nps-campaign")
    specialist.goto(f"/desk/staff-surveys/{StaffSurvey.objects.get().pk}/")
    screenshot(specialist, "demo-staff-survey-results")

    agent = open_page("zh-CN")
    demo_sign_in(agent, "agent1")
    agent.goto("/desk/follow-ups/")
    screenshot(agent, "demo-follow-ups")

    customer = open_page("zh-CN")
    survey = CsatSurvey.objects.filter(score__isnull=True).exclude(sent_at=None).first()
    assert survey is not None, "the demo leaves some CSAT requests unanswered"
    customer.goto(csat_page_url(survey).replace("http://127.0.0.1:8000", live_server.url))
    expect(customer.locator("main form")).to_be_visible()
    screenshot(customer, "demo-csat-page")
    # a one-click link of the mail: the landing page sends the score by itself
    one_click = csat_rating_urls(survey)[4].replace("http://127.0.0.1:8000", live_server.url)
    customer.goto(one_click)
    expect(customer.locator("#sl-rated[data-score='4']")).to_be_visible()
    screenshot(customer, "demo-csat-one-click")
    assert CsatSurvey.objects.get(pk=survey.pk).score == 4


def _today() -> str:
    return str(timezone.localdate())


def _ninety_days_ago() -> str:
    return str(timezone.localdate() - timedelta(days=89))
