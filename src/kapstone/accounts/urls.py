from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # /accounts/: sign-in steps (reachable before two-factor) and the member's own account
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("two-factor/", views.verify, name="verify"),
    path("two-factor/setup/", views.enroll, name="enroll"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("security/", views.security, name="security"),
    path("password/", views.password_change, name="password_change"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("practice/", views.switch_practice, name="switch_practice"),
    path("invitation/<str:token>/", views.accept_invitation, name="invitation"),
]
