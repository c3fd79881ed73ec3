"""The desk pages of the register and of staff surveys, and the customer's portal page:
who may open them, what they show, their htmx fragments, and every form."""

import csv
import io
import json
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.feedback.models import FeedbackItem, StaffSurvey, StaffSurveyAnswer
from serviceloop.feedback.services import (
    answer_staff_survey,
    change_feedback_status,
    classify_feedback,
    send_staff_survey,
)
from serviceloop.feedback.tests import conftest as feedback_tests
from serviceloop.feedback.tests.given import (
    customer_item,
    mentions,
    staff_item,
    stored_state,
    survey_of,
)
from tests.builders import make_ticket, make_user

# The feedback tests' fixtures: their clock (autouse, a Wednesday morning in Shanghai) and
# people of each role.
clock = feedback_tests.clock
specialist = feedback_tests.specialist
analyst = feedback_tests.analyst
customer_user = feedback_tests.customer_user
other_customer_user = feedback_tests.other_customer_user
partner = feedback_tests.partner

REGISTER = "/desk/feedback/"
RESULTS = {"HX-Request": "true", "HX-Target": "sl-results"}
MORE = {"HX-Request": "true", "HX-Target": "sl-more"}
HTMX = {"HX-Request": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(response) -> list[str]:
    return re.findall(r'data-sl-row data-number="([^"]+)"', response.content.decode())


def errors(response) -> dict[str, str]:
    found = re.findall(
        r'data-error-for="([\w.]+)">(?:[^:<]*: )?([^<]+)<', response.content.decode()
    )
    return dict(found)


def counts(response) -> dict[str, str]:
    return dict(re.findall(r'data-count-for="(\w+)">(\d+)<', response.content.decode()))


def item_url(item: FeedbackItem, name: str = "desk:feedback_item") -> str:
    return reverse(name, kwargs={"number": item.number})


# --- who may open the register -------------------------------------------------------------


def test_strangers_sign_in_customers_go_to_the_portal_and_partners_are_refused(
    client, partner, customer_user
):
    assert client.get(REGISTER)["Location"].startswith(reverse("login"))
    assert signed_in(customer_user).get(REGISTER)["Location"] == reverse("portal:home")
    assert signed_in(partner).get(REGISTER).status_code == 403


def test_the_menu_offers_the_register_to_staff_and_the_form_to_customers(agent, customer_user):
    desk = signed_in(agent).get(reverse("desk:queue")).content.decode()
    portal = signed_in(customer_user).get(reverse("portal:home")).content.decode()

    menu = r'<a class="nav-link[^"]*"[^>]* href="{}"'
    assert re.search(menu.format(REGISTER), desk)
    assert re.search(menu.format(reverse("desk:staff_surveys")), desk)
    assert re.search(menu.format(reverse("portal:feedback")), portal)
    assert not re.search(menu.format(REGISTER), portal)


def test_an_agent_sees_their_teams_items_and_no_bulk_bar(agent, outsider, specialist, team):
    ours = staff_item(specialist, classification={"team": team.code})
    staff_item(outsider)

    response = signed_in(agent).get(REGISTER)

    assert response.status_code == 200
    assert shown(response) == [ours.number]
    assert 'id="sl-bulk"' not in response.content.decode()
    assert 'id="sl-export"' not in response.content.decode()


def test_the_register_filters_counts_and_pages(specialist, agent):
    gap = staff_item(agent, title="退货流程漏洞")
    classify_feedback(item=gap, actor=specialist, type="process_gap")
    done = staff_item(agent, title="Done already")
    change_feedback_status(item=done, actor=specialist, status="done")
    client = signed_in(specialist)

    by_type = client.get(REGISTER, {"type": "process_gap"})
    unclassified = client.get(REGISTER, {"type": "none"})
    by_status = client.get(REGISTER, {"status": "done"}, headers=RESULTS)
    by_text = client.get(REGISTER, {"q": "流程"})
    bad = client.get(REGISTER, {"created_after": "2026-11-25", "created_before": "2026-11-01"})

    assert shown(by_type) == [gap.number]
    assert shown(unclassified) == [done.number]
    assert shown(by_status) == [done.number]
    assert "<html" not in by_status.content.decode()  # the fragment only
    assert by_status["HX-Push-Url"] == f"{REGISTER}?status=done"
    assert counts(by_status) == {
        "all": "2", "new": "1", "accepted": "0", "planned": "0", "done": "1", "rejected": "0",
    }  # fmt: skip
    assert shown(by_text) == [gap.number]
    assert bad.status_code == 422
    assert "created_before" in errors(bad)


def test_load_more_brings_the_next_rows(specialist, agent):
    items = [staff_item(agent) for _ in range(27)]
    client = signed_in(specialist)

    first = client.get(REGISTER)
    link = re.search(r'id="sl-more".*?href="([^"]+)"', first.content.decode(), re.S).group(1)
    more = client.get(link.replace("&amp;", "&"), headers=MORE)

    assert len(shown(first)) == 25
    assert shown(first) + shown(more) == [item.number for item in reversed(items)]


def test_the_register_page_costs_the_same_queries_for_few_and_many(
    specialist, agent, django_assert_max_num_queries
):
    client = signed_in(specialist)
    for _ in range(3):
        staff_item(agent)
    client.get(REGISTER)  # warm the caches (catalogue, session)
    with django_assert_max_num_queries(12) as few:
        client.get(REGISTER)
    for _ in range(20):
        staff_item(agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(REGISTER)


# --- bulk classify -------------------------------------------------------------------------


def test_bulk_classify_from_the_register(specialist, agent):
    items = [staff_item(agent) for _ in range(3)]

    response = signed_in(specialist).post(
        reverse("desk:feedback_bulk"),
        {"ids": [items[0].pk, items[2].pk], "type": "experience", "stage": "follow_up",
         "query": "source=staff"},
        headers=RESULTS,
    )  # fmt: skip

    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["sl:toast"] == "2 items changed."
    rows = dict(FeedbackItem.objects.values_list("pk", "type"))
    assert rows == {items[0].pk: "experience", items[1].pk: "", items[2].pk: "experience"}
    assert len(shown(response)) == 3


def test_a_bad_bulk_change_changes_nothing_and_says_why(specialist, agent):
    item = staff_item(agent)
    before = stored_state()

    unknown = signed_in(specialist).post(
        reverse("desk:feedback_bulk"), {"ids": [item.pk, 424242], "type": "experience"},
        headers=RESULTS,
    )  # fmt: skip
    no_reason = signed_in(specialist).post(
        reverse("desk:feedback_bulk"), {"ids": [item.pk], "status": "rejected"}, headers=RESULTS
    )

    assert unknown.status_code == 422
    assert "424242" in errors(unknown)["ids"]
    assert no_reason.status_code == 422
    assert "reason" in errors(no_reason)
    assert stored_state() == before


def test_agents_cannot_bulk_classify(agent):
    item = staff_item(agent)

    response = signed_in(agent).post(
        reverse("desk:feedback_bulk"), {"ids": [item.pk], "type": "experience"}
    )

    assert response.status_code == 403
    assert FeedbackItem.objects.get().type == ""


# --- export --------------------------------------------------------------------------------


def test_analysts_export_the_filtered_register(analyst, agent, specialist):
    wanted = staff_item(agent, title="排队时间太长")
    classify_feedback(item=wanted, actor=specialist, nature="efficiency")
    staff_item(agent, title="Other")
    client = signed_in(analyst)

    as_csv = client.get(reverse("desk:feedback_export"), {"nature": "efficiency"})
    as_xlsx = client.get(
        reverse("desk:feedback_export"), {"nature": "efficiency", "format": "xlsx"}
    )

    text = b"".join(as_csv.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(row[0], row[3], row[8]) for row in rows[1:]] == [
        (wanted.number, "排队时间太长", "Efficiency")
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Number"
    assert [(row[0], row[3]) for row in values[1:]] == [(wanted.number, "排队时间太长")]
    assert as_xlsx["Content-Disposition"].startswith('attachment; filename="feedback-')


def test_agents_cannot_export_and_bad_filters_are_refused(agent, analyst):
    assert signed_in(agent).get(reverse("desk:feedback_export")).status_code == 403
    bad = signed_in(analyst).get(reverse("desk:feedback_export"), {"format": "pdf"})
    assert bad.status_code == 400


# --- sending feedback as staff -------------------------------------------------------------


def test_an_agent_sends_anonymous_feedback_that_names_nobody(agent):
    response = signed_in(agent).post(
        reverse("desk:feedback_new"), {"text": "夜班只有两个人", "anonymous": "on"}, follow=True
    )

    item = FeedbackItem.objects.get()
    assert response.redirect_chain[-1][0] == REGISTER  # they cannot see it any more
    assert item.number in response.content.decode()
    assert item.submitted_by_id is None
    assert not any(mentions(agent, event) for event in AuditEvent.objects.all())


def test_a_named_item_with_tickets_opens_its_page(agent):
    ticket = make_ticket(agent)

    response = signed_in(agent).post(
        reverse("desk:feedback_new"),
        {"title": "Labels", "text": "Labels tear", "tickets": f"{ticket.number}, "},
    )

    item = FeedbackItem.objects.get()
    assert response["Location"] == item_url(item)
    assert list(item.tickets.all()) == [ticket]
    assert item.submitted_by == agent


def test_the_staff_form_names_its_errors(agent):
    response = signed_in(agent).post(
        reverse("desk:feedback_new"), {"text": "x", "tickets": "CS-20200101-000001"}
    )

    assert response.status_code == 422
    assert set(errors(response)) == {"tickets"}
    assert not FeedbackItem.objects.exists()


# --- one item ------------------------------------------------------------------------------


def test_the_item_page_for_its_readers_only(agent, outsider, customer_user, specialist, team):
    item = staff_item(specialist, title="等待太久", classification={"team": team.code})

    page = signed_in(agent).get(item_url(item))

    assert page.status_code == 200
    assert "等待太久" in page.content.decode()
    assert 'id="sl-classify-form"' not in page.content.decode()
    assert signed_in(outsider).get(item_url(item)).status_code == 404
    assert signed_in(customer_user).get(item_url(item)).status_code == 302


def test_the_history_shows_an_anonymous_author_as_anonymous(specialist, agent):
    item = staff_item(agent, anonymous=True)
    change_feedback_status(item=item, actor=specialist, status="rejected", reason="重复")

    page = signed_in(specialist).get(item_url(item)).content.decode()

    assert re.findall(r"<span data-who>([^<]+)</span>", page) == ["Anonymous", "specialist"]
    assert "Rejected" in page
    assert "重复" in page
    assert agent.username not in page


def test_classify_and_decide_with_htmx(specialist, agent, team):
    item = staff_item(agent)
    client = signed_in(specialist)

    classified = client.post(
        item_url(item, "desk:feedback_classify"),
        {"type": "process_gap", "stage": "intake", "nature": "quality", "urgency": "high",
         "team": team.code, "category": ""},
        headers=HTMX,
    )  # fmt: skip
    refused = client.post(
        item_url(item, "desk:feedback_status"), {"status": "rejected"}, headers=HTMX
    )
    accepted = client.post(item_url(item, "desk:feedback_status"), {"status": "accepted"})

    assert classified.status_code == 200
    assert 'data-field="type">Process gap<' in classified.content.decode()
    assert "<html" not in classified.content.decode()
    assert refused.status_code == 422
    assert "reason" in errors(refused)
    assert accepted["Location"] == item_url(item)
    item.refresh_from_db()
    assert (item.type, item.team, item.status) == ("process_gap", team, "accepted")


def test_link_and_unlink_tickets(specialist, agent):
    item = staff_item(agent)
    ticket = make_ticket(agent)
    client = signed_in(specialist)

    linked = client.post(item_url(item, "desk:feedback_link"), {"numbers": ticket.number},
                         headers=HTMX)  # fmt: skip
    unknown = client.post(item_url(item, "desk:feedback_link"), {"numbers": "CS-20200101-000009"},
                          headers=HTMX)  # fmt: skip
    unlink_url = reverse("desk:feedback_unlink", args=[item.number, ticket.number])

    assert f'data-linked="{ticket.number}"' in linked.content.decode()
    assert unknown.status_code == 422
    assert "CS-20200101-000009" in errors(unknown)["numbers"]
    client.post(unlink_url, headers=HTMX)
    assert not item.tickets.exists()


def test_agents_cannot_change_an_item(agent):
    item = staff_item(agent)
    client = signed_in(agent)

    for name, data in (("desk:feedback_classify", {"type": "experience", "urgency": "low"}),
                       ("desk:feedback_status", {"status": "done"})):  # fmt: skip
        assert client.post(item_url(item, name), data).status_code == 403
    item.refresh_from_db()
    assert (item.type, item.status) == ("", "new")


# --- staff surveys -------------------------------------------------------------------------


@pytest.fixture
def members(team, agent, teammate):
    return [agent, teammate] + [make_user(Role.AGENT, teams=[team]) for _ in range(3)]


@pytest.fixture
def survey(team, specialist, members):
    survey = survey_of(team, specialist)
    send_staff_survey(survey=survey, actor=specialist)
    return survey


def test_a_manager_creates_a_survey_from_lines(specialist, team):
    response = signed_in(specialist).post(
        reverse("desk:staff_survey_new"),
        {
            "title": "Q4",
            "team": team.code,
            "opens_at": "2026-11-25T09:00",
            "closes_at": "2026-12-09T18:00",
            "questions": "scale | I have the tools I need | 我有需要的工具\n\n"
            "text | Anything else?",
        },
    )

    survey = StaffSurvey.objects.get()
    assert response["Location"] == reverse("desk:staff_survey", args=[survey.pk])
    assert survey.questions == [
        {"key": "q1", "kind": "scale_1_5", "text_en": "I have the tools I need",
         "text_zh": "我有需要的工具"},
        {"key": "q2", "kind": "text", "text_en": "Anything else?", "text_zh": "Anything else?"},
    ]  # fmt: skip


def test_a_bad_line_or_time_is_named(specialist, team, agent):
    client = signed_in(specialist)
    data = {"title": "Q4", "team": team.code, "opens_at": "2026-11-25T09:00",
            "closes_at": "2026-11-20T09:00", "questions": "stars | Rate us"}  # fmt: skip

    bad_line = client.post(reverse("desk:staff_survey_new"), data)
    bad_time = client.post(reverse("desk:staff_survey_new"), {**data, "questions": "text | ?"})

    assert "Line 1: write kind | English | Chinese." in bad_line.content.decode()
    assert "questions" in errors(bad_line)
    assert "closes_at" in errors(bad_time)
    assert not StaffSurvey.objects.exists()
    assert signed_in(agent).get(reverse("desk:staff_survey_new")).status_code == 403


def test_an_invitee_answers_once_without_a_name(survey, agent):
    client = signed_in(agent)
    url = reverse("desk:staff_survey_answer", args=[survey.pk])

    listed = client.get(reverse("desk:staff_surveys")).content.decode()
    form = client.get(url)
    bad = client.post(url, {"answers.workload": "3"})
    sent = client.post(url, {"answers.workload": "3", "answers.tools": "5",
                             "answers.change": "更多培训"})  # fmt: skip
    again = client.get(url)

    assert "data-answer" in listed
    assert form.status_code == 200
    assert bad.status_code == 422
    assert "answers.tools" in errors(bad)
    assert sent["Location"] == reverse("desk:staff_surveys")
    assert 'id="sl-answered"' in again.content.decode()
    row = StaffSurveyAnswer.objects.values().get()
    assert set(row) == {"id", "survey_id", "answers", "answered_on"}
    assert client.post(url, {"answers.workload": "1", "answers.tools": "1"}).status_code == 200
    assert StaffSurveyAnswer.objects.count() == 1


def test_not_invited_is_not_found(survey, outsider, customer_user):
    assert (
        signed_in(outsider).get(reverse("desk:staff_survey", args=[survey.pk])).status_code == 404
    )
    answer_url = reverse("desk:staff_survey_answer", args=[survey.pk])
    assert signed_in(outsider).get(answer_url).status_code == 404


def test_results_appear_after_five_answers_and_a_text_goes_to_the_register(
    survey, members, specialist
):
    client = signed_in(specialist)
    url = reverse("desk:staff_survey", args=[survey.pk])
    for member in members[:4]:
        answer_staff_survey(survey=survey, user=member,
                            answers={"workload": 2, "tools": 4, "change": "排班"})  # fmt: skip

    withheld = client.get(url).content.decode()
    answer_staff_survey(survey=survey, user=members[4], answers={"workload": 5, "tools": 4})
    shown_page = client.get(url).content.decode()

    assert "The results appear after 5 answers (now 4)." in withheld
    assert "data-mean>2.6<" in shown_page
    assert "5 of 5 invited answered." in shown_page
    answer_id = re.search(r"/answers/([0-9a-f-]{36})/feedback/", shown_page).group(1)
    response = client.post(
        reverse("desk:staff_survey_to_feedback", args=[survey.pk, answer_id]),
        {"question": "change"},
        follow=True,
    )
    item = FeedbackItem.objects.get()
    assert (item.text, item.submitted_by_id, item.source) == ("排班", None, "staff")
    assert item.number in response.content.decode()


def test_sending_from_the_page(team, specialist, members):
    survey = survey_of(team, specialist)

    response = signed_in(specialist).post(
        reverse("desk:staff_survey_send", args=[survey.pk]), follow=True
    )

    assert "5 members invited." in response.content.decode()
    assert survey.invitations.count() == 5


# --- the customer's portal page ------------------------------------------------------------


def test_a_customer_sends_feedback_about_their_request(customer_user, other_customer_user):
    ticket = make_ticket(customer_user, description="My parcel is late")
    bobs = make_ticket(other_customer_user, description="Bob's parcel")
    client = signed_in(customer_user)

    page = client.get(reverse("portal:feedback")).content.decode()
    refused = client.post(reverse("portal:feedback"), {"text": "Hi", "ticket": bobs.number})
    sent = client.post(
        reverse("portal:feedback"),
        {"title": "快递员态度", "text": "快递员态度很好，但是太慢", "ticket": ticket.number},
        follow=True,
    )

    assert ticket.number in page
    assert bobs.number not in page
    assert refused.status_code == 422
    item = FeedbackItem.objects.get()
    assert (item.source, item.customer, item.submitted_by) == (
        "customer", customer_user.customer, customer_user,
    )  # fmt: skip
    assert list(item.tickets.all()) == [ticket]
    assert f'data-feedback="{item.number}"' in sent.content.decode()


def test_a_customer_sees_the_status_and_reason_of_their_own_feedback_only(
    customer_user, other_customer_user, specialist
):
    mine = customer_item(customer_user, title="Mine")
    theirs = customer_item(other_customer_user, title="Theirs")
    change_feedback_status(item=mine, actor=specialist, status="rejected", reason="已在改进中")

    page = signed_in(customer_user).get(reverse("portal:feedback")).content.decode()

    assert f'data-feedback="{mine.number}"' in page
    assert theirs.number not in page
    assert "已在改进中" in page


def test_staff_are_sent_to_their_desk_from_the_portal_form(agent):
    assert signed_in(agent).get(reverse("portal:feedback")).status_code == 302
