"""The root-cause analysis pages: list, start (also from the dashboard), the page and its
forms."""

from urllib.parse import urlencode

import pytest
from django.test import Client

from serviceloop.accounts.choices import Role
from serviceloop.feedback.choices import Source
from serviceloop.feedback.services import register_feedback
from serviceloop.improvement import services
from serviceloop.improvement.models import RootCauseAnalysis
from serviceloop.improvement.tests import conftest as improvement_tests
from serviceloop.improvement.tests.given import days, make_analysis, rows
from tests.builders import make_ticket, make_user

# The improvement tests' fixtures: working hours (autouse, a Wednesday morning in
# Shanghai), a specialist and an analyst.
working_hours = improvement_tests.working_hours
specialist = improvement_tests.specialist
analyst = improvement_tests.analyst


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.AGENT, Role.CUSTOMER, Role.PARTNER])
def test_analyses_are_not_for_agents_customers_or_partners(db, role, specialist):
    analysis = make_analysis(specialist)
    client = signed_in(make_user(role))
    assert client.get("/desk/improvement/analyses/").status_code == 403
    assert client.get(f"/desk/improvement/analyses/{analysis.pk}/").status_code == 403
    assert client.get("/desk/improvement/analyses/new/").status_code == 403


def test_the_list_shows_analyses_with_their_evidence_counts(specialist, agent, analyst):
    tickets = [make_ticket(agent), make_ticket(agent)]
    make_analysis(specialist, title="Late parcels", tickets=[t.number for t in tickets])
    html = signed_in(analyst).get("/desk/improvement/analyses/").content.decode()
    row = html.split("Late parcels")[1].split("</tr>")[0]
    assert '<td class="text-end sl-count">2</td>' in row
    assert 'id="sl-analysis-new"' not in html  # analysts read only


def test_the_dashboard_link_starts_an_analysis_with_its_filters(specialist, category, team):
    query = urlencode(
        [("category", category.pk), ("teams", team.pk), ("channels", "phone"),
         ("start", days(-30).isoformat()), ("end", days(-1).isoformat())]
    )  # fmt: skip
    client = signed_in(specialist)
    page = client.get(f"/desk/improvement/analyses/new/?{query}").content.decode()
    assert "Started from the dashboard" in page
    assert f'<option value="{category.pk}" selected>' in page
    origin = page.split('name="origin" value="')[1].split('"')[0].replace("&amp;", "&")
    response = client.post(
        "/desk/improvement/analyses/new/",
        {
            "title": "Why so many delivery tickets?",
            "problem": "Delivery tickets doubled.",
            "category": category.pk,
            "origin": origin,
        },
    )
    analysis = RootCauseAnalysis.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/improvement/analyses/{analysis.pk}/"
    assert analysis.category == category
    assert analysis.origin == {
        "scope": {"teams": [team.pk], "channels": ["phone"]},
        "start": days(-30).isoformat(),
        "end": days(-1).isoformat(),
    }


def test_a_bad_start_shows_the_errors_and_stores_nothing(specialist):
    before = rows()
    response = signed_in(specialist).post(
        "/desk/improvement/analyses/new/",
        {"title": "", "problem": "x", "tickets": "CS-20200101-000001"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'data-error-for="title"' in html
    assert rows() == before


def test_unknown_ticket_numbers_are_a_field_error(specialist):
    response = signed_in(specialist).post(
        "/desk/improvement/analyses/new/",
        {"title": "T", "problem": "P", "tickets": "CS-20200101-000001, cs-20200101-000002"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "CS-20200101-000001, CS-20200101-000002" in html.split('data-error-for="tickets">')[1]


def test_the_page_shows_whys_fishbone_and_live_evidence(specialist, agent, category):
    ticket = make_ticket(agent, category=category.code)
    item = register_feedback(source=Source.STAFF, actor=agent, text="Tracking is stale")
    analysis = make_analysis(
        specialist, category=category.pk, tickets=[ticket.number], feedback_items=[item.number]
    )
    services.add_why(analysis=analysis, actor=specialist, question="Why late?", answer="Hub")
    services.add_cause(
        analysis=analysis, actor=specialist, category="machine", text="Daily sync",
        is_root_cause=True,
    )  # fmt: skip
    html = signed_in(specialist).get(f"/desk/improvement/analyses/{analysis.pk}/").content.decode()
    assert "Why late?" in html
    machine = html.split('data-bone="machine"')[1].split("</section>")[0]
    assert "Daily sync" in machine
    assert "root cause" in machine
    assert "1 linked ticket (1 open)" in html
    assert "1 ticket in Delivery in the last 90 days" in html
    assert "1 linked feedback item" in html
    assert ticket.number in html


def test_whys_causes_and_evidence_are_added_by_form(specialist, agent):
    analysis = make_analysis(specialist)
    client = signed_in(specialist)
    base = f"/desk/improvement/analyses/{analysis.pk}"
    assert client.post(f"{base}/whys/", {"question": "Why?", "answer": "Rota"}).status_code == 302
    response = client.post(
        f"{base}/causes/", {"category": "people", "text": "Rota", "is_root_cause": "on"}
    )
    assert response.status_code == 302
    ticket = make_ticket(agent)
    response = client.post(f"{base}/evidence/", {"operation": "link", "tickets": ticket.number})
    assert response.status_code == 302
    assert list(analysis.tickets.all()) == [ticket]
    why = analysis.whys.get()
    response = client.post(f"{base}/whys/{why.pk}/", {"question": "Why late?", "answer": "Rota"})
    assert response.status_code == 302
    why.refresh_from_db()
    assert why.question == "Why late?"
    cause = analysis.causes.get()
    assert client.post(f"{base}/causes/{cause.pk}/", {"remove": "1"}).status_code == 302
    assert not analysis.causes.exists()


def test_a_bad_why_comes_back_with_its_error(specialist):
    analysis = make_analysis(specialist)
    response = signed_in(specialist).post(
        f"/desk/improvement/analyses/{analysis.pk}/whys/", {"question": "", "answer": "x"}
    )
    assert response.status_code == 422
    assert 'data-error-for="question"' in response.content.decode()
    assert not analysis.whys.exists()


def test_concluding_and_reopening(specialist):
    analysis = make_analysis(specialist)
    client = signed_in(specialist)
    base = f"/desk/improvement/analyses/{analysis.pk}"
    response = client.post(f"{base}/conclude/", {"conclusions": "Nothing found yet"})
    assert response.status_code == 422
    assert "Answer at least one why" in response.content.decode()
    services.add_why(analysis=analysis, actor=specialist, question="Why?", answer="Because")
    assert client.post(f"{base}/conclude/", {"conclusions": "Found"}).status_code == 302
    html = client.get(f"{base}/").content.decode()
    assert 'id="sl-conclusions"' in html
    assert 'id="sl-why-form"' not in html
    assert f"/desk/improvement/plans/new/?analysis={analysis.pk}" in html
    response = client.post(f"{base}/whys/", {"question": "More?"})
    assert response.status_code == 409
    assert "reopen it to change it" in response.content.decode()
    assert client.post(f"{base}/reopen/").status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == "draft"


def test_a_plan_starts_from_an_analysis(specialist):
    analysis = make_analysis(specialist, title="Late parcels")
    html = (
        signed_in(specialist)
        .get(f"/desk/improvement/plans/new/?analysis={analysis.pk}")
        .content.decode()
    )
    assert 'value="Late parcels"' in html
    assert f'<option value="{analysis.pk}" selected>' in html


def test_the_dashboard_link_works_without_the_trailing_slash(specialist, category):
    response = signed_in(specialist).get(
        f"/desk/improvement/analyses/new?category={category.pk}&channels=phone"
    )
    assert response.status_code == 301
    assert response["Location"] == (
        f"/desk/improvement/analyses/new/?category={category.pk}&channels=phone"
    )
