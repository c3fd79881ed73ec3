"""The default customer messages in English and Simplified Chinese (admins edit them later).

Kept in this file, not imported from the app: a migration replays the same rows forever.
"""

from django.db import migrations

SIGN_EN = "\n\nKind regards,\n{{ company_name }} customer service"
SIGN_ZH = "\n\n{{ company_name }} 客户服务"

TEMPLATES = {
    ("created", "en"): (
        "[{{ ticket_number }}] We have received your request: {{ subject }}",
        "Hello {{ customer_name }},\n\n"
        "thank you for contacting us. We have received your request and registered it as "
        "ticket {{ ticket_number }}:\n\n"
        "    {{ subject }}\n\n"
        "We will get back to you as soon as possible. You can follow its progress at any time "
        "here:\n{{ tracking_url }}\n"
        "(Without an account, enter the ticket number and the e-mail address or phone number "
        "you gave us.)" + SIGN_EN,
        "{{ company_name }}: we received your request, ticket {{ ticket_number }}. "
        "Progress: {{ tracking_url }}",
    ),
    ("created", "zh-hans"): (
        "【{{ ticket_number }}】我们已收到您的请求：{{ subject }}",
        "{{ customer_name }}，您好：\n\n"
        "感谢您联系我们。您的请求已登记，工单号为 {{ ticket_number }}：\n\n"
        "    {{ subject }}\n\n"
        "我们会尽快处理并回复您。您可以随时在这里查看处理进度：\n{{ tracking_url }}\n"
        "（没有账号时，请输入工单号和您留下的电子邮箱或手机号。）" + SIGN_ZH,
        "【{{ company_name }}】您的请求已受理，工单号 {{ ticket_number }}。"
        "进度查询：{{ tracking_url }}",
    ),
    ("replied", "en"): (
        "[{{ ticket_number }}] New reply to your request: {{ subject }}",
        "Hello {{ customer_name }},\n\n"
        'customer service has replied to your request {{ ticket_number }} ("{{ subject }}"):'
        "\n\n{{ reply }}\n\n"
        "Current status: {{ status }}. The whole conversation: {{ tracking_url }}" + SIGN_EN,
        "{{ company_name }}: new reply on ticket {{ ticket_number }}: "
        "{{ reply|truncatechars:120 }}",
    ),
    ("replied", "zh-hans"): (
        "【{{ ticket_number }}】您的请求有新回复：{{ subject }}",
        "{{ customer_name }}，您好：\n\n"
        "客服已回复您的请求 {{ ticket_number }}（{{ subject }}）：\n\n{{ reply }}\n\n"
        "当前状态：{{ status }}。完整的沟通记录请见：{{ tracking_url }}" + SIGN_ZH,
        "【{{ company_name }}】工单 {{ ticket_number }} 有新回复：{{ reply|truncatechars:120 }}",
    ),
    ("resolved", "en"): (
        "[{{ ticket_number }}] Your request has been resolved: {{ subject }}",
        "Hello {{ customer_name }},\n\n"
        'we have resolved your request {{ ticket_number }} ("{{ subject }}").\n\n'
        "What we did:\n{{ resolution }}\n\n"
        "If this does not solve your problem, simply reply to this e-mail or reopen the "
        "ticket here: {{ tracking_url }}" + SIGN_EN,
        "{{ company_name }}: ticket {{ ticket_number }} is resolved. Not solved? Reply or "
        "visit {{ tracking_url }}",
    ),
    ("resolved", "zh-hans"): (
        "【{{ ticket_number }}】您的请求已处理完成：{{ subject }}",
        "{{ customer_name }}，您好：\n\n"
        "您的请求 {{ ticket_number }}（{{ subject }}）已处理完成。\n\n"
        "处理结果：\n{{ resolution }}\n\n"
        "如果问题仍未解决，请直接回复本邮件，或在这里重新打开工单：{{ tracking_url }}" + SIGN_ZH,
        "【{{ company_name }}】工单 {{ ticket_number }} 已处理完成。如未解决，请回复或访问 "
        "{{ tracking_url }}",
    ),
    ("promised", "en"): (
        "[{{ ticket_number }}] Our promise: {{ promise }}",
        "Hello {{ customer_name }},\n\n"
        'about your request {{ ticket_number }} ("{{ subject }}") we promise you:\n\n'
        "    {{ promise }}\n    by {{ due_at }}\n\n"
        "We keep you informed: {{ tracking_url }}" + SIGN_EN,
        "{{ company_name }}: ticket {{ ticket_number }}: {{ promise }} by {{ due_at }}",
    ),
    ("promised", "zh-hans"): (
        "【{{ ticket_number }}】我们的承诺：{{ promise }}",
        "{{ customer_name }}，您好：\n\n"
        "关于您的请求 {{ ticket_number }}（{{ subject }}），我们向您承诺：\n\n"
        "    {{ promise }}\n    时限：{{ due_at }} 之前\n\n"
        "处理进度请见：{{ tracking_url }}" + SIGN_ZH,
        "【{{ company_name }}】工单 {{ ticket_number }}：{{ promise }}（{{ due_at }} 之前）",
    ),
    ("renegotiated", "en"): (
        "[{{ ticket_number }}] A new time for our promise: {{ promise }}",
        "Hello {{ customer_name }},\n\n"
        "we are sorry: we cannot keep the time we promised you for your request "
        '{{ ticket_number }} ("{{ subject }}").\n\n'
        "The reason: {{ reason }}\n\n"
        "Our new promise:\n    {{ promise }}\n    by {{ due_at }}\n\n"
        "Please excuse the delay. Progress: {{ tracking_url }}" + SIGN_EN,
        "{{ company_name }}: sorry, ticket {{ ticket_number }} needs more time "
        "({{ reason|truncatechars:80 }}). New time: {{ due_at }}",
    ),
    ("renegotiated", "zh-hans"): (
        "【{{ ticket_number }}】承诺时间调整：{{ promise }}",
        "{{ customer_name }}，您好：\n\n"
        "非常抱歉，我们无法在之前承诺的时间内完成您的请求 {{ ticket_number }}"
        "（{{ subject }}）。\n\n"
        "原因：{{ reason }}\n\n"
        "新的承诺：\n    {{ promise }}\n    时限：{{ due_at }} 之前\n\n"
        "给您带来不便，敬请谅解。处理进度请见：{{ tracking_url }}" + SIGN_ZH,
        "【{{ company_name }}】抱歉，工单 {{ ticket_number }} 需要更多时间"
        "（{{ reason|truncatechars:80 }}）。新的时限：{{ due_at }}",
    ),
    ("reminder", "en"): (
        "[{{ ticket_number }}] We are waiting for your answer: {{ subject }}",
        "Hello {{ customer_name }},\n\n"
        "to go on with your request {{ ticket_number }} (\"{{ subject }}\") we need your "
        "answer.\n"
        "{% if reply %}\nOur last message:\n{{ reply }}\n{% endif %}\n"
        "Please reply to this e-mail or answer here: {{ tracking_url }}\n"
        "{% if waiting_resolve_days %}Without an answer we consider the request resolved "
        "{{ waiting_resolve_days }} days after we asked; you can reopen it at any time."
        "{% endif %}" + SIGN_EN,
        "{{ company_name }}: we are waiting for your answer on ticket {{ ticket_number }}. "
        "Reply or visit {{ tracking_url }}",
    ),
    ("reminder", "zh-hans"): (
        "【{{ ticket_number }}】等待您的回复：{{ subject }}",
        "{{ customer_name }}，您好：\n\n"
        "为继续处理您的请求 {{ ticket_number }}（{{ subject }}），我们需要您的回复。\n"
        "{% if reply %}\n我们上次的留言：\n{{ reply }}\n{% endif %}\n"
        "请直接回复本邮件，或在这里回复：{{ tracking_url }}\n"
        "{% if waiting_resolve_days %}如果在我们提问后 {{ waiting_resolve_days }} 天内仍未收到"
        "您的回复，我们将视为问题已解决；之后您仍可随时重新打开工单。{% endif %}" + SIGN_ZH,
        "【{{ company_name }}】工单 {{ ticket_number }} 正在等待您的回复，请回复或访问 "
        "{{ tracking_url }}",
    ),
}


def add_defaults(apps, schema_editor):
    MailTemplate = apps.get_model("notifications", "MailTemplate")
    for (kind, language), (subject, body, sms) in TEMPLATES.items():
        MailTemplate.objects.get_or_create(
            kind=kind,
            language=language,
            defaults={"subject": subject, "body": body, "sms": sms, "is_active": True},
        )


def remove_defaults(apps, schema_editor):
    MailTemplate = apps.get_model("notifications", "MailTemplate")
    for kind, language in TEMPLATES:
        MailTemplate.objects.filter(kind=kind, language=language).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_customer_messages")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
