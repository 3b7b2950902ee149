"""Benchmarks run by `make bench` (`python -m tests.bench.run`): provisioning, request routing
and no-op migrations against a throwaway database. They measure and print; they assert nothing."""
