"""Every `arena` command explains itself (issue 13, item 6): a help line, each option's help, and
the ARENA_* variables it reads, each of them a real setting."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from arena.cli import build_parser
from arena.cli_parser import ArenaParser, variable
from arena.settings import ArenaSettings


def leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ArenaParser]]:
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands:
        yield " ".join(path), parser
    for action in subcommands:
        for name, child in action.choices.items():
            yield from leaves(child, (*path, name))


COMMANDS = dict(leaves(build_parser()))


def test_the_commands_are_all_found() -> None:
    assert {"serve", "token", "db", "demo", "projections rebuild", "ledger verify", "problems import",
            "relay", "worker", "judge", "scheduler", "dlq"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_names_the_variables_it_reads_and_each_is_a_setting(name: str) -> None:
    parser = COMMANDS[name]
    assert isinstance(parser, ArenaParser) and parser.reads is not None, f"`arena {name}` says nothing of what it reads"
    settings = {variable(field) for field in ArenaSettings.model_fields}
    assert {variable(field) for field in parser.reads} <= settings
    assert "reads" in parser.format_help()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_option_says_what_it_does_and_its_default(name: str) -> None:
    for action in COMMANDS[name]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"`arena {name}`: {action.dest} has no help"
    text = COMMANDS[name].format_help()
    for action in COMMANDS[name]._actions:
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            assert f"default: {action.default}" in text or "default" in action.help, (name, action.dest)


def test_the_top_level_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for name in ("serve", "token", "ledger", "problems", "projections", "dlq", "relay", "worker"):
        assert name in text
