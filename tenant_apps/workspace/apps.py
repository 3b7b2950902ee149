from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "tenant_apps.workspace"
    label = "workspace"
