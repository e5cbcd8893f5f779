"""Verification tests run real `arena` processes on a database and a vhost of the test's own: the
resilience tests' fixtures (tests/integration/resilience/conftest.py), reused as they are."""

from __future__ import annotations

from resilience_fixtures import arena, outages  # noqa: F401 - fixtures
