from django.urls import path

from tenant_apps.api import token_views

urlpatterns = [
    path("", token_views.tokens, name="api-tokens"),
    path("<int:pk>/aterkalla/", token_views.revoke, name="api-token-revoke"),
]
