"""The topology module and infra/rabbitmq/definitions.json describe the same broker."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from arena.bus.topology import DELAY_TIERS_MS, ConsumerQueue, Topology, render
from arena.bus.topology import to_definitions as render_definitions
from arena.handlers.routing import topology as routed_topology


def to_definitions(topology: Topology | None = None) -> dict:
    return render_definitions(topology or routed_topology())

DEFINITIONS = Path(__file__).resolve().parents[3] / "infra" / "rabbitmq" / "definitions.json"
CONF = DEFINITIONS.with_name("rabbitmq.conf")


def test_definitions_file_is_what_the_topology_module_renders() -> None:
    assert json.loads(DEFINITIONS.read_text()) == to_definitions(), (
        "regenerate it: python -m arena.handlers.routing > infra/rabbitmq/definitions.json")
    assert DEFINITIONS.read_text() == render(routed_topology())


def test_rabbitmq_conf_loads_the_definitions_file() -> None:
    lines = [line.strip() for line in CONF.read_text().splitlines() if not line.startswith("#")]
    assert "load_definitions = /etc/rabbitmq/definitions.json" in lines


def test_every_queue_is_a_durable_quorum_queue() -> None:
    for queue in to_definitions()["queues"]:
        assert queue["durable"] is True
        assert queue["arguments"]["x-queue-type"] == "quorum", queue["name"]


def test_every_binding_joins_a_declared_exchange_to_a_declared_queue() -> None:
    definitions = to_definitions()
    exchanges = {e["name"] for e in definitions["exchanges"]}
    queues = {q["name"] for q in definitions["queues"]}
    for binding in definitions["bindings"]:
        assert binding["source"] in exchanges and binding["destination"] in queues, binding


def test_consumer_queues_dead_letter_to_the_dlq_and_take_retries_back_by_name() -> None:
    definitions = to_definitions()
    queues = {q["name"]: q for q in definitions["queues"]}
    bindings = {(b["source"], b["destination"], b["routing_key"]) for b in definitions["bindings"]}
    for name in ("arena.projections", "arena.timers", "arena.commands", "judge.requests"):
        assert queues[name]["arguments"]["x-dead-letter-exchange"] == "arena.dead"
        assert ("arena.requeue", name, name) in bindings
    assert ("arena.events", "arena.projections", "#") in bindings
    assert ("arena.events", "arena.timers", "room_player.disconnected") in bindings
    assert ("arena.work", "arena.commands", "judge.results") in bindings
    assert ("arena.dead", "arena.dlq", "") in bindings


def test_each_delay_tier_holds_one_ttl_and_dead_letters_back_at_least_once() -> None:
    queues = {q["name"]: q["arguments"] for q in to_definitions()["queues"]}
    for tier in DELAY_TIERS_MS:
        arguments = queues[f"arena.delay.{tier}"]
        assert arguments["x-message-ttl"] == tier
        assert arguments["x-dead-letter-exchange"] == "arena.requeue"
        assert arguments["x-dead-letter-strategy"] == "at-least-once"


def test_adding_a_consumer_queue_is_one_entry() -> None:
    topology = Topology(consumers=(ConsumerQueue("arena.live", events=("battle.*",)),))
    definitions = to_definitions(topology)
    assert "arena.live" in {q["name"] for q in definitions["queues"]}
    assert {"arena.events", "arena.requeue"} <= {
        b["source"] for b in definitions["bindings"] if b["destination"] == "arena.live"}


def test_a_prefix_renames_everything_so_tests_can_share_a_broker() -> None:
    definitions = to_definitions(Topology(prefix="t1."))
    names = [e["name"] for e in definitions["exchanges"]] + [q["name"] for q in definitions["queues"]]
    assert all(name.startswith("t1.") for name in names)
    dead_letter_targets = {q["arguments"].get("x-dead-letter-exchange") for q in definitions["queues"]}
    assert dead_letter_targets <= {None, "t1.arena.dead", "t1.arena.requeue"}


@pytest.mark.parametrize(("remaining_ms", "tier"), [
    (50, 100), (100, 100), (999, 100), (1_000, 1_000), (299_000, 120_000), (10**9, 21_600_000)])
def test_a_delay_hops_on_the_longest_tier_that_fits_and_never_delivers_early(
        remaining_ms: float, tier: int) -> None:
    assert Topology().tier_for(remaining_ms) == tier


def test_an_unknown_consumer_queue_is_refused() -> None:
    with pytest.raises(KeyError):
        routed_topology().consumer_queue("arena.nope")


ACCESS = DEFINITIONS.with_name("access.sh")
README = DEFINITIONS.with_name("README.md")


def test_finding_8_access_script_is_what_the_routing_table_renders() -> None:
    from arena.bus.access import rabbitmqctl_script
    from arena.handlers.routing import access

    assert ACCESS.read_text() == rabbitmqctl_script(routed_topology(), access()), (
        "regenerate it: python -m arena.handlers.routing --access > infra/rabbitmq/access.sh")


def test_finding_8_the_readme_table_lists_each_process_user_as_the_code_grants_it() -> None:
    from arena.handlers.routing import access

    rows = {}
    for line in README.read_text().splitlines():
        # cells split on unescaped pipes; `\|` is markdown's escape for a pipe inside a cell
        cells = [cell.strip().strip("`").replace("\\|", "|")
                 for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if line.startswith("| arena-"):
            rows[cells[0]] = tuple(cells[2:5])
    assert rows == {g.user: (g.configure, g.write, g.read) for g in access()}


def test_finding_8_no_process_user_may_configure_or_write_events_but_the_relay() -> None:
    from arena.handlers.routing import access

    for grant in access():  # the API configures only its own exclusive live queues (ADR 24)
        assert grant.configure == ("^arena\\.live\\..*$" if grant.user == "arena-api" else "^$"), grant.user
        assert ("arena\\.events" in grant.write) == (grant.user == "arena-relay"), grant.user


def test_finding_8_the_unrouted_exchange_is_the_alternate_of_events_and_work_by_policy() -> None:
    definitions = to_definitions()
    [policy] = definitions["policies"]
    assert policy["apply-to"] == "exchanges"
    assert policy["definition"] == {"alternate-exchange": "arena.unrouted"}
    assert {e["name"] for e in definitions["exchanges"] if re.match(policy["pattern"], e["name"])} == {
        "arena.events", "arena.work"}
    assert all(e["arguments"] == {} for e in definitions["exchanges"])  # existing brokers redeclare fine
    assert ("arena.unrouted", "arena.unrouted") in {(b["source"], b["destination"]) for b in definitions["bindings"]}
