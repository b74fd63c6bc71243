from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, reverse_lazy
from django.views.i18n import set_language

from accounts.forms import LoginForm
from dashboard import closing as dashboard_closing
from dashboard import intake as dashboard_intake
from dashboard import team as dashboard_team
from dashboard import views as dashboard_views
from dashboard import youth_rules as dashboard_youth_rules
from exitprog import session

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The password-reset link an administrator sends (the admin never sets a password).
    path(
        "password/reset/<uidb64>/<token>/",
        login_not_required(
            auth_views.PasswordResetConfirmView.as_view(
                success_url=reverse_lazy("password_reset_complete")
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("language/", login_not_required(set_language), name="set_language"),
    path("session/refresh/", session.session_refresh, name="session_refresh"),
    path(
        "municipalities/<int:municipality_id>/roles/",
        dashboard_team.municipality_roles,
        name="municipality_roles",
    ),
    path(
        "municipalities/<int:municipality_id>/youth-rules/",
        dashboard_youth_rules.youth_rules,
        name="youth_rules",
    ),
    # The manager's intake queue, and the checklist before a case is closed (dashboard/).
    path("intake/", dashboard_intake.intake_queue, name="intake_queue"),
    path("cases/<int:case_id>/close/", dashboard_closing.case_close, name="case_close"),
    path("admin/", admin.site.urls),
    path("", include("audit.urls")),
    path("cases/", include("cases.urls")),
    path("cases/", include("records.urls")),
    path("cases/", include("reminders.urls")),
    path("cases/", include("youth.urls")),
    path("notifications/", include("notifications.urls")),
    path("referrals/", include("referrals.urls")),
    path("reports/", include("reports.urls")),
]
