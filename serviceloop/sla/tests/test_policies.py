"""Which SLA policy applies, and when its targets fall due."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from serviceloop.audit.models import AuditEvent
from serviceloop.calendars.business_time import Schedule
from serviceloop.sla.models import SlaPolicy
from serviceloop.sla.policies import TicketFacts, due, policy_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = Schedule(zone=SHANGHAI, weekly=dict.fromkeys(range(5), ((time(9), time(18)),)))


def policy(code, position, **fields):
    return SlaPolicy(code=code, name_en=code, name_zh=code, position=position, **fields)


def facts(**fields):
    values = {"urgency": "medium", "kind": "inquiry", "channel": "web", **fields}
    return TicketFacts(**values)


def test_the_first_matching_policy_in_position_order_applies():
    general = policy("general", 30)
    urgent = policy("urgent", 10, urgencies=["critical"])
    complaints = policy("complaints", 20, kinds=["complaint"])
    policies = [general, urgent, complaints]
    assert policy_for(policies, facts(urgency="critical", kind="complaint")) is urgent
    assert policy_for(policies, facts(kind="complaint")) is complaints
    assert policy_for(policies, facts()) is general


def test_every_set_condition_must_hold():
    phone_vip = policy("phone-vip", 0, channels=["phone"], tier_id=7)
    assert policy_for([phone_vip], facts(channel="phone", tier_id=7)) is phone_vip
    assert policy_for([phone_vip], facts(channel="phone", tier_id=8)) is None
    assert policy_for([phone_vip], facts(channel="email", tier_id=7)) is None


def test_a_category_condition_covers_its_sub_categories():
    logistics = policy("logistics", 0, category_id=3)
    assert policy_for([logistics], facts(category_ids=(12, 3))) is logistics  # child of 3
    assert policy_for([logistics], facts(category_ids=(4,))) is None


def test_an_inactive_policy_never_applies():
    assert policy_for([policy("off", 0, is_active=False)], facts()) is None


def test_targets_in_business_time_skip_the_night_and_in_calendar_time_do_not():
    start = datetime(2026, 11, 23, 17, 0, tzinfo=SHANGHAI)  # Monday 17:00
    business = policy("b", 0, business_time=True)
    calendar = policy("c", 0, business_time=False)
    assert due(business, 120, start, OFFICE) == datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
    assert due(calendar, 120, start, OFFICE) == datetime(2026, 11, 23, 19, 0, tzinfo=SHANGHAI)
    assert due(business, None, start, OFFICE) is None


@pytest.mark.usefixtures("installed")
def test_the_source_process_promises_come_installed():
    urgent = SlaPolicy.objects.get(code="urgent")
    assert urgent.urgencies == ["critical"]
    assert urgent.first_response_minutes == 10
    important = SlaPolicy.objects.get(code="important")
    assert important.first_response_minutes == 24 * 60
    general = SlaPolicy.objects.get(code="general")
    assert general.first_response_minutes == 72 * 60
    installed = list(SlaPolicy.objects.all())
    assert policy_for(installed, facts(urgency="critical")) == urgent
    assert policy_for(installed, facts(urgency="high")) == important
    assert policy_for(installed, facts(urgency="low")) == general


@pytest.mark.django_db
def test_policies_are_kept_in_the_admin_with_conditions_as_lists_and_audited(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/sla/slapolicy/add/",
        {
            "code": "vip-complaints", "name_en": "VIP complaints", "name_zh": "贵宾投诉",
            "position": "5", "is_active": "on", "kinds": ["complaint"],
            "channels": ["phone", "onsite"], "first_response_minutes": "30",
            "resolution_minutes": "480", "business_time": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = SlaPolicy.objects.get(code="vip-complaints")
    assert stored.kinds == ["complaint"]
    assert stored.channels == ["phone", "onsite"]
    assert stored.urgencies == []
    event = AuditEvent.objects.get(action="sla_policy.created")
    assert event.after["first_response_minutes"] == 30
