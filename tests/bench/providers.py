"""Providers for a bench: the first `count` of the bench database, provisioned up to `count`."""


def at_least(count: int, *, name: str, subdomain: str, report_every: int) -> list:
    """`name` and `subdomain` are formats of the provider's number (`"Bench {0}"`,
    `"bench{0:04d}"`); progress is printed every `report_every` providers."""
    from tenants.models import CareProvider
    from tenants.provisioning import ProvisionRequest, provision_provider

    present = list(CareProvider.objects.filter(is_template=False).order_by("pk")[:count])
    for number in range(len(present) + 1, count + 1):
        present.append(
            provision_provider(
                ProvisionRequest(
                    name=name.format(number),
                    subdomain=subdomain.format(number),
                    admin_personnummer="198112189876",
                    admin_name="Bench Admin",
                    admin_mobile="0701234567",
                )
            )
        )
        if number % report_every == 0:
            print(f"    {number}/{count} providers present", flush=True)
    return present
