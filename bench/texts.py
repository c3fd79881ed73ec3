"""Synthetic ticket texts in Chinese and English, built from fragments with a seeded RNG.

The texts hold no tab, newline, backslash or double quote, so they go into COPY text
format and JSON as they are.
"""

import random
from dataclasses import dataclass

# area code -> (English subjects, Chinese subjects); "{}" takes a detail
SUBJECTS: dict[str, tuple[list[str], list[str]]] = {
    "logistics": (
        [
            "Parcel {} days late",
            "Delivery stuck in {}",
            "Package marked delivered but not received",
            "Courier did not call before delivery",
            "Wrong address on shipment to {}",
            "Box arrived damaged",
            "Tracking not updated for {} days",
        ],
        [
            "包裹延迟{}天未到",
            "快递卡在{}不动",
            "显示已签收但没收到货",
            "快递员送货前没打电话",
            "寄往{}的地址错了",
            "外包装破损",
            "物流信息{}天没有更新",
        ],
    ),
    "quality": (
        [
            "Product stopped working after {} days",
            "Item does not match the description",
            "Screen has dead pixels",
            "Strange smell from the {}",
            "Missing parts in the box",
            "Battery drains in {} hours",
        ],
        [
            "产品用了{}天就坏了",
            "实物与描述不符",
            "屏幕有坏点",
            "{}有异味",
            "盒子里缺少配件",
            "电池{}小时就没电",
        ],
    ),
    "billing": (
        [
            "Charged twice for order {}",
            "Refund not received after {} days",
            "Need a VAT invoice for {}",
            "Coupon was not applied",
            "Unknown charge on my card",
            "Price changed after payment",
        ],
        [
            "订单{}被重复扣款",
            "退款{}天还没到账",
            "需要开具{}的增值税发票",
            "优惠券没有抵扣",
            "银行卡有不明扣费",
            "付款后价格变了",
        ],
    ),
    "account": (
        [
            "Cannot log in since {}",
            "Verification code never arrives",
            "Please change my phone number",
            "Account locked after password reset",
            "Someone logged in from {}",
            "Delete my account and data",
        ],
        [
            "从{}开始无法登录",
            "收不到验证码",
            "请帮我更换绑定手机号",
            "重置密码后账号被锁定",
            "账号在{}异地登录",
            "申请注销账号并删除数据",
        ],
    ),
    "after-sales": (
        [
            "Repair request for my {}",
            "Return label for order {}",
            "Installation appointment needed",
            "Warranty claim for the {}",
            "Technician did not show up",
            "Replacement part still missing",
        ],
        [
            "{}需要维修",
            "订单{}申请退货",
            "需要预约上门安装",
            "{}申请保修",
            "师傅没有按时上门",
            "更换的配件还没寄到",
        ],
    ),
}

DETAILS_EN = [
    "3", "5", "7", "10", "Shanghai", "Beijing", "Shenzhen", "the hub", "customs",
    "washing machine", "air conditioner", "laptop", "phone", "kettle", "router", "March",
    "yesterday", "the update", "Chengdu", "SO1029", "SO5531", "two weeks",
]  # fmt: skip
DETAILS_ZH = [
    "3", "5", "7", "10", "上海", "北京", "深圳", "中转站", "海关", "洗衣机", "空调",
    "笔记本电脑", "手机", "电水壶", "路由器", "三月", "昨天", "更新后", "成都", "两周",
]  # fmt: skip

OPENINGS_EN = [
    "Hello, I need help with this.",
    "Hi team,",
    "This is the second time I contact you.",
    "Good morning.",
    "I am writing about my recent order.",
    "Please look into this as soon as possible.",
]
BODIES_EN = [
    "I waited all day at home and nothing happened.",
    "Your hotline kept me on hold for half an hour.",
    "The app shows a different status than the courier.",
    "I already sent photos through the website.",
    "My neighbour had the same problem last month.",
    "I need this fixed before the weekend because it is a gift.",
    "The chat agent promised a call back but nobody called.",
    "I have used your service for years and this never happened before.",
    "The order number is in my account history.",
    "I paid for express shipping and expect it to be honoured.",
]
CLOSINGS_EN = [
    "Thank you.",
    "Please call me back.",
    "I expect a refund if this cannot be solved.",
    "Looking forward to your reply.",
    "Regards.",
    "Otherwise I will file a complaint.",
]
OPENINGS_ZH = [
    "你好，",
    "客服你好，",
    "这是我第二次联系你们了。",
    "您好，麻烦帮忙处理一下。",
    "关于我最近的订单，",
]
BODIES_ZH = [
    "我在家等了一整天也没有人来。",
    "热线电话排队等了半个小时。",
    "应用里显示的状态和快递公司的不一样。",
    "照片已经在网站上提交过了。",
    "邻居上个月也遇到了同样的问题。",
    "这是送人的礼物，周末之前必须解决。",
    "在线客服说会回电，但一直没有人打来。",
    "我用了你们很多年，从来没遇到过这种情况。",
    "订单号在我的账户历史里可以查到。",
    "我付了加急运费，希望能按时送达。",
]
CLOSINGS_ZH = [
    "谢谢。",
    "请尽快给我回电话。",
    "如果解决不了请给我退款。",
    "期待您的回复。",
    "否则我要投诉。",
]

REPLIES_EN = [
    "Thank you for your patience, I have escalated this to the warehouse.",
    "I called the courier and they will deliver tomorrow before noon.",
    "We have issued a refund, it takes 3 to 5 working days.",
    "Could you send a photo of the serial number please?",
    "A technician will visit you on Thursday afternoon.",
    "I am sorry for the trouble, I have added a voucher to your account.",
    "Your account is unlocked now, please reset the password again.",
    "The replacement part was shipped today with express delivery.",
]
REPLIES_ZH = [
    "感谢您的耐心等待，已经转给仓库加急处理。",
    "已联系快递公司，明天中午前送达。",
    "退款已经发起，三到五个工作日到账。",
    "麻烦您拍一下机身序列号发给我们。",
    "师傅周四下午上门，请保持电话畅通。",
    "给您带来不便非常抱歉，已为您的账户补偿一张优惠券。",
    "账号已经解锁，请重新设置密码。",
    "更换的配件今天已经加急寄出。",
]
CUSTOMER_EN = [
    "Still nothing arrived, what is going on?",
    "Thanks, that works now.",
    "Nobody called me as promised.",
    "OK, I will wait until tomorrow.",
    "Here is the photo you asked for.",
    "This is not acceptable, I want to talk to a supervisor.",
]
CUSTOMER_ZH = [
    "还是没有收到，到底怎么回事？",
    "谢谢，现在好了。",
    "说好的回电一直没有打来。",
    "好的，我再等到明天。",
    "照片已经发给你们了。",
    "这样处理我不能接受，我要找你们主管。",
]
NOTES = [
    "Checked with the warehouse, stock confirmed.",
    "Customer is a repeat complainer, handle with care.",
    "Courier claim number filed.",
    "已与仓库核实库存。",
    "客户情绪激动，注意安抚。",
    "已向快递公司提交理赔申请。",
]
RESOLUTIONS = [
    "Delivered after courier escalation.",
    "Refund issued to the original payment method.",
    "Replaced the faulty unit.",
    "Account restored and secured.",
    "已补发货物，客户确认收到。",
    "已全额退款。",
    "已上门维修完毕。",
    "已为客户更换新品。",
]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱"]
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "秀英"]
FIRST_EN = ["James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David", "Emma", "Lucas"]
LAST_EN = ["Smith", "Chen", "Wang", "Brown", "Lee", "Miller", "Garcia", "Wilson", "Taylor"]


@dataclass(frozen=True)
class TicketText:
    subject: str
    description: str


def ticket_texts(area: str, count: int, rng: random.Random) -> list[TicketText]:
    """`count` subject/description pairs of an area, half English, half Chinese."""
    subjects_en, subjects_zh = SUBJECTS[area]
    texts = []
    for i in range(count):
        if i % 2 == 0:
            subject = rng.choice(subjects_en).replace("{}", rng.choice(DETAILS_EN))
            sentences = [
                rng.choice(OPENINGS_EN), subject + ".",
                *rng.sample(BODIES_EN, rng.randint(1, 4)), rng.choice(CLOSINGS_EN),
            ]  # fmt: skip
            texts.append(TicketText(subject, " ".join(sentences)))
        else:
            subject = rng.choice(subjects_zh).replace("{}", rng.choice(DETAILS_ZH))
            sentences = [
                rng.choice(OPENINGS_ZH), subject + "。",
                *rng.sample(BODIES_ZH, rng.randint(1, 4)), rng.choice(CLOSINGS_ZH),
            ]  # fmt: skip
            texts.append(TicketText(subject, "".join(sentences)))
    return texts


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(SURNAMES) + rng.choice(GIVEN)
    return f"{rng.choice(FIRST_EN)} {rng.choice(LAST_EN)}"
