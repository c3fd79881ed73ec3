"""The small tables the generated tickets point at: teams, categories, staff, tiers,
organisations, and the two users the HTTP benchmarks act as. Written with the ORM."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from serviceloop.accounts.models import User

AREAS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    # team/area code, English, Chinese, [(category suffix, English, Chinese)]
    ("logistics", "Logistics", "物流部", [
        ("delay", "Delay", "延迟"), ("lost", "Lost parcel", "丢件"), ("damaged", "Damaged", "破损"),
    ]),
    ("quality", "Product quality", "品质部", [
        ("defect", "Defect", "故障"), ("mismatch", "Not as described", "货不对板"),
        ("safety", "Safety", "安全隐患"),
    ]),
    ("billing", "Billing", "财务部", [
        ("refund", "Refund", "退款"), ("invoice", "Invoice", "发票"), ("charge", "Charge", "扣费"),
    ]),
    ("account", "Account", "账户服务部", [
        ("login", "Login", "登录"), ("security", "Security", "账户安全"), ("data", "Data", "数据"),
    ]),
    ("after-sales", "After-sales", "售后服务部", [
        ("repair", "Repair", "维修"), ("return", "Return", "退货"),
        ("install", "Installation", "安装"),
    ]),
]  # fmt: skip
AGENTS_PER_TEAM = 8
BENCH_AGENT = "bench-agent"  # agent of the first team: the queue and detail benchmarks
BENCH_PARTNER = "bench-partner"  # partner: the creation benchmark
BENCH_TEAM = AREAS[0][0]


@dataclass
class Reference:
    """Ids the generator needs, by area code."""

    team_ids: dict[str, int] = field(default_factory=dict)
    category_ids: dict[str, list[int]] = field(default_factory=dict)  # leaf categories
    agents: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # (id, username)
    tier_ids: list[int] = field(default_factory=list)
    company_ids: list[int] = field(default_factory=list)
    partner_org_id: int = 0
    partner_user: tuple[int, str] = (0, "")


def create_reference() -> Reference:
    """Create the reference rows in an empty, migrated database."""
    from django.db import transaction

    from serviceloop.accounts.choices import Role
    from serviceloop.accounts.models import Team, TeamMembership
    from serviceloop.customers.choices import OrganisationKind
    from serviceloop.customers.models import CustomerTier, Organisation
    from serviceloop.tickets.models import Category

    ref = Reference()
    with transaction.atomic():
        for rank, (code, en, zh) in enumerate(
            [("standard", "Standard", "普通"), ("gold", "Gold", "金卡"), ("vip", "VIP", "贵宾")]
        ):
            ref.tier_ids.append(
                CustomerTier.objects.create(code=code, name_en=en, name_zh=zh, rank=rank * 10).pk
            )
        for i in range(20):
            org = Organisation.objects.create(name=f"Company {i + 1:02d} Ltd", kind="company")
            ref.company_ids.append(org.pk)
        partner_org = Organisation.objects.create(
            name="Swift Courier (partner)", kind=OrganisationKind.PARTNER
        )
        ref.partner_org_id = partner_org.pk
        admin = _user("bench-admin", Role.ADMIN)
        for position, (code, en, zh, children) in enumerate(AREAS):
            team = Team.objects.create(
                code=code, name_en=en, name_zh=zh, is_default=position == len(AREAS) - 1
            )
            ref.team_ids[code] = team.pk
            parent = Category.objects.create(
                code=code, name_en=en, name_zh=zh, team=team, position=position
            )
            ref.category_ids[code] = [
                Category.objects.create(
                    code=f"{code}-{suffix}", name_en=cen, name_zh=czh, parent=parent, position=i
                ).pk
                for i, (suffix, cen, czh) in enumerate(children)
            ]
            staff = [_user(f"supervisor-{code}", Role.SUPERVISOR)] + [
                _user(f"agent-{code}-{i + 1}", Role.AGENT) for i in range(AGENTS_PER_TEAM)
            ]
            for user in staff:
                TeamMembership.objects.create(user=user, team=team)
            ref.agents[code] = [(user.pk, user.username) for user in staff[1:]]
        manager = _user("bench-manager", Role.MANAGER)
        Team.objects.update(manager=manager)
        assert admin.pk
        agent = _user(BENCH_AGENT, Role.AGENT)
        TeamMembership.objects.create(user=agent, team_id=ref.team_ids[BENCH_TEAM])
        partner = _user(BENCH_PARTNER, Role.PARTNER, organisation_id=partner_org.pk)
        ref.partner_user = (partner.pk, partner.username)
    return ref


def _user(username: str, role: str, **extra: object) -> "User":
    from serviceloop.accounts.models import User

    user = User(username=username, role=role, full_name=username.replace("-", " ").title(), **extra)
    user.set_unusable_password()
    user.save()
    return user
