"""Verification tests run real `arena` processes on a database and a vhost of the test's own: the
resilience tests' fixtures (tests/integration/resilience/conftest.py), reused as they are."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

RESILIENCE = Path(__file__).parent.parent / "resilience"
sys.path.insert(0, str(RESILIENCE))  # its conftest imports its helpers (outages.py) by name

_spec = importlib.util.spec_from_file_location("resilience_fixtures", RESILIENCE / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
outages = _fixtures.outages
arena = _fixtures.arena
