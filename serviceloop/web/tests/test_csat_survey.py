"""The survey links need no sign-in, so the link is the key: a forged, changed or foreign
link gets a clear page (400), an expired one 410, and nothing is stored either way. A
one-click link's GET stores nothing (mail scanners open every link); its page sends the
chosen score by POST. The survey's page and comment form, and the request mail's links."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from serviceloop.audit.models import AuditEvent
from serviceloop.followups.models import FollowUp
from serviceloop.satisfaction import links
from serviceloop.satisfaction.models import CsatSurvey
from serviceloop.satisfaction.tests import conftest as satisfaction_tests
from serviceloop.satisfaction.tests.conftest import (
    NOW,
    mail_due_requests,
    resolved_ticket,
    survey_of,
)
from serviceloop.satisfaction.tests.given import LINK, events

# The satisfaction tests' fixtures: the frozen clock and the site's settings (autouse), and
# commit callbacks.
clock = satisfaction_tests.clock
site = satisfaction_tests.site
committed = satisfaction_tests.committed


@pytest.fixture
def survey(agent, committed, clock):
    ticket = resolved_ticket(agent, committed)
    mail_due_requests(clock, committed)
    return survey_of(ticket)


def stored() -> dict[str, object]:
    return {
        "surveys": list(CsatSurvey.objects.order_by("pk").values_list()),
        "events": AuditEvent.objects.count(),
        "follow_ups": FollowUp.objects.count(),
    }


def rate(token: str, score: int = 1, client: Client | None = None):
    """What a person's click does: open the link, and the page sends the score."""
    return (client or Client()).post(reverse("surveys:csat_rate", args=[token, score]))


def test_opening_a_one_click_link_stores_nothing_and_offers_the_score(survey):
    before = stored()
    token = links.make_token(survey)

    pages = [Client().get(reverse("surveys:csat_rate", args=[token, n])) for n in range(1, 6)]

    assert [page.status_code for page in pages] == [200] * 5
    assert stored() == before  # a mail scanner opening every link answers nothing
    page = pages[3].content.decode()
    assert "Your rating: <strong>4 of 5</strong> (Satisfied)" in page
    assert '<form method="post" data-sl-autosubmit' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_page_of_a_one_click_link_sends_the_score_with_its_csrf_token(survey):
    client = Client(enforce_csrf_checks=True)
    url = reverse("surveys:csat_rate", args=[links.make_token(survey), 2])
    page = client.get(url).content.decode()
    csrf = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    assert client.post(url).status_code == 403  # no token, nothing stored
    assert CsatSurvey.objects.get(pk=survey.pk).score is None
    response = client.post(url, {"csrfmiddlewaretoken": csrf})

    assert response.status_code == 200
    assert CsatSurvey.objects.get(pk=survey.pk).score == 2


def test_an_edited_score_in_a_link_shows_the_surveys_form(survey):
    response = Client().post(reverse("surveys:csat_rate", args=[links.make_token(survey), 9]))

    assert response.status_code == 200
    assert 'id="sl-csat-send"' in response.content.decode()
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is None


def test_opening_a_forged_or_expired_link_says_so(survey, clock):
    token = links.make_token(survey)
    forged = reverse("surveys:csat_rate", args=[token[:-2] + "xx", 3])
    assert Client().get(forged).status_code == 400
    clock.shift(timedelta(days=31))
    assert Client().get(reverse("surveys:csat_rate", args=[token, 3])).status_code == 410


def test_a_genuine_link_records_the_score(survey):
    response = rate(links.make_token(survey), 4)

    assert response.status_code == 200
    survey.refresh_from_db()
    assert (survey.score, survey.channel) == (4, "email")


def test_a_link_with_a_changed_signature_is_refused_and_stores_nothing(survey):
    token = links.make_token(survey)
    before = stored()
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = rate(forged)

    assert response.status_code == 400
    assert "This survey link is not valid" in response.content.decode()
    assert stored() == before


def test_a_link_with_a_changed_survey_id_is_refused(survey, agent, committed):
    other = survey_of(resolved_ticket(agent, committed, description="Second parcel lost"))
    token = links.make_token(survey)
    _payload, rest = token.split(":", 1)
    tampered = signing.b64_encode(f'[{other.pk},"{survey.nonce}"]'.encode()).decode()
    before = stored()

    response = rate(f"{tampered}:{rest}")

    assert response.status_code == 400
    assert stored() == before


def test_a_correctly_signed_link_with_another_surveys_id_is_refused(survey, agent, committed):
    """Even signed with our key: the nonce must be the survey's own (a leaked id + nonce of
    one survey opens no other)."""
    other = survey_of(resolved_ticket(agent, committed, description="Second parcel lost"))
    crafted = signing.dumps([other.pk, survey.nonce], salt=links.CSAT_SALT, compress=False)
    before = stored()

    response = rate(crafted)

    assert response.status_code == 400
    assert stored() == before


def test_an_nps_link_does_not_open_a_csat_survey(survey):
    crafted = signing.dumps([survey.pk, survey.nonce], salt=links.NPS_SALT, compress=False)
    before = stored()

    assert rate(crafted).status_code == 400
    assert Client().get(reverse("surveys:csat", args=[crafted])).status_code == 400
    assert stored() == before


def test_garbage_is_refused(survey, db):
    assert rate("not-a-token").status_code == 400
    assert Client().get(reverse("surveys:nps", args=["x:y:z"])).status_code == 400


def test_a_link_expires_after_the_link_days(survey, clock, settings):
    token = links.make_token(survey)
    clock.shift(timedelta(days=30, minutes=1))
    before = stored()

    response = rate(token)

    assert response.status_code == 410
    assert "This survey has expired" in response.content.decode()
    assert stored() == before


def test_a_link_works_until_just_before_it_expires(survey, clock):
    token = links.make_token(survey)
    clock.shift(timedelta(days=30) - timedelta(minutes=1))

    assert rate(token, 5).status_code == 200


def test_an_expired_survey_refuses_even_a_fresh_signature(survey, clock):
    clock.shift(timedelta(days=31))
    token = links.make_token(survey)  # signed now, but the survey expired

    assert rate(token).status_code == 410


def test_the_link_days_come_from_the_setting(survey, clock, settings):
    settings.SATISFACTION_LINK_DAYS = 2
    token = links.make_token(survey)
    clock.shift(timedelta(days=2, minutes=1))

    assert rate(token).status_code == 410


def test_the_error_page_speaks_the_visitors_language(survey):
    response = Client(headers={"accept-language": "zh-hans"}).get(
        reverse("surveys:csat_rate", args=["forged", 1])
    )

    assert response.status_code == 400
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


# --- the survey's page and its comment form (answer_csat: serviceloop/satisfaction/tests) ---


def test_a_click_after_seven_days_shows_why_it_is_refused(survey, clock):
    token = links.make_token(survey)
    Client().post(reverse("surveys:csat_rate", args=[token, 4]))
    clock.shift(timedelta(days=8))

    opened = Client().get(reverse("surveys:csat_rate", args=[token, 1]))
    sent = Client().post(reverse("surveys:csat_rate", args=[token, 1]))

    for response in (opened, sent):
        assert response.status_code == 409
        assert "can no longer be changed" in response.content.decode()
        assert 'id="sl-csat-send"' not in response.content.decode()  # no form to try again
        assert "data-sl-autosubmit" not in response.content.decode()
    assert CsatSurvey.objects.get(pk=survey.pk).score == 4


def test_the_comment_form_after_a_click_changes_the_answer(survey):
    client = Client()
    token = links.make_token(survey)
    page = client.post(reverse("surveys:csat_rate", args=[token, 2]))
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()

    response = client.post(
        reverse("surveys:csat", args=[token]), {"score": "3", "comment": "The courier was rude"}
    )

    assert response.status_code == 302
    stored = CsatSurvey.objects.get(pk=survey.pk)
    assert (stored.score, stored.comment) == (3, "The courier was rude")
    assert len(events(survey, "csat.answered")) == 1
    follow = client.get(response["Location"])
    assert "Your answer is saved" in follow.content.decode()


def test_the_comment_form_needs_the_csrf_token(survey):
    client = Client(enforce_csrf_checks=True)
    token = links.make_token(survey)

    response = client.post(reverse("surveys:csat", args=[token]), {"score": "3"})

    assert response.status_code == 403
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is None


def test_the_form_without_a_score_is_refused(survey):
    token = links.make_token(survey)

    response = Client().post(reverse("surveys:csat", args=[token]), {"comment": "hm"})

    assert response.status_code == 422
    assert 'data-error-for="score"' in response.content.decode()
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is None


def test_the_survey_page_alone_records_nothing(survey):
    response = Client().get(reverse("surveys:csat", args=[links.make_token(survey)]))

    assert response.status_code == 200
    assert response.content.decode().count('name="score"') == 5
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is None
    assert response["Cache-Control"].startswith("max-age=0")


# --- the links of the request mail ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("en", "How did we do?", ["1 - very dissatisfied", "5 - very satisfied"]),
        ("zh-hans", "请为我们的服务评分", ["1 - 非常不满意", "5 - 非常满意"]),
    ],
)
def test_the_request_has_five_working_links_in_the_customers_language(
    agent, committed, clock, language, subject, words
):
    ticket = resolved_ticket(agent, committed, language=language)

    sent = mail_due_requests(clock, committed)

    (message,) = sent
    assert subject in message.subject
    assert ticket.number in message.subject
    assert message.to == ["lina@example.com" if language == "zh-hans" else "alex@example.com"]
    assert message.extra_headers["X-Serviceloop-Message"] == "csat"
    for word in words:
        assert word in message.body
    links = LINK.findall(message.body)
    assert [score for _path, score in links] == ["1", "2", "3", "4", "5"]
    assert len({path.rsplit("/", 2)[0] for path, _score in links}) == 1  # one token
    survey = survey_of(ticket)
    assert survey.sent_at == NOW.replace(hour=3, minute=1)
    assert survey.requests == 1
    # every link works: a click opens the page, which sends its score (the last one stays)
    client = Client()
    for path, score in links:
        assert client.get(path).status_code == 200, path
        response = client.post(path)
        assert response.status_code == 200, path
        survey.refresh_from_db()
        assert survey.score == int(score)
        assert f'data-score="{score}"' in response.content.decode()
    assert response["Content-Language"] == ("zh-hans" if language == "zh-hans" else "en")
