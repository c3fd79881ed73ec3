"""The CSAT and NPS survey messages: two new kinds, and their default texts in English and
Simplified Chinese (administrators edit them later).

Kept in this file, not imported from the app: a migration replays the same rows forever.
"""

from django.db import migrations, models

SIGN_EN = "\n\nKind regards,\n{{ company_name }} customer service"
SIGN_ZH = "\n\n{{ company_name }} 客户服务"

TEMPLATES = {
    ("csat", "en"): (
        "[{{ ticket_number }}] How did we do? {{ subject }}",
        "Hello {{ customer_name }},\n\n"
        'we recently resolved your request {{ ticket_number }} ("{{ subject }}"). How satisfied '
        "are you with our service? One click on your answer is enough:\n\n"
        "  1 - very dissatisfied: {{ rating_url_1 }}\n"
        "  2 - dissatisfied:      {{ rating_url_2 }}\n"
        "  3 - neutral:           {{ rating_url_3 }}\n"
        "  4 - satisfied:         {{ rating_url_4 }}\n"
        "  5 - very satisfied:    {{ rating_url_5 }}\n\n"
        "On the page that opens you can add a comment. The links work until "
        '{{ expires_at|date:"Y-m-d" }}.' + SIGN_EN,
        "{{ company_name }}: how satisfied are you with ticket {{ ticket_number }}? "
        "Rate us: {{ survey_url }}",
    ),
    ("csat", "zh-hans"): (
        "【{{ ticket_number }}】请为我们的服务评分：{{ subject }}",
        "{{ customer_name }}，您好：\n\n"
        "您的请求 {{ ticket_number }}（{{ subject }}）已处理完成。您对我们的服务满意吗？"
        "点击一个评分即可：\n\n"
        "  1 - 非常不满意：{{ rating_url_1 }}\n"
        "  2 - 不满意：{{ rating_url_2 }}\n"
        "  3 - 一般：{{ rating_url_3 }}\n"
        "  4 - 满意：{{ rating_url_4 }}\n"
        "  5 - 非常满意：{{ rating_url_5 }}\n\n"
        '在打开的页面上您还可以留下意见。链接在 {{ expires_at|date:"Y-m-d" }} 之前有效。' + SIGN_ZH,
        "【{{ company_name }}】您对工单 {{ ticket_number }} 的处理满意吗？请评分：{{ survey_url }}",
    ),
    ("nps", "en"): (
        "How likely are you to recommend {{ company_name }}?",
        "Hello {{ customer_name }},\n\n"
        "on a scale from 0 to 10, how likely is it that you would recommend {{ company_name }} "
        "to a friend or colleague? It takes a minute, and your reason helps us improve:\n\n"
        "{{ survey_url }}\n\n"
        'The link works until {{ expires_at|date:"Y-m-d" }}.' + SIGN_EN,
        "{{ company_name }}: would you recommend us? 0-10: {{ survey_url }}",
    ),
    ("nps", "zh-hans"): (
        "您有多大可能向朋友推荐 {{ company_name }}？",
        "{{ customer_name }}，您好：\n\n"
        "从 0 到 10 分，您有多大可能向朋友或同事推荐 {{ company_name }}？只需一分钟，"
        "您的理由能帮助我们改进：\n\n"
        "{{ survey_url }}\n\n"
        '链接在 {{ expires_at|date:"Y-m-d" }} 之前有效。' + SIGN_ZH,
        "【{{ company_name }}】您会向朋友推荐我们吗？请打分（0-10）：{{ survey_url }}",
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

    dependencies = [
        ('notifications', '0002_default_templates'),
    ]

    operations = [
        migrations.AlterField(
            model_name='delivery',
            name='kind',
            field=models.CharField(choices=[('created', 'Ticket received'), ('replied', 'Reply from customer service'), ('resolved', 'Ticket resolved'), ('promised', 'Promise made'), ('renegotiated', 'Promise renegotiated'), ('reminder', "Waiting for the customer's answer"), ('csat', 'Satisfaction survey (CSAT)'), ('nps', 'Recommendation survey (NPS)')], max_length=20, verbose_name='message'),
        ),
        migrations.AlterField(
            model_name='mailtemplate',
            name='kind',
            field=models.CharField(choices=[('created', 'Ticket received'), ('replied', 'Reply from customer service'), ('resolved', 'Ticket resolved'), ('promised', 'Promise made'), ('renegotiated', 'Promise renegotiated'), ('reminder', "Waiting for the customer's answer"), ('csat', 'Satisfaction survey (CSAT)'), ('nps', 'Recommendation survey (NPS)')], max_length=20, verbose_name='message'),
        ),
        migrations.RunPython(add_defaults, remove_defaults),
    ]
