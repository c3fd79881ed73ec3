"""The demo company: its departments, categories, staff, customer tiers, companies and
customers, set up through the use cases."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth.hashers import make_password
from faker import Faker

from serviceloop.accounts import services as accounts
from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, User
from serviceloop.core import clock
from serviceloop.customers.choices import OrganisationKind
from serviceloop.customers.models import CustomerTier, Organisation
from serviceloop.customers.services import create_customer
from serviceloop.tickets.models import CannedReply
from serviceloop.tickets.services.catalog import create_category

DEMO_PASSWORD = "serviceloop-demo"  # noqa: S105 - printed for everyone to use; demo only

Progress = Callable[[str], None]


# --- the company ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    code: str
    name_zh: str
    name_en: str
    is_default: bool = False


TEAMS = (
    TeamSpec("logistics", "物流服务部", "Logistics service"),
    TeamSpec("after-sales", "售后服务部", "After-sales service"),
    TeamSpec("billing", "账务部", "Billing"),
    TeamSpec("customer-relations", "客户关系部", "Customer relations", is_default=True),
)
DEFAULT_TEAM = next(team.code for team in TEAMS if team.is_default)

# (code, Chinese, English, responsible team, children as (code, Chinese, English))
CATEGORY_TREE: tuple[tuple[str, str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "logistics",
        "物流",
        "Logistics",
        "logistics",
        (
            ("logistics-delay", "配送延迟", "Delivery delay"),
            ("logistics-lost", "包裹丢失", "Lost parcel"),
            ("logistics-damaged", "包裹破损", "Damaged parcel"),
            ("logistics-address", "地址错误", "Wrong address"),
        ),
    ),
    (
        "quality",
        "产品质量",
        "Product quality",
        "after-sales",
        (
            ("quality-defect", "质量缺陷", "Defect"),
            ("quality-not-as-described", "与描述不符", "Not as described"),
            ("quality-missing-parts", "缺少配件", "Missing parts"),
        ),
    ),
    (
        "billing",
        "账务",
        "Billing",
        "billing",
        (
            ("billing-double-charge", "重复扣款", "Double charge"),
            ("billing-refund", "退款", "Refund"),
            ("billing-invoice", "发票", "Invoice"),
        ),
    ),
    (
        "account",
        "账户",
        "Account",
        "customer-relations",
        (
            ("account-login", "登录问题", "Login"),
            ("account-personal-data", "个人信息", "Personal data"),
        ),
    ),
    (
        "after-sales",
        "售后服务",
        "After-sales",
        "after-sales",
        (
            ("after-sales-return", "退货", "Return"),
            ("after-sales-exchange", "换货", "Exchange"),
            ("after-sales-repair", "安装与维修", "Installation and repair"),
        ),
    ),
)
GROUP_OF = {child[0]: top[0] for top in CATEGORY_TREE for child in top[4]}
TEAM_OF_GROUP = {top[0]: top[3] for top in CATEGORY_TREE}


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    full_name: str
    teams: tuple[str, ...] = ()


STAFF = (
    StaffSpec("admin", Role.ADMIN, "陈静"),
    StaffSpec("manager", Role.MANAGER, "刘强"),
    StaffSpec("supervisor", Role.SUPERVISOR, "张伟", ("logistics",)),
    StaffSpec("supervisor2", Role.SUPERVISOR, "黄敏", ("after-sales",)),
    StaffSpec("supervisor3", Role.SUPERVISOR, "周婷", ("billing",)),
    StaffSpec("supervisor4", Role.SUPERVISOR, "吴刚", ("customer-relations",)),
    StaffSpec("agent1", Role.AGENT, "王芳", ("logistics",)),
    StaffSpec("agent2", Role.AGENT, "刘洋", ("logistics",)),
    StaffSpec("agent3", Role.AGENT, "陈杰", ("logistics", "customer-relations")),
    StaffSpec("agent4", Role.AGENT, "杨静", ("after-sales",)),
    StaffSpec("agent5", Role.AGENT, "赵磊", ("after-sales",)),
    StaffSpec("agent6", Role.AGENT, "林涛", ("after-sales",)),
    StaffSpec("agent7", Role.AGENT, "徐丽", ("billing",)),
    StaffSpec("agent8", Role.AGENT, "孙浩", ("customer-relations",)),
    StaffSpec("agent9", Role.AGENT, "马超", ("customer-relations", "billing")),
    # two more in logistics: a team of five or more answers staff surveys anonymously
    StaffSpec("agent10", Role.AGENT, "郑霞", ("logistics",)),
    StaffSpec("agent11", Role.AGENT, "何军", ("logistics",)),
    StaffSpec("specialist", Role.SPECIALIST, "朱琳"),
    StaffSpec("analyst", Role.ANALYST, "胡斌"),
)
CUSTOMER_LOGIN = StaffSpec("customer", Role.CUSTOMER, "李娜")
PARTNER_LOGIN = StaffSpec("partner", Role.PARTNER, "郭颖")
PARTNER_NAME = "顺达物流 Shunda Logistics"
# (name, share tickets, e-mail domain): the B2B customers
COMPANIES = (
    ("杭州云帆科技有限公司 Hangzhou Yunfan Technology", True, "yunfan-tech.example.com"),
    ("华东精密制造有限公司 East China Precision Manufacturing", False, "ecpm.example.com"),
    ("Lumen Hotels Shanghai", False, "lumen-hotels.example.com"),
)
TIERS = (
    ("standard", "普通", "Standard", 0),
    ("gold", "金卡", "Gold", 10),
    ("vip", "贵宾", "VIP", 20),
)
DEMO_USERNAMES = tuple(spec.username for spec in (*STAFF, CUSTOMER_LOGIN, PARTNER_LOGIN))
STAFF_DOMAIN = "serviceloop.example.com"


# --- setting up ----------------------------------------------------------------------------


@dataclass
class Company:
    admin: User
    manager: User
    teams: dict[str, Team]
    supervisors: dict[str, User]
    agents: dict[str, list[User]]
    customer_user: User
    partner: User
    organisations: list[Organisation]
    tiers: dict[str, CustomerTier]


def _new_user(
    spec: StaffSpec, *, joined: datetime, organisation: Organisation | None = None
) -> User:
    # The password is set for all demo users at once (one hash instead of twenty).
    return User.objects.create_user(
        username=spec.username,
        email=f"{spec.username}@{STAFF_DOMAIN}",
        role=spec.role,
        full_name=spec.full_name,
        organisation=organisation,
        date_joined=joined,
    )


# (title, text, language, team code or None): the composer's canned replies
CANNED_REPLIES = [
    ("收到，正在处理", "{customer_name}您好，您的工单 {ticket_number} 已收到，我们正在处理，"
     "有进展会第一时间告诉您。客服 {agent_name}", "zh-hans", None),
    ("Received, working on it", "Hello {customer_name}, we have your ticket {ticket_number} "
     "and are working on it; we will tell you as soon as there is news. {agent_name}", "en", None),
    ("需要补充信息", "{customer_name}您好，为了尽快处理工单 {ticket_number}，请补充订单号和照片。",
     "zh-hans", None),
    ("We need a few details", "Hello {customer_name}, to move ticket {ticket_number} on, please "
     "send us the order number and a photo.", "en", None),
    ("物流延迟致歉", "{customer_name}您好，非常抱歉您的包裹延误了。我们已联系承运商加急派送，"
     "工单号 {ticket_number}。", "zh-hans", "logistics"),
    ("Delivery delay apology", "Hello {customer_name}, we are sorry your parcel is late. We "
     "asked the carrier to speed it up (ticket {ticket_number}).", "en", "logistics"),
]  # fmt: skip


def set_up_company(*, at: datetime) -> Company:
    """Staff, teams (with their members), the category tree, tiers and organisations."""
    with clock.frozen_at(at):
        users = {spec.username: _new_user(spec, joined=at) for spec in STAFF}
        admin, manager = users["admin"], users["manager"]
        teams = {
            spec.code: accounts.create_team(
                actor=admin,
                code=spec.code,
                values={
                    "name_en": spec.name_en,
                    "name_zh": spec.name_zh,
                    "manager": manager.pk,
                    "is_default": spec.is_default,
                },
            )
            for spec in TEAMS
        }
        supervisors: dict[str, User] = {}
        agents: dict[str, list[User]] = {code: [] for code in teams}
        for spec in STAFF:
            for code in spec.teams:
                accounts.add_member(team=teams[code], user=users[spec.username], actor=admin)
                if spec.role == Role.SUPERVISOR:
                    supervisors[code] = users[spec.username]
                else:
                    agents[code].append(users[spec.username])
        for position, (code, name_zh, name_en, team, children) in enumerate(CATEGORY_TREE):
            values = {"name_en": name_en, "name_zh": name_zh, "team": team, "position": position}
            create_category(actor=admin, code=code, values=values)
            for child_position, (child, child_zh, child_en) in enumerate(children):
                create_category(
                    actor=admin,
                    code=child,
                    values={
                        "name_en": child_en,
                        "name_zh": child_zh,
                        "parent": code,
                        "position": child_position,
                    },
                )
        tiers = {
            code: CustomerTier.objects.create(code=code, name_zh=zh, name_en=en, rank=rank)
            for code, zh, en, rank in TIERS
        }
        organisations = [
            Organisation.objects.create(
                name=name, kind=OrganisationKind.COMPANY, shares_tickets=shares
            )
            for name, shares, _domain in COMPANIES
        ]
        shunda = Organisation.objects.create(name=PARTNER_NAME, kind=OrganisationKind.PARTNER)
        CannedReply.objects.bulk_create(
            CannedReply(title=title, body=body, language=language, team=teams.get(team or ""))
            for title, body, language, team in CANNED_REPLIES
        )
        customer_user = _new_user(CUSTOMER_LOGIN, joined=at)
        partner = _new_user(PARTNER_LOGIN, joined=at, organisation=shunda)
        ids = [user.pk for user in (*users.values(), customer_user, partner)]
        User.objects.filter(pk__in=ids).update(password=make_password(DEMO_PASSWORD))
    return Company(
        admin=admin,
        manager=manager,
        teams=teams,
        supervisors=supervisors,
        agents=agents,
        customer_user=customer_user,
        partner=partner,
        organisations=organisations,
        tiers=tiers,
    )


@dataclass(frozen=True)
class Client:
    """What the replay needs to know about a customer."""

    pk: int
    name: str
    language: str  # "zh" or "en"; "" writes in either
    phone: str
    tier: str


# the demo's customers are established ones: staff confirmed their contacts long ago
DEMO_CONFIRMATION = "demo data: confirmed when the customer was registered"


def create_customers(
    *, company: Company, count: int, seed: int, rng: random.Random, before: datetime
) -> list[Client]:
    """The `customer` login's record first, then Chinese and English customers (a few of
    them employees of the B2B companies) with e-mails, mainland mobiles and CRM ids."""
    chinese, english = Faker("zh_CN"), Faker("en_US")
    chinese.seed_instance(seed)
    english.seed_instance(seed)
    emails, phones = {"li.na@example.com"}, {"13912345678"}  # the `customer` login's
    clients: list[Client] = []

    def unique(taken: set[str], make: Callable[[], str]) -> str:
        value = make()
        while value in taken:
            value = make()
        taken.add(value)
        return value

    with clock.frozen_at(before - timedelta(days=200)):
        login = create_customer(
            actor=company.admin,
            name=CUSTOMER_LOGIN.full_name,
            email="li.na@example.com",
            phone="13912345678",
            external_id="CRM-100000",
            tier=company.tiers["gold"],
            user=company.customer_user,
            confirmation=DEMO_CONFIRMATION,
        )
    clients.append(Client(login.pk, login.name, "", "13912345678", "gold"))
    company_share = min(0.12, 20 / max(count, 1))
    for number in range(1, count):
        zh = rng.random() < 0.72
        faker = chinese if zh else english
        organisation, domain = None, ""
        if rng.random() < company_share:
            index = rng.randrange(len(COMPANIES))
            organisation, domain = company.organisations[index], COMPANIES[index][2]
        roll = rng.random()  # one in twenty is a VIP, one in seven gold
        tier = "vip" if number % 20 == 7 else "gold" if roll < 0.15 or organisation else "standard"
        has_email = bool(domain) or rng.random() < (0.62 if zh else 0.9)
        has_phone = not has_email or rng.random() < (0.9 if zh else 0.45)
        email = ""
        if has_email:
            host = domain or _free_domain(rng)
            email = unique(emails, partial(_address, faker, host))
        phone = unique(phones, chinese.phone_number) if has_phone else ""
        external_id = f"CRM-{100000 + number}" if organisation or rng.random() < 0.35 else ""
        with clock.frozen_at(before - timedelta(days=rng.uniform(1, 700))):
            customer = create_customer(
                actor=company.admin,
                name=faker.name(),
                email=email,
                phone=phone,
                external_id=external_id,
                organisation=organisation,
                tier=company.tiers[tier],
                language="zh-hans" if zh else "en",
                confirmation=DEMO_CONFIRMATION,
            )
        clients.append(Client(customer.pk, customer.name, "zh" if zh else "en", phone, tier))
    return clients


def _address(faker: Faker, host: str) -> str:
    return f"{faker.user_name()}@{host}"


def _free_domain(rng: random.Random) -> str:
    return rng.choice(("example.com", "example.net", "example.org"))
