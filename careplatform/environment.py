"""Typed reads of environment variables for the settings and the development runner.

A value that is not what the variable takes stops the start with `ImproperlyConfigured` naming
the variable and the value, instead of being read as a default (`DEBUG=ture` as off) or failing
later with a traceback far from its cause. An unset or empty variable gives the default.
"""

import ipaddress
import math
import os
from collections.abc import Sequence

from django.core.exceptions import ImproperlyConfigured

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _raw(name: str) -> str | None:
    """The variable's value without surrounding blanks, or None when unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or None


def envbool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}: {value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)"
    )


def _check_range(
    name: str,
    text: str,
    value: float,
    min_value: float | None,
    max_value: float | None,
    above: float | None,
) -> None:
    if min_value is not None and value < min_value:
        raise ImproperlyConfigured(f"{name}: {text!r} is too small (at least {min_value})")
    if above is not None and value <= above:
        raise ImproperlyConfigured(f"{name}: {text!r} is too small (more than {above})")
    if max_value is not None and value > max_value:
        raise ImproperlyConfigured(f"{name}: {text!r} is too large (at most {max_value})")


def envint(
    name: str, default: int, *, min_value: int | None = None, max_value: int | None = None
) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: {value!r} is not a whole number") from None
    _check_range(name, value, number, min_value, max_value, None)
    return number


def envfloat(
    name: str,
    default: float,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    above: float | None = None,
) -> float:
    """A finite number; `above` is an exclusive lower bound (a timeout above 0)."""
    value = _raw(name)
    if value is None:
        return float(default)
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ImproperlyConfigured(f"{name}: {value!r} is not a finite number")
    _check_range(name, value, number, min_value, max_value, above)
    return number


def envlist(name: str, default: str = "") -> list[str]:
    """A comma-separated list; blanks around items and empty items are dropped."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def envchoice(name: str, default: str, choices: Sequence[str]) -> str:
    """One of `choices`, in any case; the value is returned spelled as in `choices`."""
    value = _raw(name)
    if value is None:
        return default
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name}: {value!r} is not one of {', '.join(choices)}")


def envnetworks(name: str) -> list[str]:
    """A comma-separated list of IP addresses or networks (`10.0.0.0/8`), checked here so that
    a typo stops the start rather than the first request that asks for the client's address."""
    items = envlist(name)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network"
            ) from None
    return items
