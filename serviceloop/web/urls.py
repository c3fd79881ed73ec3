from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import analytics, board, inbox, intake, portal, queue, shell, ticket
from .views import feedback as feedback_views
from .views import followups as follow_up_views
from .views import improvement as improvement_views
from .views import surveys as survey_views

desk = (
    queue.urlpatterns
    + ticket.urlpatterns
    + intake.urlpatterns
    + board.urlpatterns
    + inbox.urlpatterns
    + survey_views.urlpatterns
    + follow_up_views.urlpatterns
    + analytics.urlpatterns
    + feedback_views.urlpatterns
    + improvement_views.urlpatterns,
    "desk",
)

urlpatterns = [
    path("", shell.home, name="home"),
    path("login/", shell.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("password/reset/", shell.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_sent.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_complete",
    ),
    path("preferences/", shell.preferences, name="preferences"),
    path("language/", shell.set_language, name="set_language"),
    path("desk/", include(desk)),
    path(
        "portal/",
        include(
            (
                portal.urlpatterns
                + survey_views.portal_urlpatterns
                + feedback_views.portal_urlpatterns,
                "portal",
            )
        ),
    ),
    path("surveys/", include((survey_views.public_urlpatterns, "surveys"))),
]
