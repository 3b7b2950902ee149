"""The real CarePlatform settings, with the bench view added to the provider-host URLs."""

from careplatform.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
