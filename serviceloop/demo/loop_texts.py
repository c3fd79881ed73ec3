"""The words of the demo's improvement loop: survey comments, follow-up notes, NPS reasons,
the feedback register, the staff survey, the root-cause analysis and the improvement plans.
Each customer-facing sentence is in Chinese and English; what staff write for staff (the
analysis, the plans) is in Chinese, the company's language. Written for this demo; none
comes from a real data set."""

from dataclasses import dataclass

from serviceloop.feedback.choices import FeedbackStatus, FeedbackType, Nature, Stage
from serviceloop.improvement.choices import CauseCategory

from .texts import Say

# --- CSAT comments, by how the customer rated (low 1-2, middle 3, high 4-5) ------------------

CSAT_COMMENTS: dict[str, tuple[Say, ...]] = {
    "low": (
        (
            "等了好几天才有人处理，太慢了。",
            "It took days before anyone dealt with it. Far too slow.",
        ),
        (
            "问题虽然解决了，但我打了好几次电话催。",
            "It got solved in the end, but only after I called several times.",
        ),
        ("每次来电都要重新解释一遍情况。", "I had to explain my case again on every call."),
        ("承诺的回电一直没有等到。", "The promised call back never came."),
        ("快递延误了这么久，连个说法都没有。", "The parcel was very late and nobody told me why."),
        ("退款等了一个多星期。", "I waited more than a week for the refund."),
        (
            "客服说要等承运商回复，然后就没有下文了。",
            "I was told to wait for the courier, then heard nothing.",
        ),
        ("问题被转来转去，没有人负责。", "My case was passed around and nobody owned it."),
    ),
    "middle": (
        ("解决了，但是速度可以再快一点。", "Solved, but it could have been quicker."),
        ("客服态度不错，就是等待时间有点长。", "Friendly staff, but the wait was a bit long."),
        ("结果还可以，过程有点繁琐。", "The outcome is fine; the process was a bit tedious."),
        ("热线排队时间太长了。", "The hotline queue was too long."),
        (
            "希望能主动告诉我处理进度。",
            "I would like to hear about progress without having to ask.",
        ),
        (
            "基本满意，希望下次一次就能解决。",
            "Mostly satisfied; I hope next time it is solved in one go.",
        ),
        (
            "常见问题里没找到答案，只好打电话。",
            "The FAQ did not have the answer, so I had to call.",
        ),
        ("处理结果一般，没有超出预期。", "An average result, nothing more."),
    ),
    "high": (
        ("当天就解决了，非常满意！", "Solved the same day, very happy!"),
        ("客服很专业，一次就说清楚了。", "Very professional; everything was explained in one go."),
        ("主动回电告诉我进度，体验很好。", "They called me back with updates. Great service."),
        ("处理很快，谢谢！", "Quick handling, thank you!"),
        (
            "包裹虽然晚了，但客服跟进得很及时。",
            "The parcel was late, but the follow-up was prompt.",
        ),
        ("退款很快就到账了。", "The refund arrived quickly."),
        (
            "有专人负责，不用反复解释，很省心。",
            "One person owned my case, so I did not have to repeat myself.",
        ),
        ("服务很周到，会推荐给朋友。", "Thoughtful service; I will recommend you to friends."),
    ),
}

# --- what the call back found (回访), always solved ------------------------------------------

FOLLOW_UP_NOTES: tuple[Say, ...] = (
    (
        "客户确认问题已解决，对处理结果满意。",
        "The customer confirmed it is solved and is happy with the outcome.",
    ),
    (
        "回访确认包裹已收到，无其他问题。",
        "Called back: the parcel has arrived, nothing else needed.",
    ),
    (
        "客户表示款项已到账，无其他诉求。",
        "The customer says the money has arrived; nothing else needed.",
    ),
    ("客户确认产品使用正常。", "The customer confirms the product works normally."),
    ("已回访，客户无其他诉求。", "Called back; the customer has no further requests."),
    ("客户对处理速度表示认可。", "The customer appreciated how fast it was handled."),
    (
        "回访时客户希望以后能主动告知进度，已记录。",
        "On the call the customer asked to be told about progress; noted.",
    ),
    (
        "客户确认解决，建议承运商加快响应。",
        "Confirmed solved; the customer suggests the courier answer faster.",
    ),
)
LOW_SCORE_NOTES: tuple[Say, ...] = (
    (
        "客户对等待时间不满，已致歉并说明改进措施，客户表示理解。",
        "The customer was unhappy about the wait; we apologised and explained what we "
        "are changing.",
    ),
    ("已向客户道歉，并补发优惠券作为补偿。", "Apologised and sent a voucher as compensation."),
    (
        "客户反映多次催办，已反馈给主管作为流程问题跟进。",
        "The customer had to chase several times; passed to the supervisor as a process issue.",
    ),
    (
        "再次确认问题已解决，评分偏低主要是因为物流延误。",
        "Confirmed solved again; the low score was mainly about the delivery delay.",
    ),
    (
        "客户希望有专人负责，已介绍投诉快速通道的安排。",
        "The customer wants one person in charge; told them about the complaint fast lane.",
    ),
    ("已解释退款到账时间，客户接受。", "Explained when the refund arrives; the customer accepted."),
    (
        "客户情绪已平复，确认没有其他问题。",
        "The customer has calmed down and confirms nothing else is open.",
    ),
    (
        "已登记客户建议，承诺改进后告知客户。",
        "Recorded the suggestion and promised to tell the customer about the change.",
    ),
)

# --- why customers would (not) recommend us ---------------------------------------------------

NPS_REASONS: dict[str, tuple[Say, ...]] = {
    "promoter": (
        ("客服响应快，问题解决得好。", "Fast answers, and problems get solved."),
        ("售后很靠谱。", "Reliable after-sales service."),
        ("有问题总能找到人。", "There is always someone to help."),
        ("退换货很方便。", "Returns and exchanges are easy."),
        ("服务比其他商家好。", "Better service than other shops."),
        ("专属客服很贴心。", "My account manager is very attentive."),
    ),
    "passive": (
        ("总体还行，物流有时候慢。", "OK overall; delivery is sometimes slow."),
        ("价格合适，服务一般。", "Fair prices, average service."),
        ("热线有时要排队。", "The hotline sometimes has a queue."),
        ("问题能解决，但要催。", "Problems get solved, but I have to chase."),
        ("希望退款再快一些。", "Refunds could be faster."),
        ("还可以，没有特别的惊喜。", "Fine, nothing special."),
    ),
    "detractor": (
        ("包裹多次延误，体验很差。", "Several late parcels; a poor experience."),
        ("投诉后很久才有回复。", "It took ages to hear back after my complaint."),
        ("退款太慢了。", "Refunds are far too slow."),
        ("问题被推来推去。", "I was passed from one person to another."),
        ("答应的事情没有做到。", "Promises were not kept."),
        ("客服电话总是打不通。", "I can never get through on the phone."),
    ),
}


def nps_campaign_name(year: int, month: int, month_name: str) -> str:
    return f"{year}年{month}月客户推荐度调查 / NPS survey {month_name} {year}"


# --- the feedback register (反馈信息汇总表) ----------------------------------------------------

# Who a feedback item comes from: the `customer` login in the portal, another customer
# (registered by the system, e.g. from an e-mail), the partner login, a named staff member
# (a username), or a staff member who stays anonymous.
LOGIN, CUSTOMER, PARTNER, ANONYMOUS = "login", "customer", "partner", "anonymous"
NEW, ACCEPTED, PLANNED, DONE, REJECTED = (
    FeedbackStatus.NEW,
    FeedbackStatus.ACCEPTED,
    FeedbackStatus.PLANNED,
    FeedbackStatus.DONE,
    FeedbackStatus.REJECTED,
)
GAP, SHORTAGE, EXPERIENCE = (
    FeedbackType.PROCESS_GAP,
    FeedbackType.RESOURCE_SHORTAGE,
    FeedbackType.EXPERIENCE,
)
INTAKE, HANDLING, FOLLOW_UP = Stage.INTAKE, Stage.HANDLING, Stage.FOLLOW_UP
EFFICIENCY, QUALITY, COST = Nature.EFFICIENCY, Nature.QUALITY, Nature.COST


@dataclass(frozen=True)
class FeedbackSpec:
    """One observation in the register: when, from whom, in which language, about what,
    how the specialist classified it and where it ended."""

    days_ago: float
    source: str  # LOGIN, CUSTOMER, PARTNER, ANONYMOUS or a staff username
    language: str  # "zh" or "en"
    title: Say
    text: Say
    category: str = ""  # the category code it is about
    type: str = ""  # "" leaves it unclassified
    stage: str = ""
    nature: str = ""
    urgency: str = "medium"
    status: str = NEW  # where it ended
    reason: Say = ("", "")  # why it was rejected
    links: int = 0  # tickets of its category linked as examples
    evidence: bool = False  # evidence of the root-cause analysis of late deliveries


FEEDBACK: tuple[FeedbackSpec, ...] = (
    # before the complaint fast lane: late deliveries and the hand-over to the courier
    FeedbackSpec(
        86,
        CUSTOMER,
        "zh",
        ("投诉物流延迟后三天没人跟进", "Delay complaint not followed up for three days"),
        (
            "我投诉包裹延误以后，三天都没有人联系我，每次打电话都要重新说一遍情况。",
            "After I complained about a late parcel nobody contacted me for three days, and on "
            "every call I had to explain everything again.",
        ),
        "logistics-delay",
        GAP,
        HANDLING,
        EFFICIENCY,
        "high",
        DONE,
        links=2,
        evidence=True,
    ),
    FeedbackSpec(
        83,
        PARTNER,
        "zh",
        ("延误工单的交接邮件经常被漏看", "Hand-over e-mails about delays get missed"),
        (
            "贵司转来的延误工单是用邮件发给我们调度组的，邮件多的时候容易漏看，希望有一个统一的对接入口。",
            "Your delay cases reach our dispatch team by e-mail; when there are many, some get "
            "missed. We would like one shared hand-over channel.",
        ),
        "logistics-delay",
        GAP,
        HANDLING,
        EFFICIENCY,
        "high",
        DONE,
        links=1,
        evidence=True,
    ),
    FeedbackSpec(
        80,
        "agent1",
        "zh",
        ("承运商回复慢，客户反复来电催", "The courier answers slowly and customers keep chasing"),
        (
            "物流延误投诉要等顺达物流回复，平均一两天，这期间客户反复来电，我们没有新的进展可以告诉客户。",
            "Delay complaints wait one or two days for Shunda Logistics to answer; meanwhile the "
            "customers call again and again and we have nothing new to tell them.",
        ),
        "logistics-delay",
        GAP,
        HANDLING,
        EFFICIENCY,
        "high",
        DONE,
        links=2,
        evidence=True,
    ),
    FeedbackSpec(
        77,
        LOGIN,
        "zh",
        ("每次来电都要重复说明情况", "I have to repeat my case on every call"),
        (
            "我的包裹延误了，前后打了三次电话，每次接电话的人都不一样，都要从头讲一遍。",
            "My parcel was late and I called three times; each time somebody else answered and I "
            "had to start from the beginning.",
        ),
        "logistics-delay",
        EXPERIENCE,
        HANDLING,
        QUALITY,
        "medium",
        DONE,
        evidence=True,
    ),
    FeedbackSpec(
        72,
        ANONYMOUS,
        "zh",
        ("延误投诉在综合队列里没人认领", "Delay complaints sit unclaimed in the general queue"),
        (
            "延误投诉进了综合队列以后，大家都以为别人会处理，有的单子两天都没有人认领。",
            "Once a delay complaint is in the general queue everybody thinks someone else will "
            "take it; some sit there for two days.",
        ),
        "logistics-delay",
        GAP,
        INTAKE,
        EFFICIENCY,
        "high",
        DONE,
        evidence=True,
    ),
    FeedbackSpec(
        69,
        CUSTOMER,
        "en",
        ("包裹延误，答应的回电也没有来", "Late parcel, and no call back as promised"),
        (
            "我的订单延误了，客服答应当天给我回电，结果一直没有等到。",
            "My order was late. I was promised a call back the same day about it, and it never "
            "came.",
        ),
        "logistics-delay",
        EXPERIENCE,
        HANDLING,
        QUALITY,
        "medium",
        DONE,
        links=1,
        evidence=True,
    ),
    # the pilot and the months after
    FeedbackSpec(
        63,
        PARTNER,
        "zh",
        ("希望开通加急升级电话", "Please give us an escalation line"),
        (
            "遇到客户情绪激动的延误件，我们希望有一个加急升级电话，而不是只能发邮件。",
            "For late parcels whose customers are upset we would like an escalation phone line "
            "instead of e-mail only.",
        ),
        "logistics-delay",
        GAP,
        HANDLING,
        EFFICIENCY,
        "medium",
        DONE,
    ),
    FeedbackSpec(
        60,
        CUSTOMER,
        "zh",
        ("退款迟迟不到账", "Refund still not received"),
        (
            "退货已经签收一个星期了，退款还没有到账，客服只说在处理中。",
            "The return was signed for a week ago and the refund has still not arrived; I am only "
            "told it is being processed.",
        ),
        "billing-refund",
        GAP,
        HANDLING,
        EFFICIENCY,
        "high",
        PLANNED,
        links=2,
    ),
    FeedbackSpec(
        58,
        CUSTOMER,
        "en",
        ("晚上热线等待太久", "Hotline wait too long in the evening"),
        (
            "晚上8点打热线，等了25分钟才有人接。",
            "I called the hotline at 8 pm and waited 25 minutes before anyone picked up.",
        ),
        "",
        SHORTAGE,
        INTAKE,
        EFFICIENCY,
        "medium",
        ACCEPTED,
    ),
    FeedbackSpec(
        56,
        "agent7",
        "zh",
        ("发票问题缺少统一答复口径", "No standard answers for invoice questions"),
        (
            "开票类咨询每天很多，但知识库里没有统一口径，新同事经常要去问主管。",
            "We get many invoice questions every day, but the knowledge base has no standard "
            "answers, so new colleagues keep asking the supervisor.",
        ),
        "billing-invoice",
        GAP,
        HANDLING,
        QUALITY,
        "medium",
        DONE,
        links=1,
    ),
    FeedbackSpec(
        54,
        LOGIN,
        "zh",
        ("希望在门户上看到退款进度", "I would like to see refund progress in the portal"),
        (
            "退款的时候只能打电话问进度，希望在网上就能看到退款走到哪一步了。",
            "During a refund I can only call to ask how it is going; I would like to see the step "
            "it is at online.",
        ),
        "billing-refund",
        EXPERIENCE,
        FOLLOW_UP,
        QUALITY,
        "low",
        PLANNED,
    ),
    FeedbackSpec(
        52,
        ANONYMOUS,
        "zh",
        ("晚班人手不足", "Too few people on the evening shift"),
        (
            "晚上7点到9点来电最多，但只有两个人值班，排队很长。",
            "Calls peak between 7 and 9 pm, but only two of us are on duty and the queue gets "
            "long.",
        ),
        "",
        SHORTAGE,
        INTAKE,
        EFFICIENCY,
        "high",
        ACCEPTED,
    ),
    FeedbackSpec(
        50,
        CUSTOMER,
        "zh",
        ("包裹破损理赔流程太复杂", "Claiming for a damaged parcel is too complicated"),
        (
            "要拍照、填表，再等承运商核实，前后快两个星期才处理完。",
            "Photos, a form, then waiting for the courier to check: it took almost two weeks.",
        ),
        "logistics-damaged",
        GAP,
        HANDLING,
        EFFICIENCY,
        "medium",
        ACCEPTED,
        links=1,
    ),
    FeedbackSpec(
        48,
        PARTNER,
        "zh",
        ("地址错误件希望交接前先核对", "Please check addresses before the hand-over"),
        (
            "很多地址错误的包裹其实下单时就能发现，希望客服在交接给我们之前先核对一遍。",
            "Many wrong addresses could be caught at ordering time; please check them before "
            "handing the parcels over to us.",
        ),
        "logistics-address",
        GAP,
        INTAKE,
        QUALITY,
        "medium",
        REJECTED,
        (
            "地址由客户下单时填写，客服在交接前无法逐单核对；下单页已提示核对地址，此条不单独立项。",
            "Customers enter the address when ordering and the desk cannot check every parcel "
            "before the hand-over; the order page already asks customers to check it.",
        ),
    ),
    FeedbackSpec(
        46,
        CUSTOMER,
        "en",
        ("常见问题里没有修改发票抬头的说明", "The FAQ does not say how to change an invoice title"),
        (
            "我想修改发票抬头，但常见问题里找不到说明，只好打电话。",
            "I wanted to change the title on my invoice, but the FAQ does not explain how, so I "
            "had to call.",
        ),
        "billing-invoice",
        EXPERIENCE,
        INTAKE,
        QUALITY,
        "low",
        DONE,
    ),
    FeedbackSpec(
        44,
        "agent4",
        "zh",
        ("上门维修预约工具经常卡顿", "The repair booking tool is slow"),
        (
            "给客户预约上门维修时，预约工具经常要等半分钟才有反应，客户在电话里等得着急。",
            "Booking a repair visit, the tool often takes half a minute to respond while the "
            "customer waits on the phone.",
        ),
        "after-sales-repair",
        SHORTAGE,
        HANDLING,
        EFFICIENCY,
        "medium",
        ACCEPTED,
    ),
    FeedbackSpec(
        42,
        CUSTOMER,
        "zh",
        ("客服态度很好，点赞", "Great attitude from your staff"),
        (
            "上次退货遇到问题，客服耐心帮我一步步处理，非常感谢。",
            "When my return ran into trouble, your agent patiently helped me step by step. Thank "
            "you.",
        ),
        "after-sales-return",
        EXPERIENCE,
        HANDLING,
        QUALITY,
        "low",
        ACCEPTED,
    ),
    FeedbackSpec(
        40,
        ANONYMOUS,
        "zh",
        ("快速通道试点以后回头电话少了", "Fewer chasing calls since the fast-lane pilot"),
        (
            "物流组试点投诉快速通道以后，客户催办的电话明显少了，大家压力也小了。",
            "Since the logistics team piloted the complaint fast lane we get clearly fewer chasing "
            "calls, and the pressure is lower.",
        ),
        "",
        EXPERIENCE,
        HANDLING,
        EFFICIENCY,
        "low",
        DONE,
    ),
    FeedbackSpec(
        38,
        CUSTOMER,
        "zh",
        ("希望客服24小时在线", "Customer service should be open around the clock"),
        (
            "半夜遇到问题找不到人，希望客服能24小时在线。",
            "When something goes wrong at night there is nobody to talk to; please be available "
            "24 hours a day.",
        ),
        "",
        SHORTAGE,
        INTAKE,
        COST,
        "low",
        REJECTED,
        (
            "夜间来电量很低，24小时人工值守成本过高；夜间可以通过在线表单提交，次日8:30优先处理。",
            "Very few customers contact us at night and round-the-clock staffing costs too much; "
            "at night the web form is open and is handled first thing at 8:30.",
        ),
    ),
    FeedbackSpec(
        36,
        PARTNER,
        "zh",
        ("希望每天同步一次延误件清单", "A daily list of delayed parcels, please"),
        (
            "建议双方每天上午同步一次延误件清单，避免同一个包裹两边重复跟进。",
            "We suggest exchanging the list of delayed parcels every morning so that the same "
            "parcel is not chased twice.",
        ),
        "logistics-delay",
        GAP,
        HANDLING,
        EFFICIENCY,
        "medium",
        DONE,
    ),
    FeedbackSpec(
        34,
        CUSTOMER,
        "en",
        ("重复扣款一周才处理好", "Charged twice, and it took a week to fix"),
        (
            "我被重复扣款了，打了两次电话，一个星期后才退回来。",
            "I was charged twice; it took two calls and a week before the money came back.",
        ),
        "billing-double-charge",
        GAP,
        HANDLING,
        QUALITY,
        "high",
        PLANNED,
        links=1,
    ),
    FeedbackSpec(
        32,
        "agent8",
        "zh",
        ("登录问题的自助指引不完整", "The self-help guide for login problems is incomplete"),
        (
            "很多登录问题客户其实可以自己解决，但自助指引没有写收不到验证码的情况。",
            "Customers could solve many login problems themselves, but the guide says nothing "
            "about verification codes that never arrive.",
        ),
        "account-login",
        EXPERIENCE,
        INTAKE,
        QUALITY,
        "medium",
        PLANNED,
    ),
    FeedbackSpec(
        30,
        LOGIN,
        "zh",
        ("物流投诉处理快多了", "Delivery complaints are handled much faster now"),
        (
            "这次包裹延误，当天就有专人给我回电话，两天就解决了，比以前快多了。",
            "This time my parcel was late, a named person called me back the same day and it was "
            "solved in two days. Much faster than before.",
        ),
        "logistics-delay",
        EXPERIENCE,
        HANDLING,
        EFFICIENCY,
        "low",
        ACCEPTED,
    ),
    FeedbackSpec(
        28,
        ANONYMOUS,
        "zh",
        ("知识库搜索找不到英文答案", "The knowledge base search misses English answers"),
        (
            "给英文客户回复时，知识库搜索经常找不到对应的英文答案，只能自己翻译。",
            "When answering English-speaking customers the knowledge base search often finds no "
            "English answer, so we translate ourselves.",
        ),
        "",
        SHORTAGE,
        HANDLING,
        QUALITY,
        "medium",
        ACCEPTED,
    ),
    FeedbackSpec(
        27,
        CUSTOMER,
        "zh",
        ("希望退款能马上到账", "Refunds should arrive at once"),
        (
            "退款为什么要等好几天？希望确认以后马上到账。",
            "Why do refunds take days? They should arrive as soon as they are confirmed.",
        ),
        "billing-refund",
        GAP,
        HANDLING,
        COST,
        "low",
        REJECTED,
        (
            "退款到账时间由支付渠道决定（1至3个工作日），我们无法缩短；退款确认短信里已写明预计到账时间。",
            "How long a refund takes is up to the payment provider (1 to 3 working days); the "
            "refund confirmation now states when to expect it.",
        ),
    ),
    FeedbackSpec(
        26,
        CUSTOMER,
        "en",
        ("预计送达时间一直在变", "The delivery estimate keeps changing"),
        (
            "包裹的预计送达时间改了三次，不知道该相信哪一个。",
            "The estimated delivery date of my parcel changed three times; I do not know which one "
            "to believe.",
        ),
        "logistics-delay",
        EXPERIENCE,
        HANDLING,
        QUALITY,
        "medium",
        ACCEPTED,
        links=1,
    ),
    FeedbackSpec(
        24,
        PARTNER,
        "zh",
        ("部分投诉被重复转给我们", "Some complaints are passed to us twice"),
        (
            "最近有几单投诉转了两次给我们，希望转交前先查一下是否已经转过。",
            "A few complaints recently reached us twice; please check whether a case was already "
            "passed on before passing it again.",
        ),
        "logistics-delay",
        GAP,
        HANDLING,
        EFFICIENCY,
        "medium",
        REJECTED,
        (
            "核查后这些是客户在不同渠道重复提交的工单，已合并处理；流程本身没有重复转交。",
            "These were separate tickets the customers sent through different channels; they were "
            "merged. The process itself does not pass a case on twice.",
        ),
    ),
    # the billing pilot and the latest weeks
    FeedbackSpec(
        22,
        "agent9",
        "zh",
        ("首次答复退款咨询需要能查退款进度", "Answering refund questions needs the refund status"),
        (
            "退款咨询很难一次答复，因为我们查不到退款走到哪一步，只能转给账务再回电。",
            "Refund questions are hard to answer at the first contact because we cannot see the "
            "refund's status; we pass them to billing and call back.",
        ),
        "billing-refund",
        SHORTAGE,
        HANDLING,
        EFFICIENCY,
        "high",
        PLANNED,
        links=2,
    ),
    FeedbackSpec(
        20,
        CUSTOMER,
        "zh",
        ("发票问题一次就解答清楚了", "My invoice question was answered in one go"),
        (
            "打电话问发票的事，客服一次就说清楚了，不用再等回电。",
            "I called about an invoice and the agent explained everything at once; no waiting for "
            "a call back.",
        ),
        "billing-invoice",
        EXPERIENCE,
        HANDLING,
        QUALITY,
        "low",
        ACCEPTED,
    ),
    FeedbackSpec(
        18,
        ANONYMOUS,
        "zh",
        (
            "快速通道推广后其他部门需要培训",
            "Other teams need training now the fast lane is rolled out",
        ),
        (
            "快速通道推广到全部门以后，售后和账务的同事还不熟悉升级规则，需要一次培训。",
            "Now the fast lane covers every team, after-sales and billing colleagues do not know "
            "the escalation rules yet; they need a training session.",
        ),
        "",
        SHORTAGE,
        HANDLING,
        QUALITY,
        "medium",
        PLANNED,
    ),
    FeedbackSpec(
        16,
        CUSTOMER,
        "en",
        ("退货取件时请短信通知", "Please text me when the courier collects a return"),
        (
            "退货被取走以后没有任何通知，希望能收到一条短信。",
            "Nothing tells me when my return has been collected; a text message would help.",
        ),
        "after-sales-return",
        EXPERIENCE,
        FOLLOW_UP,
        QUALITY,
        "low",
        ACCEPTED,
    ),
    FeedbackSpec(
        14,
        CUSTOMER,
        "zh",
        ("退货上门取件时间不准", "Return pickups do not come on time"),
        (
            "约好上午取件，快递员下午才来，白白等了半天。",
            "The pickup was booked for the morning and the courier came in the afternoon; I waited "
            "half a day for nothing.",
        ),
        "after-sales-return",
        GAP,
        HANDLING,
        QUALITY,
        "medium",
        NEW,
    ),
    FeedbackSpec(
        12,
        PARTNER,
        "zh",
        ("希望开放接口查询工单状态", "Please let us check ticket status through the API"),
        (
            "我们希望通过接口直接查询转交工单的处理状态，不用再发邮件询问。",
            "We would like to read the status of handed-over tickets through the API instead of "
            "asking by e-mail.",
        ),
        "",
        EXPERIENCE,
        HANDLING,
        EFFICIENCY,
        "medium",
        ACCEPTED,
    ),
    FeedbackSpec(
        10,
        "agent2",
        "zh",
        ("快速通道的分工表需要更新", "The fast-lane duty roster needs updating"),
        (
            "新同事加入以后，快速通道的分工表还是旧的，有时不知道该找谁。",
            "The fast-lane duty roster still lists the old team since new colleagues joined; "
            "sometimes we do not know whom to ask.",
        ),
        "",
        GAP,
        HANDLING,
        EFFICIENCY,
        "low",
        DONE,
    ),
    FeedbackSpec(
        8,
        LOGIN,
        "zh",
        ("希望能自己选择回访时间", "Let me choose when you call back"),
        (
            "回访电话总是在我上班的时候打来，希望能自己选一个方便的时间。",
            "Your follow-up calls always come while I am at work; I would like to choose a "
            "convenient time.",
        ),
        "",
        EXPERIENCE,
        FOLLOW_UP,
        QUALITY,
        "low",
        NEW,
    ),
    FeedbackSpec(
        6,
        CUSTOMER,
        "en",
        ("热线等待音乐太吵", "The hotline's hold music is too loud"),
        ("排队时的音乐声音太大了，希望调小一点。", "The music while waiting is far too loud."),
        "",
        status=NEW,
    ),
    FeedbackSpec(
        5,
        ANONYMOUS,
        "zh",
        ("月底账务咨询激增", "Billing questions spike at the end of the month"),
        (
            "每到月底对账，账务咨询量翻倍，建议月底临时增加人手。",
            "At every month end billing questions double; we suggest extra staff for those days.",
        ),
        "",
        status=NEW,
    ),
    FeedbackSpec(
        3,
        CUSTOMER,
        "zh",
        ("常见问题里找不到开票时间", "The FAQ does not say when invoices are issued"),
        (
            "想知道下单后多久能开发票，常见问题里没有写。",
            "I wanted to know how soon after ordering the invoice is issued; the FAQ does not say.",
        ),
        "billing-invoice",
        status=NEW,
    ),
    FeedbackSpec(
        2,
        PARTNER,
        "zh",
        ("节前延误件预警", "Early warning: delays before the holiday"),
        (
            "节前包裹量预计增加三成，部分线路可能延误一到两天，请提前告知客户。",
            "Parcel volume before the holiday will rise by about a third and some routes may run "
            "one or two days late; please warn customers in advance.",
        ),
        "logistics-delay",
        status=NEW,
    ),
    FeedbackSpec(
        1,
        CUSTOMER,
        "en",
        ("退款又要等很久", "Waiting for a refund again"),
        (
            "这次退款又等了五天了，还没有到账。",
            "Five days now and this refund has not arrived either.",
        ),
        "billing-refund",
        status=NEW,
    ),
)

# --- the staff survey of the logistics team ------------------------------------------------


def staff_survey_title(quarter: int) -> str:
    return f"团队氛围调查 第{quarter}季度 / Team climate Q{quarter}"


STAFF_QUESTIONS = [
    {
        "key": "roles",
        "kind": "scale_1_5",
        "text_zh": "我清楚投诉快速通道里谁负责什么。",
        "text_en": "I know who does what in the complaint fast lane.",
    },
    {
        "key": "support",
        "kind": "scale_1_5",
        "text_zh": "团队成员之间能互相支持。",
        "text_en": "Team members support each other.",
    },
    {
        "key": "workload",
        "kind": "scale_1_5",
        "text_zh": "我的工作量是合理的。",
        "text_en": "My workload is manageable.",
    },
    {
        "key": "supervisor",
        "kind": "scale_1_5",
        "text_zh": "主管能及时回应我的问题。",
        "text_en": "My supervisor answers my questions in time.",
    },
    {
        "key": "obstacle",
        "kind": "text",
        "text_zh": "哪件事最影响你的工作？",
        "text_en": "What gets most in the way of your work?",
    },
    {
        "key": "idea",
        "kind": "text",
        "text_zh": "你有什么改进建议？",
        "text_en": "What would you improve?",
    },
]
STAFF_OBSTACLES = (
    "承运商回复还是偏慢，加急件有时要等半天。",
    "快速通道推广以后，其他部门转来的投诉变多了，工作量有点大。",
    "系统之间来回切换很耗时间，承运商的状态还要单独查。",
    "交接信息不完整，经常要重新问客户订单号。",
    "新同事培训时间不够，遇到升级情况不知道找谁。",
)
STAFF_IDEAS = (
    "希望和顺达物流有一个共享的处理看板。",
    "建议晚班再加一个人。",
    "快速通道的分工表希望每周更新一次。",
    "希望知识库补充物流延误的赔付口径。",
    "每周开一次短会，复盘超时的投诉。",
)

# --- the root-cause analysis (Chinese: the company's working language) ---------------------

ANALYSIS_TITLE = "为什么物流投诉处理这么久？"
ANALYSIS_PROBLEM = (
    "物流类投诉（尤其是配送延迟）的处理时长明显高于其他投诉，中位数超过一个工作日，"
    "客户反复来电催办，满意度偏低。需要找出处理时间长的根本原因。"
)
WHYS: tuple[tuple[str, str], ...] = (
    ("为什么物流投诉处理这么久？", "因为投诉进入综合队列后要等待分派，没有人第一时间接手。"),
    ("为什么投诉在综合队列里等待？", "因为在承运商答复之前，没有人对投诉负责，大家都在等。"),
    ("为什么要等承运商答复才推进？", "因为与承运商的交接靠电子邮件，回复慢，而且容易被漏看。"),
    ("为什么邮件交接容易被漏看？", "因为双方没有共享的处理状态，客服看不到承运商那边的进度。"),
    ("为什么没有共享状态，也没有人催办？", "因为与承运商没有约定的升级机制和答复时限。"),
)
# (fishbone category, cause, is the root cause)
CAUSES: tuple[tuple[str, str, bool], ...] = (
    (CauseCategory.METHOD, "与承运商没有约定的升级机制和答复时限", True),
    (CauseCategory.METHOD, "投诉与普通咨询共用一个队列，没有专人负责", False),
    (CauseCategory.MACHINE, "承运商系统与工单系统不互通，交接只能靠邮件", False),
    (CauseCategory.PEOPLE, "新客服不清楚何时应升级给承运商", False),
    (CauseCategory.MEASUREMENT, "没有按投诉单独统计处理时长，问题长期没有被发现", False),
    (CauseCategory.ENVIRONMENT, "促销期间包裹量激增，分拨中心积压", False),
    (CauseCategory.MATERIAL, "知识库缺少物流延误的标准答复和赔付口径", False),
)
ANALYSIS_CONCLUSIONS = (
    "根本原因是投诉在等待承运商答复期间无人负责，且与承运商之间没有约定的升级机制和答复时限。"
    "建议试点“投诉快速通道”：投诉受理即指定专人负责、当天回电客户，"
    "并与顺达物流约定加急升级通道和4小时答复时限。先在物流服务部试点，效果确认后推广到全部门。"
)

# --- the improvement plans ----------------------------------------------------------------


@dataclass(frozen=True)
class ActionSpec:
    """One action of a plan: responsible team and person (a username), planned days (days
    ago; negative: from now on), and when it was done (days ago; None: not done)."""

    title: str
    team: str
    person: str
    planned: tuple[int, int]
    done: int | None = None
    note: str = ""


FAST_LANE_TITLE = "投诉快速通道 / Complaint fast lane"
FAST_LANE_PROBLEM = (
    "投诉在等待承运商答复期间无人负责，处理时长中位数偏高，客户反复催办。"
    "试点：物流服务部的投诉受理即指定专人负责、当天回电客户，并与承运商约定加急升级通道。"
)
FAST_LANE_ACTIONS = (
    ActionSpec(
        "投诉受理即指定专人负责",
        "logistics",
        "supervisor",
        (61, 58),
        59,
        "第一周有两单漏指定，已在晨会上强调。",
    ),
    ActionSpec(
        "与顺达物流约定加急升级通道和4小时答复时限",
        "logistics",
        "agent1",
        (60, 50),
        52,
        "顺达物流同意4小时答复，节假日为8小时。",
    ),
    ActionSpec("当天回电客户制度", "logistics", "agent2", (60, 55), 55),
    ActionSpec("快速通道流程与话术培训", "logistics", "agent3", (59, 53), 54),
)
FAST_LANE_NOTES = {
    "do": "物流服务部开始试点投诉快速通道。",
    "check": "试点期结束：对比基线窗口和试点期的投诉处理时长，并与其他部门对照。",
    "act": "试点效果明显，快速通道推广到全部门，纳入投诉处理标准流程。",
    "completed": "已推广到全部门并写入标准流程，方案关闭。",
}

FCR_TITLE = "账务咨询首次解决 / First-contact answers for billing inquiries"
FCR_PROBLEM = (
    "账务类咨询多数需要转账务专员再回电，首次解决率低。"
    "试点：账务部坐席使用账务常见问题速查表，争取在第一次沟通中答复。"
)
FCR_ACTIONS = (
    ActionSpec(
        "编写坐席用的账务常见问题速查表",
        "billing",
        "agent7",
        (22, 19),
        19,
        "先覆盖发票、退款、重复扣款三类问题。",
    ),
    ActionSpec("每周复盘未能首次解决的咨询", "billing", "supervisor3", (20, -10)),
    ActionSpec("在退款咨询中接入退款进度查询", "billing", "agent9", (20, 5)),
)
FCR_NOTES = {"do": "账务部开始试点：坐席使用速查表，争取首次答复。"}

REPEAT_TITLE = "减少物流重复投诉 / Fewer repeat logistics complaints"
REPEAT_PROBLEM = (
    "部分客户在30天内就同一类物流问题（丢件、破损理赔）再次投诉，说明第一次处理没有真正解决问题。"
    "计划先梳理丢件和破损的理赔流程，再确定试点范围。"
)
REPEAT_ACTIONS = (
    ActionSpec("梳理丢件和破损理赔流程", "logistics", "agent10", (2, -12)),
    ActionSpec("统计重复投诉的客户和原因", "logistics", "agent11", (1, -7)),
)
