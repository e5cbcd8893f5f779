"""The resilience tests' fixtures (tests/integration/resilience/conftest.py: real `arena`
processes on a database and a vhost of the test's own), for other folders' conftests to reuse
as they are: `from resilience_fixtures import arena, outages`."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

RESILIENCE = Path(__file__).parent / "integration" / "resilience"
sys.path.insert(0, str(RESILIENCE))  # its conftest imports its helpers (outages.py) by name

_spec = importlib.util.spec_from_file_location("resilience_conftest", RESILIENCE / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
outages = _fixtures.outages
arena = _fixtures.arena
