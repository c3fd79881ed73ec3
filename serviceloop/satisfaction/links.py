"""The signed links of surveys: answering needs no sign-in, so the link itself is the key.

A token is `django.core.signing` of [survey id, nonce] with a salt per survey type and the
time it was made; it is refused when the signature does not match (forged, changed, or made
for the other survey type), when the nonce is not the survey's (a link of another survey),
after SATISFACTION_LINK_DAYS (counted from the mail), and when the survey itself expired.
The score of a CSAT link is a separate part of the URL: the customer chooses it anyway.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from .choices import CSAT_SCORES
from .errors import BadLink, SurveyExpired
from .models import CsatSurvey, NpsResponse

CSAT_SALT = "serviceloop.satisfaction.csat"
NPS_SALT = "serviceloop.satisfaction.nps"


def link_days() -> int:
    """SATISFACTION_LINK_DAYS (default 30), read when asked so tests can change it."""
    return int(settings.SATISFACTION_LINK_DAYS)


def _salt(survey: CsatSurvey | NpsResponse) -> str:
    return CSAT_SALT if isinstance(survey, CsatSurvey) else NPS_SALT


def make_token(survey: CsatSurvey | NpsResponse) -> str:
    """The token of `survey`'s links; it expires link_days() after now."""
    return signing.dumps([survey.pk, survey.nonce], salt=_salt(survey), compress=False)


def _read[Survey: (CsatSurvey, NpsResponse)](
    token: str, *, salt: str, model: type[Survey]
) -> Survey:
    try:
        payload = signing.loads(token, salt=salt, max_age=timedelta(days=link_days()))
    except signing.SignatureExpired:  # only raised once the signature matched
        raise SurveyExpired from None
    except signing.BadSignature:
        raise BadLink from None
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)):
        raise BadLink
    survey_id, nonce = payload
    survey = model._default_manager.filter(pk=survey_id).first()
    if survey is None or not constant_time_compare(survey.nonce, str(nonce)):
        raise BadLink
    if survey.is_expired():
        raise SurveyExpired
    return survey


def csat_survey_for(token: str) -> CsatSurvey:
    """The CSAT survey a link names; BadLink or SurveyExpired when it may not be used."""
    return _read(token, salt=CSAT_SALT, model=CsatSurvey)


def nps_response_for(token: str) -> NpsResponse:
    """The NPS response a link names; BadLink or SurveyExpired when it may not be used."""
    return _read(token, salt=NPS_SALT, model=NpsResponse)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def csat_rating_urls(survey: CsatSurvey) -> dict[int, str]:
    """{score: the one-click link whose page sends it}, for 1..5."""
    token = make_token(survey)
    return {
        score: _absolute(reverse("surveys:csat_rate", args=[token, score])) for score in CSAT_SCORES
    }


def csat_page_url(survey: CsatSurvey) -> str:
    """The survey's page: the five choices and a comment (records nothing by itself)."""
    return _absolute(reverse("surveys:csat", args=[make_token(survey)]))


def nps_page_url(response: NpsResponse) -> str:
    """The 0-10 form of one NPS response."""
    return _absolute(reverse("surveys:nps", args=[make_token(response)]))
