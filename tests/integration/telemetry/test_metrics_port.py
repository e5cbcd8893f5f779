"""A background process's metrics port that another process holds stops it with one line."""

from __future__ import annotations

import socket

import pytest

from arena.config_errors import ConfigurationError
from arena.process_metrics import serve_metrics
from arena.settings import ArenaSettings


def test_a_metrics_port_already_taken_is_a_one_line_configuration_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigurationError, match=f"ARENA_METRICS_PORT={port}"):
            serve_metrics(ArenaSettings(metrics_port=port, metrics_host="127.0.0.1"), "relay")
