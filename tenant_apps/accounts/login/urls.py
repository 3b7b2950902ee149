from django.urls import path

from tenant_apps.accounts.login import views

urlpatterns = [
    path("login/", views.login_page, name="login"),
    path("login/start/", views.start, name="login-start"),
    path("login/status/", views.status, name="login-status"),
    path("login/cancel/", views.cancel, name="login-cancel"),
    path("logout/", views.logout_view, name="logout"),
]
