"""The demo company's words: what customers write, what staff answer, the products and
places they talk about — each sentence in Chinese and English, written for this demo (none
comes from a real data set)."""

from dataclasses import dataclass

from serviceloop.tickets.choices import Kind

Say = tuple[str, str]  # the same sentence in Chinese and in English


# --- what customers write ------------------------------------------------------------------


@dataclass(frozen=True)
class RequestText:
    """One kind of request in both languages; {placeholders} are filled per ticket."""

    category: str
    kind: str
    subject: Say
    body: Say
    by_partner: bool = False  # the logistics partner reports it through the API
    needs: str = ""  # what {product} must be: a trait of Product ("" any)
    also: tuple[Say, ...] = ()  # other ways customers put the subject
    solved: tuple[Say, ...] = ()  # resolutions, when the category's do not fit


INQ, CMP, FLT, SUG, PRS = Kind.INQUIRY, Kind.COMPLAINT, Kind.FAULT, Kind.SUGGESTION, Kind.PRAISE

REQUESTS = (
    # logistics
    RequestText(
        "logistics-delay",
        INQ,
        ("订单{order}的包裹什么时候能到？", "When will order {order} arrive?"),
        (
            "我{date}下的订单{order}（{product}），物流显示已到{city}分拨中心，但已经{days}天没有更新了，"
            "请问什么时候能送到？",
            "I ordered a {product} on {date} (order {order}). Tracking has shown it at the {city} "
            "sorting centre for {days} days without any update. When will it be delivered?",
        ),
        also=(
            ("请问我的快递到哪了？", "Where is my parcel?"),
            ("包裹卡在{city}分拨中心好几天了", "Parcel stuck at the {city} hub for days"),
        ),
    ),
    RequestText(
        "logistics-delay",
        INQ,
        ("物流信息{days}天没更新", "Tracking not updated for {days} days"),
        (
            "运单号{tracking}，从{date}开始物流信息就停在“运输中”，是不是卡在路上了？",
            "Tracking number {tracking} has said 'in transit' since {date}. Is it stuck somewhere?",
        ),
    ),
    RequestText(
        "logistics-delay",
        CMP,
        ("包裹延迟{days}天仍未送达", "Parcel {days} days late and still not delivered"),
        (
            "订单{order}下单时承诺三天内送达，现在已经过了{days}天还没收到，客服热线也一直打不通，非常失望。",
            "Order {order} was promised within three days. It is now {days} days and nothing has "
            "arrived, and I could not get through on the hotline either. Very disappointing.",
        ),
    ),
    RequestText(
        "logistics-delay",
        CMP,
        ("说好的次日达变成了一周", "'Next-day delivery' took a week"),
        (
            "我特意多付了运费选择次日达，订单{order}的{product}到今天还没送到，要求退还加急运费。",
            "I paid extra for next-day delivery, yet the {product} from order {order} has still "
            "not arrived. I want the express fee refunded.",
        ),
    ),
    RequestText(
        "logistics-delay",
        SUG,
        ("建议延迟时主动通知客户", "Please tell customers about delays"),
        (
            "包裹延误的时候系统没有任何提示，建议在延迟时主动发短信说明原因和预计送达时间。",
            "Nobody tells you when a parcel is delayed. Please send an SMS with the reason and a "
            "new delivery estimate when this happens.",
        ),
        also=(
            ("物流信息能不能及时一点", "Tracking updates are too slow"),
            ("希望延误时能收到通知", "I'd like a message when a parcel is late"),
        ),
    ),
    RequestText(
        "logistics-delay",
        PRS,
        ("快递员服务很好，点赞", "Great courier, thank you"),
        (
            "下大雨的时候{courier}的快递员还是准时把订单{order}送到了，还帮忙搬上了楼，特此表扬。",
            "In heavy rain the {courier} courier still delivered order {order} on time and carried "
            "it upstairs for me. Please pass on my thanks.",
        ),
        also=(
            ("表扬{courier}的快递员", "Praise for the {courier} courier"),
            ("雨天准时送达，感谢", "On time despite the rain, thanks"),
        ),
    ),
    RequestText(
        "logistics-delay",
        INQ,
        ("受天气影响，运单{tracking}将延迟派送", "Weather delay for parcel {tracking}"),
        (
            "{city}地区暴雨，运单{tracking}（订单{order}）预计延迟{days}天派送，请协助通知收件人。",
            "Heavy rain around {city}: parcel {tracking} (order {order}) will be delivered about "
            "{days} days late. Please let the recipient know.",
        ),
        by_partner=True,
    ),
    RequestText(
        "logistics-lost",
        CMP,
        ("显示已签收但没有收到包裹", "Marked as delivered but never received"),
        (
            "运单{tracking}显示{date}已签收，但我本人没有收到任何包裹，快递员也没有打过电话。",
            "Tracking {tracking} says the parcel was signed for on {date}, but I never received it "
            "and the courier never called me.",
        ),
    ),
    RequestText(
        "logistics-lost",
        INQ,
        ("包裹查不到物流信息", "No tracking information for my parcel"),
        (
            "订单{order}发货已经{days}天，运单号{tracking}在{courier}官网上查不到任何信息，是不是丢件了？",
            "Order {order} shipped {days} days ago, but tracking number {tracking} shows nothing "
            "on the {courier} site. Has the parcel been lost?",
        ),
    ),
    RequestText(
        "logistics-lost",
        CMP,
        ("包裹丢失，要求赔偿", "Parcel lost, I want compensation"),
        (
            "已经确认订单{order}（{product}，¥{amount}）在运输中丢失，请尽快给出赔偿方案。",
            "You have confirmed that order {order} ({product}, ¥{amount}) was lost in transit. "
            "Please tell me how you will compensate me.",
        ),
        solved=(
            (
                "确认包裹丢失，已按订单金额¥{amount}全额赔付。",
                "Loss confirmed; the full ¥{amount} was paid as compensation.",
            ),
        ),
    ),
    RequestText(
        "logistics-lost",
        INQ,
        ("运单{tracking}分拣异常，疑似丢失", "Parcel {tracking} missing after sorting"),
        (
            "运单{tracking}在{city}分拨中心扫描后未出现在下一站，正在仓内查找，请知悉并安抚客户。",
            "Parcel {tracking} was scanned at the {city} hub but never reached the next station. "
            "We are searching the warehouse; please keep the customer informed.",
        ),
        by_partner=True,
    ),
    RequestText(
        "logistics-damaged",
        CMP,
        ("包裹外箱破损，商品摔坏了", "Parcel arrived crushed, product broken"),
        (
            "今天收到订单{order}，外包装明显被压扁，里面的{product}外壳裂开了，我已经拍照留存。",
            "Order {order} arrived today with the box crushed and the {product} inside cracked. "
            "I have taken photos.",
        ),
    ),
    RequestText(
        "logistics-damaged",
        INQ,
        ("包裹有破损可以拒收吗？", "Can I refuse a damaged parcel?"),
        (
            "快递员正在派送订单{order}，我看到外箱有破损，现在拒收的话后续怎么处理？",
            "The courier is at my door with order {order} and the box is damaged. If I refuse it, "
            "what happens next?",
        ),
    ),
    RequestText(
        "logistics-damaged",
        INQ,
        ("运单{tracking}运输途中外包装破损", "Parcel {tracking} damaged in transit"),
        (
            "运单{tracking}（订单{order}）在{city}中转时外箱受潮破损，内件情况未知，是否继续派送请确认。",
            "Parcel {tracking} (order {order}) got wet and torn at the {city} transfer station; "
            "the contents may be damaged. Please confirm whether we should still deliver it.",
        ),
        by_partner=True,
    ),
    RequestText(
        "logistics-address",
        INQ,
        ("下单后能修改收货地址吗？", "Can I change the delivery address?"),
        (
            "订单{order}的收货地址填错了，应该寄到{city}的公司地址，还没发货的话能改吗？",
            "I entered the wrong address for order {order}; it should go to my office in {city}. "
            "Can you still change it?",
        ),
        solved=(
            (
                "已修改收货地址并通知{courier}，包裹按新地址送达。",
                "Address corrected and {courier} informed; the parcel went to the new address.",
            ),
        ),
    ),
    RequestText(
        "logistics-address",
        CMP,
        ("包裹被送到了错误的地址", "Parcel delivered to the wrong address"),
        (
            "订单{order}被送到了同小区的另一栋楼，邻居签收后联系不上，快递员说不归他管。",
            "Order {order} was left at another building in my estate. The neighbour signed for it "
            "and cannot be reached; the courier says it is not his problem.",
        ),
        solved=(
            (
                "已联系邻居取回包裹并送到客户手中，已提醒快递员核对门牌。",
                "Got the parcel back from the neighbour and handed it over; the courier was told "
                "to check house numbers.",
            ),
        ),
    ),
    RequestText(
        "logistics-address",
        INQ,
        ("收件地址不详，无法派送：{tracking}", "Incomplete address, cannot deliver: {tracking}"),
        (
            "运单{tracking}（订单{order}）收件地址缺少门牌号，收件人电话无人接听，请协助联系客户确认地址。",
            "Parcel {tracking} (order {order}) has no house number and the recipient does not "
            "answer the phone. Please ask the customer for the full address.",
        ),
        by_partner=True,
        solved=(
            (
                "已联系客户确认完整地址，包裹已派送成功。",
                "Got the full address from the customer; parcel delivered.",
            ),
        ),
    ),
    # product quality
    RequestText(
        "quality-defect",
        FLT,
        ("{product}用了{days}天就无法开机", "{product} won't switch on after {days} days"),
        (
            "{date}买的{product}（订单{order}），用了{days}天突然无法开机，换了插座也不行。",
            "The {product} I bought on {date} (order {order}) stopped switching on after {days} "
            "days. Another socket does not help.",
        ),
        needs="powered",
    ),
    RequestText(
        "quality-defect",
        FLT,
        ("{product}充不进电", "{product} does not charge"),
        (
            "{product}插上充电器后指示灯不亮，充了一晚上电量还是0%，订单号{order}。",
            "The charging light of the {product} stays off and it is still at 0% after a night "
            "on the charger. Order {order}.",
        ),
        needs="battery",
    ),
    RequestText(
        "quality-defect",
        CMP,
        ("新买的{product}有很大的异响", "New {product} makes a loud noise"),
        (
            "刚收到的{product}一开机就有咔咔的异响，这是新机吗？要求换新。",
            "The {product} I just received makes a loud clicking noise as soon as it starts. Is "
            "this really new? I want a replacement.",
        ),
        needs="noisy",
    ),
    RequestText(
        "quality-defect",
        FLT,
        ("{product}屏幕出现花屏", "{product} screen flickers"),
        (
            "使用{days}天后{product}屏幕开始闪烁并出现条纹，已经恢复出厂设置，问题依旧。",
            "After {days} days the {product} screen started to flicker and show stripes. A "
            "factory reset did not help.",
        ),
        needs="screen",
    ),
    RequestText(
        "quality-not-as-described",
        CMP,
        ("收到的{product}和页面描述不符", "{product} is not as described"),
        (
            "页面写的是不锈钢内胆，收到的{product}却是塑料的，订单{order}，感觉被欺骗了。",
            "The page says stainless steel inside, but the {product} I received (order {order}) "
            "is plastic. I feel misled.",
        ),
        needs="kitchen",
    ),
    RequestText(
        "quality-not-as-described",
        INQ,
        ("{product}实际尺寸和标注不一致", "{product} size differs from the listing"),
        (
            "量了一下收到的{product}，比页面标注的尺寸小了一圈，请问是不是发错型号了？",
            "I measured the {product} and it is noticeably smaller than the listing says. Did I "
            "get the wrong model?",
        ),
    ),
    RequestText(
        "quality-not-as-described",
        SUG,
        ("建议详情页标注实物尺寸", "Please show real dimensions on product pages"),
        (
            "很多商品图片看不出大小，建议详情页加上实物尺寸对比图，能减少很多退货。",
            "Product photos do not show the size. A picture with real dimensions would save many "
            "returns.",
        ),
        also=(
            ("商品页面能否标注尺寸", "Add sizes to product pages"),
            ("建议增加实物对比图", "Please add real-life size photos"),
        ),
    ),
    RequestText(
        "quality-missing-parts",
        CMP,
        ("{product}缺少{part}", "{product} delivered without the {part}"),
        (
            "打开订单{order}的包装后发现没有{part}，{product}无法正常使用，请尽快补发。",
            "The box of order {order} has no {part}, so the {product} cannot be used. Please send "
            "it as soon as possible.",
        ),
    ),
    RequestText(
        "quality-missing-parts",
        INQ,
        ("{product}的{part}可以单独购买吗？", "Can I buy a {part} for the {product} separately?"),
        (
            "收到的{product}里好像没有{part}，如果本来就不包含，请问在哪里可以单独买？",
            "There seems to be no {part} with my {product}. If it is not included, where can I "
            "buy one?",
        ),
    ),
    # billing
    RequestText(
        "billing-double-charge",
        CMP,
        ("同一订单被扣款两次", "Charged twice for one order"),
        (
            "订单{order}支付时页面卡住，我重试了一次，结果银行卡被扣了两次¥{amount}。",
            "The payment page for order {order} froze, I tried again, and my card was charged "
            "¥{amount} twice.",
        ),
        solved=(
            (
                "确认重复扣款，已原路退回¥{amount}。",
                "Double charge confirmed; ¥{amount} refunded to the card.",
            ),
        ),
    ),
    RequestText(
        "billing-double-charge",
        INQ,
        ("为什么有一笔重复的预授权？", "Why is there a second pre-authorisation?"),
        (
            "信用卡账单上订单{order}有两笔¥{amount}的预授权，其中一笔会自动撤销吗？",
            "My credit card shows two pre-authorisations of ¥{amount} for order {order}. Will one "
            "of them be released automatically?",
        ),
        solved=(
            (
                "重复的预授权已由银行自动撤销，已向客户说明。",
                "The second pre-authorisation was released by the bank; explained to the customer.",
            ),
        ),
    ),
    RequestText(
        "billing-refund",
        INQ,
        ("退款什么时候到账？", "When will my refund arrive?"),
        (
            "订单{order}的退款¥{amount}显示已处理，已经{days}天了还没到账，请帮忙查一下。",
            "The refund of ¥{amount} for order {order} shows as processed, but after {days} days "
            "it has not reached my account. Could you check?",
        ),
        also=(
            ("退款¥{amount}还没到账", "Refund of ¥{amount} not received yet"),
            ("查询退款进度", "Where is my refund?"),
        ),
    ),
    RequestText(
        "billing-refund",
        CMP,
        ("退款迟迟不到账", "Refund still missing"),
        (
            "退货{date}就寄回去了，退款¥{amount}到现在还没收到，每次问都说在处理，到底什么时候能退？",
            "I sent the return back on {date}. The refund of ¥{amount} is still missing and every "
            "time I ask I hear 'in progress'. When will I get my money?",
        ),
    ),
    RequestText(
        "billing-refund",
        PRS,
        ("退款处理很快，谢谢", "Fast refund, thank you"),
        (
            "订单{order}的退款当天就到账了，客服处理得很快，给你们点赞。",
            "The refund for order {order} arrived the same day. Quick and friendly service, "
            "thank you.",
        ),
        also=(("给退款处理的客服点赞", "Thanks for the quick refund"),),
    ),
    RequestText(
        "billing-invoice",
        INQ,
        ("如何开具增值税专用发票？", "How do I get a VAT special invoice?"),
        (
            "我们公司需要订单{order}的增值税专用发票，抬头和税号已经填好，请问多久能开出来？",
            "Our company needs a VAT special invoice for order {order}. Title and tax number are "
            "filled in; how long does it take?",
        ),
    ),
    RequestText(
        "billing-invoice",
        CMP,
        ("发票金额与订单不符", "Invoice amount does not match the order"),
        (
            "收到的电子发票金额是¥{amount}，和订单{order}的实付金额不一致，财务无法报销。",
            "The e-invoice says ¥{amount}, which is not what I paid for order {order}. Our "
            "accounts department cannot book it.",
        ),
    ),
    RequestText(
        "billing-invoice",
        SUG,
        ("建议电子发票自动发到邮箱", "Please e-mail e-invoices automatically"),
        (
            "每次都要登录下载发票很麻烦，建议开票后自动发送到注册邮箱。",
            "Logging in to download every invoice is tedious. Please e-mail each invoice as soon "
            "as it is issued.",
        ),
        also=(
            ("电子发票能否自动发送", "Could e-invoices be e-mailed?"),
            ("开票后希望有邮件提醒", "Tell me when an invoice is issued"),
        ),
    ),
    # account
    RequestText(
        "account-login",
        FLT,
        ("登录一直提示验证码错误", "Login fails with 'wrong verification code'"),
        (
            "App登录时输入短信验证码总是提示错误，试了很多次，已经{days}天登不上了。",
            "Whenever I enter the SMS code in the app it says the code is wrong. I have not been "
            "able to log in for {days} days.",
        ),
    ),
    RequestText(
        "account-login",
        INQ,
        ("换了手机号怎么找回账号？", "New phone number: how do I recover my account?"),
        (
            "原来注册的手机号已经停用，忘记了密码，请问怎么找回账号？里面还有未完成的订单{order}。",
            "My old phone number is no longer in use and I forgot my password. How do I get my "
            "account back? Order {order} is still open in it.",
        ),
        also=(("手机号换了，账号登不上", "Locked out after changing my number"),),
    ),
    RequestText(
        "account-login",
        SUG,
        ("建议增加扫码登录", "Please add QR-code login"),
        (
            "每次都要收短信验证码太麻烦了，建议增加扫码登录。",
            "Waiting for an SMS code every time is a hassle. Please add QR-code login.",
        ),
        also=(
            ("希望支持微信扫码登录", "Support QR-code login please"),
            ("每次登录都要验证码太麻烦", "SMS codes at every login are annoying"),
        ),
    ),
    RequestText(
        "account-login",
        PRS,
        ("客服耐心帮我找回了账号", "Thanks for recovering my account"),
        (
            "账号被锁后客服一步一步指导我找回，非常耐心，谢谢！",
            "When my account was locked your agent guided me step by step to get it back. Very "
            "patient, thank you!",
        ),
        also=(("感谢客服帮忙找回账号", "Thank you for getting my account back"),),
    ),
    RequestText(
        "account-personal-data",
        INQ,
        ("如何修改账户绑定的手机号？", "How do I change my account's phone number?"),
        (
            "我换了新手机号，想把账户绑定的号码改掉，但页面上找不到入口。",
            "I have a new phone number and want to update my account, but I cannot find where.",
        ),
    ),
    RequestText(
        "account-personal-data",
        CMP,
        ("退订后仍收到营销短信", "Marketing SMS although I opted out"),
        (
            "我{date}已经退订了营销短信，最近{days}天每天还能收到促销信息，请停止使用我的手机号。",
            "I opted out of marketing messages on {date}, yet I have had promotions every day for "
            "{days} days. Stop using my number.",
        ),
    ),
    RequestText(
        "account-personal-data",
        INQ,
        ("申请删除我的个人信息", "Request to delete my personal data"),
        (
            "我准备注销账户，请删除我的个人信息和收货地址，并告诉我需要多长时间。",
            "I am closing my account. Please delete my personal data and addresses and tell me how "
            "long it takes.",
        ),
        solved=(
            (
                "已在法定时限内删除客户个人信息并书面告知。",
                "Personal data deleted within the legal deadline; customer told in writing.",
            ),
        ),
    ),
    # after-sales
    RequestText(
        "after-sales-return",
        INQ,
        ("{product}怎么申请七天无理由退货？", "How do I return the {product}?"),
        (
            "{date}收到的{product}不太合适，还没拆封，想申请七天无理由退货，需要怎么操作？",
            "The {product} I received on {date} is not what I need and is still sealed. How do I "
            "return it within the seven days?",
        ),
        also=(("申请七天无理由退货", "Seven-day return of my {product}"),),
    ),
    RequestText(
        "after-sales-return",
        CMP,
        ("退货申请被拒绝", "Return request refused"),
        (
            "订单{order}的{product}有质量问题，退货申请却被系统以“已使用”为由拒绝，我不接受。",
            "The {product} from order {order} is faulty, but my return was refused as 'used'. I "
            "do not accept that.",
        ),
    ),
    RequestText(
        "after-sales-return",
        SUG,
        ("建议退货支持上门取件", "Please offer pick-up for returns"),
        (
            "退货还要自己去快递点寄，建议大件商品退货支持免费上门取件。",
            "Taking returns to a courier point myself is hard. Please offer free pick-up for "
            "bulky items.",
        ),
        also=(
            ("大件退货能否上门取件", "Pick-up for bulky returns?"),
            ("退货流程建议简化", "Please make returns simpler"),
        ),
    ),
    RequestText(
        "after-sales-exchange",
        INQ,
        ("{product}型号不合适，能换货吗？", "Can I exchange the {product} for another model?"),
        (
            "买的{product}型号选错了，想换成大一号的，差价怎么补？订单{order}。",
            "I chose the wrong model of {product} and would like the bigger one. How do I pay the "
            "difference? Order {order}.",
        ),
    ),
    RequestText(
        "after-sales-exchange",
        CMP,
        ("换货后收到的{product}还是坏的", "Replacement {product} is faulty too"),
        (
            "第一次收到的{product}有问题已经换过一次，换回来的还是同样的问题，太浪费时间了。",
            "My first {product} was faulty and you sent a replacement. It has exactly the same "
            "problem. What a waste of time.",
        ),
    ),
    RequestText(
        "after-sales-repair",
        INQ,
        ("{product}什么时候能上门安装？", "When can someone install the {product}?"),
        (
            "订单{order}的{product}已经送到，请问安装师傅什么时候能上门？我工作日晚上和周末都在家。",
            "The {product} from order {order} has arrived. When can your technician install it? "
            "I am home on weekday evenings and at weekends.",
        ),
        needs="installed",
        also=(("预约{product}上门安装", "Booking the installation of my {product}"),),
        solved=(
            ("已上门完成安装调试，客户确认。", "Installed and set up on site; customer confirmed."),
        ),
    ),
    RequestText(
        "after-sales-repair",
        FLT,
        ("{product}漏水，需要维修", "{product} is leaking and needs repair"),
        (
            "{product}用了{days}天开始漏水，地板都湿了，请尽快安排维修。",
            "The {product} started leaking after {days} days and the floor is wet. Please send "
            "someone to repair it soon.",
        ),
        needs="water",
    ),
    RequestText(
        "after-sales-repair",
        CMP,
        ("维修师傅没有按约定时间上门", "The technician did not come as agreed"),
        (
            "约好{date}上午上门维修{product}，我请了假在家等了一上午，师傅没来也没通知。",
            "The repair of my {product} was booked for the morning of {date}. I took the morning "
            "off and waited; nobody came and nobody called.",
        ),
        needs="installed",
        solved=(
            (
                "已重新安排工程师上门完成维修，并赠送延保作为补偿。",
                "Rebooked the engineer, who did the repair; extended warranty given as an apology.",
            ),
        ),
    ),
    RequestText(
        "after-sales-repair",
        PRS,
        ("维修师傅很专业，感谢", "Very professional technician"),
        (
            "上门维修{product}的师傅很专业，半小时就修好了，还讲解了日常保养方法，非常满意。",
            "The technician fixed my {product} in half an hour and explained how to look after "
            "it. Very happy with the service.",
        ),
        needs="installed",
        also=(
            ("感谢师傅上门维修", "Thanks to the repair technician"),
            ("{product}维修服务很满意", "Very happy with the {product} repair"),
        ),
    ),
    RequestText(
        "after-sales-repair",
        FLT,
        ("{product}安装后无法正常工作", "{product} does not work after installation"),
        (
            "师傅安装完{product}后试机正常，但第二天就报错{code}，无法使用。",
            "The {product} worked when the technician installed it, but the next day it shows "
            "error {code} and will not run.",
        ),
        needs="installed",
    ),
    RequestText(
        "logistics-address",
        SUG,
        ("建议下单后允许修改地址", "Let customers change the address after ordering"),
        (
            "经常下单后才发现地址写错，希望发货前能在App里自己修改地址。",
            "I often notice a wrong address only after ordering. Please let us change it in the "
            "app before the parcel ships.",
        ),
    ),
    RequestText(
        "quality-defect",
        PRS,
        ("{product}质量很好，很满意", "Great {product}, very happy"),
        (
            "{product}用了一个多月了，质量很好，已经推荐给朋友了。",
            "I have used the {product} for over a month. Excellent quality; I have recommended it "
            "to friends.",
        ),
    ),
    RequestText(
        "account-personal-data",
        SUG,
        ("建议提供一键退订", "One-click opt-out from all marketing, please"),
        (
            "现在要分别退订短信、邮件和App推送，建议提供一键退订所有营销信息。",
            "Today I must opt out of SMS, e-mail and app messages one by one. Please offer one "
            "switch for all marketing.",
        ),
    ),
    RequestText(
        "after-sales-exchange",
        PRS,
        ("换货很顺利，谢谢", "Smooth exchange, thank you"),
        (
            "换货从申请到收到新的{product}只用了三天，流程很方便。",
            "From my request to the new {product} at my door took three days. Very convenient.",
        ),
    ),
)


@dataclass(frozen=True)
class Product:
    name: Say
    parts: tuple[Say, ...]
    traits: frozenset[str] = frozenset()  # powered, battery, screen, noisy, water, ...


def _product(zh: str, en: str, traits: str, *parts: Say) -> Product:
    return Product((zh, en), parts, frozenset(traits.split()))


MANUAL: Say = ("说明书", "manual")
PRODUCTS = (
    _product("智能电饭煲", "smart rice cooker", "powered kitchen", ("内胆", "inner pot"),
             ("电源线", "power cord"), ("量杯", "measuring cup")),
    _product("空气净化器", "air purifier", "powered noisy", ("滤网", "filter"),
             ("遥控器", "remote control")),
    _product("蓝牙耳机", "Bluetooth earbuds", "powered battery", ("充电盒", "charging case"),
             ("充电线", "charging cable"), ("耳塞套", "ear tips")),
    _product("扫地机器人", "robot vacuum", "powered battery noisy", ("充电座", "charging dock"),
             ("边刷", "side brush")),
    _product("电热水壶", "electric kettle", "powered kitchen", ("底座", "base"),
             ("滤网", "filter")),
    _product("儿童安全座椅", "child car seat", "", ("安装卡扣", "ISOFIX connectors"), MANUAL),
    _product("人体工学椅", "ergonomic office chair", "", ("安装螺丝", "mounting screws"),
             ("扶手", "armrests"), MANUAL),
    _product("智能手表", "smartwatch", "powered battery screen", ("充电底座", "charging cradle"),
             ("表带", "strap")),
    _product("无线吸尘器", "cordless vacuum cleaner", "powered battery noisy",
             ("充电器", "charger"), ("地刷", "floor head"), ("挂架", "wall mount")),
    _product("全自动咖啡机", "espresso machine", "powered kitchen noisy water",
             ("奶泡管", "milk frother"), ("滤网", "filter")),
    _product("洗碗机", "dishwasher", "powered noisy water installed", ("进水管", "inlet hose"),
             ("碗篮", "dish rack")),
    _product("净水器", "water purifier", "powered water installed", ("滤芯", "filter cartridge"),
             ("进水管", "inlet hose")),
    _product("挂式空调", "air conditioner", "powered noisy water installed",
             ("遥控器", "remote control"), ("安装支架", "mounting bracket")),
    _product("滚筒洗衣机", "washing machine", "powered noisy water installed",
             ("进水管", "inlet hose"), ("排水管", "drain hose")),
    _product("平板电脑", "tablet", "powered battery screen", ("电源适配器", "power adapter"),
             ("充电线", "charging cable")),
    _product("电动牙刷", "electric toothbrush", "powered battery", ("刷头", "brush heads"),
             ("充电座", "charging base")),
    _product("智能电视", "smart TV", "powered screen installed", ("遥控器", "remote control"),
             ("壁挂架", "wall bracket")),
)  # fmt: skip
CITIES: tuple[Say, ...] = (
    ("上海", "Shanghai"),
    ("杭州", "Hangzhou"),
    ("南京", "Nanjing"),
    ("苏州", "Suzhou"),
    ("广州", "Guangzhou"),
    ("深圳", "Shenzhen"),
    ("成都", "Chengdu"),
    ("武汉", "Wuhan"),
    ("北京", "Beijing"),
    ("西安", "Xi'an"),
    ("宁波", "Ningbo"),
    ("合肥", "Hefei"),
)
COURIER: Say = ("顺达物流", "Shunda Logistics")

GREETINGS: tuple[Say, ...] = (
    ("", ""),
    ("您好，", "Hello,\n\n"),
    ("你好，", "Hi,\n\n"),
    ("客服你好，", "Dear customer service,\n\n"),
)
CLOSINGS: tuple[Say, ...] = (
    ("", ""),
    ("谢谢！", "\n\nThank you."),
    ("麻烦尽快处理。", "\n\nPlease deal with it soon."),
    ("请尽快回复，谢谢。", "\n\nI look forward to your reply."),
    ("盼复。", "\n\nRegards,\n{name}"),
)


# --- what staff write ----------------------------------------------------------------------

# Pools per category group: first answer, asking for details, the customer's answer, a
# progress update, an internal note, the message announcing the solution, a promise, why a
# promise moves, and why a resolved ticket is reopened.
STAFF_TEXTS: dict[str, dict[str, tuple[Say, ...]]] = {
    "logistics": {
        "first": (
            (
                "{name}您好，已查到订单{order}的物流记录，正在联系{courier}核实包裹位置。",
                "Hello {name}, I found the tracking record of order {order} and am asking "
                "{courier} where the parcel is.",
            ),
            (
                "您好，已为您提交催件申请，{courier}会优先处理运单{tracking}。",
                "Hello, I have filed a priority request with {courier} for parcel {tracking}.",
            ),
        ),
        "ask": (
            (
                "为便于核实，请提供收件人手机号后四位和详细收货地址。",
                "To check this, please send the last four digits of the recipient's phone and the "
                "full delivery address.",
            ),
            (
                "请问包裹外箱和面单的照片方便发给我们吗？",
                "Could you send us a photo of the box and the shipping label?",
            ),
        ),
        "reply": (
            (
                "详细地址是{city}市滨江路88号3栋1单元，电话尾号{n}。",
                "The address is Binjiang Road 88, building 3, unit 1, {city}; phone ending {n}.",
            ),
            ("照片已经发到你们邮箱了，请查收。", "I have e-mailed the photos to you."),
        ),
        "update": (
            (
                "{courier}回复包裹在{city}分拨中心滞留，已安排今天转运。",
                "{courier} says the parcel was held at the {city} hub; it moves on today.",
            ),
            (
                "已为您登记优先派送，预计明天送达，届时快递员会提前电话联系。",
                "Priority delivery is booked for tomorrow; the courier will call before coming.",
            ),
        ),
        "note": (
            (
                "已在{courier}系统提交催件单，对方回复包裹在{city}分拨中心滞留。",
                "Filed a chase request in the {courier} system; they say the parcel is held at "
                "the {city} hub.",
            ),
            (
                "本周{city}线路延误较多，已汇总给物流主管跟进。",
                "Many delays on the {city} route this week; summary sent to the logistics "
                "supervisor.",
            ),
        ),
        "final": (
            (
                "包裹已于今天送达，如有其他问题欢迎随时联系我们。",
                "The parcel was delivered today. Do get in touch if anything else comes up.",
            ),
            (
                "补发的包裹已签收，给您带来的不便再次致歉。",
                "The replacement parcel has been signed for. Sorry again for the trouble.",
            ),
        ),
        "promise": (
            (
                "{due}前致电客户告知包裹最新位置",
                "Call the customer with the parcel's location by {due}",
            ),
            (
                "{due}前确认补发包裹的运单号并短信告知",
                "Send the tracking number of the replacement by {due}",
            ),
        ),
        "reschedule": (
            (
                "{courier}系统故障，数据次日才能核实，已向客户说明并致歉。",
                "{courier}'s system is down and the data can only be checked tomorrow; explained "
                "and apologised to the customer.",
            ),
        ),
        "reopen": (
            (
                "客户反馈补发的包裹仍未收到。",
                "Customer says the replacement parcel has not arrived.",
            ),
            ("客户说包裹里的商品与订单不符。", "Customer says the parcel holds the wrong item."),
        ),
    },
    "quality": {
        "first": (
            (
                "{name}您好，很抱歉{product}出现问题，我已登记订单{order}，正在安排检测。",
                "Hello {name}, sorry about the {product}. I have logged order {order} and am "
                "arranging an inspection.",
            ),
            (
                "您好，已收到您的反馈，我们会为您优先处理{product}的质量问题。",
                "Hello, thank you for the report; we are treating the {product} problem with "
                "priority.",
            ),
        ),
        "ask": (
            (
                "麻烦拍几张问题部位的照片或一段视频发给我们，并提供机身背面的序列号。",
                "Please send a few photos or a short video of the problem and the serial number on "
                "the back.",
            ),
        ),
        "reply": (
            (
                "照片和视频已经上传了，按开机键没有任何反应。",
                "Photos and a video are uploaded; nothing happens when I press the power button.",
            ),
            (
                "序列号是SN{n}{n}，照片发到邮箱了。",
                "The serial number is SN{n}{n}; photos are in your inbox.",
            ),
        ),
        "update": (
            (
                "检测结果确认为产品故障，已为您申请换新，新机明天发出。",
                "The inspection confirms a product fault; a new unit ships tomorrow.",
            ),
            (
                "缺少的{part}已补发，运单号{tracking}。",
                "The missing {part} is on its way: {tracking}.",
            ),
        ),
        "note": (
            (
                "同型号{product}本月已有多起类似反馈，已同步质检部门。",
                "Several similar reports on this {product} model this month; quality team "
                "informed.",
            ),
            (
                "供应商确认该批次{part}漏装，批量补发中。",
                "Supplier confirms the {part} was left out of this batch; sending them to all "
                "buyers.",
            ),
        ),
        "final": (
            (
                "新机已签收，如使用中还有问题请随时联系我们。",
                "The new unit has arrived. Let us know if anything else is wrong.",
            ),
            (
                "补发配件已送达，确认可以正常使用。",
                "The missing part arrived and the product works.",
            ),
        ),
        "promise": (
            ("{due}前给出检测结果", "Give the inspection result by {due}"),
            ("{due}前发出换新机器", "Ship the replacement unit by {due}"),
        ),
        "reschedule": (
            (
                "配件仍在调货中，需顺延一天，已向客户说明并致歉。",
                "The part is still being sourced and needs another day; explained and apologised "
                "to the customer.",
            ),
        ),
        "reopen": (
            (
                "更换后的{product}仍有同样的问题。",
                "The replacement {product} has the same problem.",
            ),
        ),
    },
    "billing": {
        "first": (
            (
                "{name}您好，已收到您关于订单{order}的账务问题，正在核对支付流水。",
                "Hello {name}, I have your billing question about order {order} and am checking "
                "the payment records.",
            ),
            (
                "您好，我们已记录您的问题，财务同事会尽快核实金额¥{amount}的情况。",
                "Hello, we have logged this; our accounts team is checking the ¥{amount}.",
            ),
        ),
        "ask": (
            (
                "请提供扣款记录截图（包含交易时间和金额），便于财务核对。",
                "Please send a screenshot of the charge showing time and amount so accounts can "
                "match it.",
            ),
            (
                "请提供开票抬头、税号和接收邮箱。",
                "Please send the invoice title, tax number and the e-mail to send it to.",
            ),
        ),
        "reply": (
            (
                "截图已发到邮箱，两笔扣款时间相差不到一分钟。",
                "Screenshot e-mailed; the two charges are less than a minute apart.",
            ),
            ("抬头和税号已经填写在附件里了。", "The title and tax number are in the attachment."),
        ),
        "update": (
            (
                "已确认重复扣款，退款¥{amount}已提交，预计3-5个工作日原路退回。",
                "Double charge confirmed; the refund of ¥{amount} is filed and reaches your card "
                "in 3-5 working days.",
            ),
            (
                "发票已重新开具，稍后发送到您的邮箱。",
                "The invoice has been reissued and will be e-mailed shortly.",
            ),
        ),
        "note": (
            (
                "已核对支付流水，确认重复扣款，提交财务退款审批。",
                "Payment records checked: double charge confirmed; refund sent for approval.",
            ),
            (
                "支付渠道本周有超时重试问题，已报技术部。",
                "The payment gateway retried on time-outs this week; reported to IT.",
            ),
        ),
        "final": (
            (
                "退款已原路退回，请留意银行到账通知。",
                "The refund has been paid back to your card; watch for your bank's notice.",
            ),
            ("发票已发送到您的邮箱，请查收。", "The invoice is in your inbox."),
        ),
        "promise": (
            ("{due}前完成退款并短信通知客户", "Refund paid and customer told by SMS by {due}"),
            ("{due}前把更正后的发票发到客户邮箱", "E-mail the corrected invoice by {due}"),
        ),
        "reschedule": (
            (
                "财务审批需要多一个工作日，已向客户说明。",
                "The refund approval needs one more working day; the customer knows why.",
            ),
        ),
        "reopen": (
            (
                "客户核对后发现退款金额少了¥{amount}。",
                "Customer finds the refund is ¥{amount} short.",
            ),
        ),
    },
    "account": {
        "first": (
            (
                "{name}您好，已收到您的账户问题，正在后台查看登录记录。",
                "Hello {name}, I have your account question and am looking at the login records.",
            ),
            (
                "您好，我们会按个人信息保护规定处理您的请求。",
                "Hello, we will handle your request under our personal-data rules.",
            ),
        ),
        "ask": (
            (
                "请提供注册手机号和最后一次成功登录的大概时间。",
                "Please send the registered phone number and roughly when you last logged in.",
            ),
            (
                "为保护您的账户安全，请上传身份证明以完成身份核验。",
                "To protect your account, please upload proof of identity.",
            ),
        ),
        "reply": (
            (
                "注册手机号尾号{n}，最后一次登录大概是上周。",
                "The registered number ends in {n}; I last logged in about a week ago.",
            ),
            ("已经上传了，请尽快处理。", "Uploaded. Please be quick."),
        ),
        "update": (
            (
                "已为您重置登录状态，请更新App到最新版本后重试。",
                "Your login state is reset; please update the app and try again.",
            ),
            (
                "您的退订已在所有营销渠道生效。",
                "Your opt-out now applies to every marketing channel.",
            ),
        ),
        "note": (
            (
                "后台显示验证码短信发送成功但用户未收到，疑似运营商拦截。",
                "The SMS code was sent successfully but never received: probably blocked by the "
                "carrier.",
            ),
            (
                "已提交数据删除工单给技术部，法定时限15个工作日。",
                "Data deletion request filed with IT; legal deadline 15 working days.",
            ),
        ),
        "final": (
            ("账户已恢复正常，可以登录了。", "Your account works again; you can log in."),
            (
                "您的请求已处理完毕，感谢您的耐心。",
                "Your request is done. Thank you for your patience.",
            ),
        ),
        "promise": (
            ("{due}前完成身份核验并回复客户", "Finish the identity check and reply by {due}"),
        ),
        "reschedule": (
            (
                "技术部排查需要更多时间，已告知客户。",
                "IT needs more time to investigate; the customer is informed.",
            ),
        ),
        "reopen": (
            ("客户说又收到了营销短信。", "Customer received marketing SMS again."),
            ("客户反馈仍然无法登录。", "Customer still cannot log in."),
        ),
    },
    "after-sales": {
        "first": (
            (
                "{name}您好，已为订单{order}登记售后申请，正在为您安排。",
                "Hello {name}, I have registered the after-sales request for order {order} and am "
                "arranging it.",
            ),
            (
                "您好，已收到{product}的售后需求，稍后会有工程师与您预约时间。",
                "Hello, we have your {product} request; an engineer will call to book a time.",
            ),
        ),
        "ask": (
            (
                "请确认商品是否保留原包装及全部配件，并提供方便上门的时间。",
                "Please confirm you still have the original box and all parts, and tell us when "
                "we may visit.",
            ),
        ),
        "reply": (
            (
                "原包装和配件都在，周六上午在家。",
                "I still have the box and all parts; I am home on Saturday morning.",
            ),
            ("工作日晚上七点以后都可以。", "Any weekday after 7 pm works."),
        ),
        "update": (
            (
                "工程师已预约明天上门，上门前会电话联系。",
                "An engineer is booked for tomorrow and will call before coming.",
            ),
            (
                "退货已入库，退款正在处理中。",
                "The return has arrived at our warehouse; the refund is being processed.",
            ),
        ),
        "note": (
            (
                "已联系服务商安排工程师，等待排期。",
                "Asked the service partner for an engineer; waiting for a slot.",
            ),
            (
                "客户情绪较激动，后续沟通注意语气，必要时升级主管。",
                "Customer is upset: mind the tone, escalate to the supervisor if needed.",
            ),
        ),
        "final": (
            ("维修已完成，试机正常。", "The repair is done and the unit works."),
            (
                "换货已完成，新商品已签收。",
                "The exchange is done and the new item has been received.",
            ),
        ),
        "promise": (
            ("工程师{due}前上门", "Engineer on site by {due}"),
            ("{due}前致电客户确认上门时间", "Call the customer to book the visit by {due}"),
        ),
        "reschedule": (
            (
                "工程师临时有急单，改约次日，已向客户致歉。",
                "The engineer was called to an emergency; moved to the next day and apologised.",
            ),
        ),
        "reopen": (
            (
                "维修后{product}又出现同样的故障。",
                "The {product} shows the same fault again after the repair.",
            ),
        ),
    },
}

RESOLUTIONS: dict[str, tuple[Say, ...]] = {
    "logistics-delay": (
        (
            "已催促{courier}优先派送，包裹次日送达，客户确认签收。",
            "Asked {courier} to prioritise the parcel; it was delivered the next day and the "
            "customer confirmed receipt.",
        ),
        (
            "包裹因{city}分拨中心积压延误，已协调转运并送达；退还加急运费作为补偿。",
            "Delayed by a backlog at the {city} hub; rerouted and delivered. Express fee refunded "
            "as compensation.",
        ),
    ),
    "logistics-lost": (
        (
            "确认包裹丢失，已为客户补发商品并按规定赔偿。",
            "Parcel confirmed lost; replacement sent and compensation paid under our policy.",
        ),
        (
            "包裹在驿站找到，已送达客户本人。",
            "Parcel found at the pick-up point and handed to the customer.",
        ),
    ),
    "logistics-damaged": (
        (
            "已为客户办理破损换新，新商品已送达，破损责任由{courier}承担。",
            "Damaged item replaced; the new one has arrived. {courier} bears the cost.",
        ),
    ),
    "logistics-address": (
        (
            "已修改收货地址并通知{courier}，包裹按新地址送达。",
            "Address corrected and {courier} informed; the parcel went to the new address.",
        ),
    ),
    "quality-defect": (
        (
            "检测确认为产品故障，已为客户换新。",
            "Inspection confirmed a product fault; unit replaced.",
        ),
        (
            "远程指导客户重置后恢复正常，并延长保修一年。",
            "Guided the customer through a reset that fixed it; warranty extended by a year.",
        ),
    ),
    "quality-not-as-described": (
        (
            "确认商品描述有误，已为客户办理退货退款并更正商品页面。",
            "Listing confirmed wrong; return and refund arranged and the product page corrected.",
        ),
    ),
    "quality-missing-parts": (
        ("缺少的{part}已补发并送达。", "The missing {part} was sent and has arrived."),
    ),
    "billing-double-charge": (
        (
            "确认重复扣款，已原路退回¥{amount}。",
            "Double charge confirmed; ¥{amount} refunded to the card.",
        ),
    ),
    "billing-refund": (
        ("退款¥{amount}已到账，客户确认。", "Refund of ¥{amount} received; customer confirmed."),
    ),
    "billing-invoice": (
        (
            "已重新开具正确发票并发送到客户邮箱。",
            "Correct invoice reissued and e-mailed to the customer.",
        ),
    ),
    "account-login": (
        (
            "已重置账户登录状态，客户可正常登录。",
            "Login state reset; the customer can log in again.",
        ),
        (
            "核验身份后已为客户更换绑定手机号并找回账户。",
            "After an identity check the phone number was changed and the account recovered.",
        ),
    ),
    "account-personal-data": (
        (
            "已按客户要求更新个人信息设置，并确认退订生效。",
            "Personal data settings updated as asked; opt-out confirmed.",
        ),
    ),
    "after-sales-return": (
        ("已办理退货，退款¥{amount}已原路退回。", "Return processed; ¥{amount} refunded."),
    ),
    "after-sales-exchange": (
        ("已为客户换货，新商品已签收。", "Item exchanged; the customer received the new one."),
    ),
    "after-sales-repair": (
        (
            "工程师已上门维修，更换了损坏部件，试机正常。",
            "Engineer visited and replaced the broken part; the unit works.",
        ),
    ),
}

KIND_TEXTS: dict[str, dict[str, tuple[Say, ...]]] = {
    PRS: {
        "first": (
            (
                "{name}您好，非常感谢您的表扬！我们会转达给相关同事。",
                "Hello {name}, thank you so much for the kind words! We will pass them on.",
            ),
        ),
        "resolution": (
            (
                "已将表扬转达给相关同事并记入服务之星评选，感谢客户认可。",
                "Praise passed on to the colleagues and noted for the service-star award.",
            ),
        ),
    },
    SUG: {
        "first": (
            (
                "{name}您好，感谢您的宝贵建议，我们已记录并提交给相关负责人评估。",
                "Hello {name}, thank you for the suggestion; it is recorded and passed to the "
                "people responsible.",
            ),
        ),
        "resolution": (
            (
                "建议已提交流程改进小组评估，已告知客户后续进展会通过短信通知。",
                "Suggestion handed to the process improvement group; the customer will hear about "
                "progress by SMS.",
            ),
        ),
    },
}

APOLOGY: Say = ("非常抱歉给您带来不便。", " We are very sorry for the trouble.")
CHASE: tuple[Say, ...] = (
    (
        "已经过去好几天了还没有结果，再不处理我就要投诉到消协了！",
        "Days have passed without a result. If this is not sorted out I will complain to the "
        "consumer association!",
    ),
    (
        "每次打电话都说在处理，到底什么时候能解决？",
        "Every call I hear 'in progress'. When will it be solved?",
    ),
)
PROGRESS_QUESTIONS: tuple[Say, ...] = (
    ("请问现在处理到哪一步了？", "Could you tell me where things stand?"),
    ("有进展了吗？我这边比较着急。", "Any news? It is rather urgent for me."),
    ("能不能给我一个明确的时间？", "Can you give me a definite date?"),
)
MISSED_APOLOGY: tuple[Say, ...] = (
    (
        "抱歉没能按约定时间回复您，目前最新进展如下，我们会继续跟进。",
        "Sorry we did not get back to you when promised. Here is where things stand; we keep "
        "at it.",
    ),
)
FOLLOW_UP: tuple[Say, ...] = (
    ("回访：问题已解决，客户表示满意。", "Follow-up call: problem solved, customer satisfied."),
    ("回访：客户确认已正常使用，无其他问题。", "Follow-up call: customer confirms all is well."),
)
REMINDER: tuple[Say, ...] = (
    (
        "再次提醒：请补充所需信息，以便我们继续处理。",
        "A reminder: please send the details so we can go on.",
    ),
)
NO_REPLY: Say = (
    "多次联系客户未获回复，按流程结单；客户可随时回复重新打开。",
    "No answer after several attempts; resolved per procedure. The customer may reply to "
    "reopen it.",
)
TRANSFER_REASON: Say = ("不属于本部门，转{team}处理。", "Not ours: passing it to {team}.")
URGENCY_REASON: Say = (
    "客户多次来电，情绪激动，提高紧急程度。",
    "Customer called several times and is upset; raising the urgency.",
)
ESCALATION_NOTE: Say = (
    "客户要求升级处理，已转经理跟进。",
    "Customer asked for escalation; handed to the manager.",
)
MERGE_NOTE: Say = (
    "客户重复反馈同一问题，合并到{number}。",
    "Same problem reported again; merged into {number}.",
)
DUPLICATE: tuple[Say, Say] = (
    ("再次反馈：{subject}", "Follow-up: {subject}"),
    (
        "我之前已经反馈过订单{order}的问题，到现在还没有结果，请尽快处理！",
        "I already reported the problem with order {order} and still have no answer. Please "
        "deal with it!",
    ),
)
THANKS: tuple[Say, ...] = (
    ("好的，谢谢。", "OK, thank you."),
    ("收到，辛苦了。", "Got it, thanks for your help."),
)
