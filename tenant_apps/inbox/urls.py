from django.urls import path

from tenant_apps.inbox import views

urlpatterns = [
    path("notiser/", views.notice_list, name="notices"),
    path("notiser/markera-lasta/", views.mark_all_read, name="notices-read"),
    path("notiser/<int:pk>/", views.notice_open, name="notice-open"),
]
