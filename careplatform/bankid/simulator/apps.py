from django.apps import AppConfig


class BankIDSimulatorConfig(AppConfig):
    """Installed only when the simulator is enabled: its templates come with it."""

    name = "careplatform.bankid.simulator"
    label = "bankid_simulator"
    verbose_name = "BankID-simulator"
