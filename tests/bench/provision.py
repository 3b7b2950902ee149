"""Bench worker (own process, real settings): fill the platform with providers, then time
provisioning one more provider by clone and by plain migration.

Each timed provider is deleted again (untimed), so every timing is taken with exactly the
requested number of providers present. Writes its timings as JSON to --output.
"""

import argparse
import json
import time

import django

ADMIN = {
    "admin_personnummer": "198112189876",
    "admin_name": "Bench Admin",
    "admin_mobile": "0701234567",
}


def subdomain(number: int) -> str:
    return f"bench{number:03d}"


def provision(name: str, method: str) -> tuple[float, object]:
    from tenants.provisioning import ProvisionRequest, provision_provider

    request = ProvisionRequest(name=f"Bench {name}", subdomain=name, **ADMIN)
    started = time.perf_counter()
    provider = provision_provider(request, method=method)
    return time.perf_counter() - started, provider


def fill(count: int) -> list[float]:
    timings = []
    for number in range(1, count + 1):
        elapsed, _ = provision(subdomain(number), "clone")
        timings.append(elapsed)
        if number % 20 == 0 or number == count:
            print(f"    {number}/{count} providers provisioned", flush=True)
    return timings


def measure(method: str, count: int) -> list[float]:
    from tenants.provisioning import delete_provider

    timings = []
    for number in range(1, count + 1):
        elapsed, provider = provision(f"timed-{method}-{number:02d}", method)
        timings.append(elapsed)
        delete_provider(provider)
        print(f"    {method} {number}/{count}: {elapsed:.3f} s", flush=True)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, required=True)
    parser.add_argument("--clones", type=int, required=True)
    parser.add_argument("--migrations", type=int, required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    django.setup()
    from tenants.models import CareProvider

    results = {"fill": fill(args.providers)}
    present = CareProvider.objects.filter(is_template=False).count()
    if present != args.providers:
        raise SystemExit(f"expected {args.providers} providers, found {present}")
    results["clone"] = measure("clone", args.clones)
    results["migrate"] = measure("migrate", args.migrations)
    with open(args.output, "w") as output:
        json.dump(results, output)


if __name__ == "__main__":
    main()
