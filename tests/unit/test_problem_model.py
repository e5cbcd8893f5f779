"""The problem document: Markdown with YAML front matter, parsed strictly, rendered canonically."""

from __future__ import annotations

import pytest

from arena.problems.model import Problem, ProblemFormatError, TestCase, content_hash, parse_markdown, render_markdown

DOCUMENT = """---
title: Sum of two numbers
slug: sum-two
time_limit_ms: 2000
memory_mb: 64
points: 250
samples:
  - {input: "1 2\\n", output: "3\\n", name: small}
tests:
  - {input: "1000000 1000000\\n", output: "2000000\\n"}
  - {input: "-1 1\\n", output: "0\\n", name: negative}
---

Read two integers and print their **sum**.

    example: 1 2 -> 3
"""


def front(**fields: object) -> str:
    base = {"title": "T", "slug": "t", "tests": "[{input: '1', output: '1'}]"}  # a problem needs a test
    lines = [f"{key}: {value}" for key, value in {**base, **fields}.items()]
    return "---\n" + "\n".join(lines) + "\n---\nStatement.\n"


def format_error(document: str) -> ProblemFormatError:
    with pytest.raises(ProblemFormatError) as refused:
        parse_markdown(document)
    return refused.value


def test_a_document_is_parsed_into_limits_points_samples_hidden_tests_and_statement() -> None:
    problem = parse_markdown(DOCUMENT)

    assert (problem.title, problem.slug) == ("Sum of two numbers", "sum-two")
    assert (problem.time_limit_ms, problem.memory_mb, problem.points) == (2000, 64, 250)
    assert problem.samples == (TestCase(input="1 2\n", output="3\n", name="small"),)
    assert [case.name for case in problem.tests] == ["", "negative"]
    assert problem.statement.startswith("Read two integers")
    assert problem.statement.endswith("example: 1 2 -> 3\n")


def test_hidden_tests_are_kept_apart_from_samples_and_run_after_them() -> None:
    problem = parse_markdown(DOCUMENT)

    assert not set(problem.tests) & set(problem.samples)
    assert problem.all_tests == problem.samples + problem.tests
    assert problem.all_tests[0].name == "small"


def test_a_problem_with_no_test_is_refused() -> None:
    assert format_error("---\ntitle: T\nslug: t\n---\nNothing to judge.\n").field == "tests"


def test_limits_and_points_have_defaults() -> None:
    problem = parse_markdown(front())

    assert (problem.time_limit_ms, problem.memory_mb, problem.points) == (1000, 256, 100)
    assert (problem.samples, len(problem.tests), problem.float_tolerance) == ((), 1, None)


def test_render_then_parse_gives_the_same_problem() -> None:
    problem = parse_markdown(DOCUMENT)

    assert parse_markdown(render_markdown(problem)) == problem


def test_rendering_is_canonical_so_its_hash_is_stable() -> None:
    rendered = render_markdown(parse_markdown(DOCUMENT))

    assert render_markdown(parse_markdown(rendered)) == rendered
    assert content_hash(rendered.encode()) == content_hash(render_markdown(parse_markdown(rendered)).encode())
    assert len(content_hash(rendered.encode())) == 64


def test_awkward_yaml_strings_survive_the_round_trip() -> None:
    cases = (
        TestCase(input="x\n---\ny\n", output="  leading spaces\n\n", name="dashes"),
        TestCase(input="a: b", output="- c"),
        TestCase(input="yes", output="null"),
        TestCase(input="0x1F", output="~"),
        TestCase(input="ü ✓ #", output="'quoted'"),
    )
    problem = Problem(title="Sum: two # numbers", slug="sum-2", float_tolerance=1e-6,
                      samples=cases[:2], tests=cases[2:], statement="Add.\n\n---\n\nMore.\n")

    assert parse_markdown(render_markdown(problem)) == problem


@pytest.mark.parametrize("case", [TestCase(input="", output="42\n"), TestCase(input="1\n", output="")])
def test_a_test_case_with_empty_input_or_output_survives_the_round_trip(case: TestCase) -> None:
    problem = Problem(title="T", slug="t", samples=(case,), statement="S.\n")

    assert parse_markdown(render_markdown(problem)) == problem


def test_a_statement_that_opens_with_an_indented_code_block_keeps_it() -> None:
    problem = parse_markdown(front().replace("Statement.\n", "    int main() {}\n\nWrite it.\n"))

    assert problem.statement.startswith("    int main() {}")


# --- refusals, each naming its field ----------------------------------------------------------

def test_a_document_without_front_matter_is_refused() -> None:
    assert format_error("# Sum\n\nAdd two numbers.\n").field == "front_matter"
    assert format_error("").field == "front_matter"
    assert format_error("---\ntitle: T\nslug: t\n").field == "front_matter"  # never closed


def test_front_matter_that_is_not_a_mapping_is_refused() -> None:
    error = format_error("---\n- title\n- slug\n---\nS.\n")

    assert (error.field, error.message) == ("front_matter", "must be a mapping")


def test_front_matter_that_is_not_yaml_is_refused() -> None:
    error = format_error("---\ntitle: [unclosed\n---\nS.\n")

    assert error.field == "front_matter"
    assert "invalid YAML" in error.message


def test_a_missing_title_is_refused_by_name() -> None:
    assert format_error("---\nslug: t\n---\nS.\n").field == "title"


def test_a_missing_slug_is_refused_by_name() -> None:
    assert format_error("---\ntitle: T\n---\nS.\n").field == "slug"


@pytest.mark.parametrize("slug", ["Sum", "sum_two", "-sum", "a" * 65, "'sum two'"])
def test_a_bad_slug_is_refused_by_name(slug: str) -> None:
    assert format_error(front(slug=slug)).field == "slug"


@pytest.mark.parametrize("field, value", [
    ("points", -1), ("time_limit_ms", 10), ("memory_mb", 100_000), ("float_tolerance", 0),
])
def test_out_of_range_numbers_are_refused_by_name(field: str, value: int) -> None:
    assert format_error(front(**{field: value})).field == field


def test_negative_points_are_refused() -> None:
    error = format_error(front(points=-5))

    assert error.field == "points"
    assert str(error).startswith("points: ")


def test_an_unknown_field_is_refused_by_name() -> None:
    assert format_error(front(difficulty="hard")).field == "difficulty"


def test_the_statement_cannot_be_given_in_the_front_matter() -> None:
    assert format_error(front(statement="Add.")).field == "statement"


def test_a_hidden_test_without_expected_output_is_refused_by_its_position() -> None:
    error = format_error(front(tests='[{input: "1"}, {output: "2"}]'))

    assert error.field == "tests.0.output"


def test_a_sample_with_an_unknown_key_is_refused_by_its_position() -> None:
    error = format_error(front(samples='[{input: "1", output: "1", weight: 2}]'))

    assert error.field == "samples.0.weight"


def test_front_matter_with_non_string_keys_is_refused() -> None:
    assert format_error("---\ntitle: T\nslug: t\n1: 2\n---\nS.\n").field == "front_matter"


# --- issue 10: control characters (finding 1) and YAML that used to be a 500 (finding 7) ------

@pytest.mark.parametrize("field, value", [
    ("title", '"Sum\\0"'), ("title", '"Sum\\x1b[31m"'), ("slug", '"sum\\0"'), ("slug", '"sum\\n"'),
])
def test_finding_1_a_control_character_in_a_title_or_slug_is_refused_by_name(field: str, value: str) -> None:
    error = format_error(front(**{field: value}))

    assert error.field == field
    assert "control character" in error.message


def test_finding_1_a_control_character_in_the_statement_is_refused_but_tabs_and_newlines_are_text() -> None:
    assert format_error(front().replace("Statement.\n", "Add\x07 them.\n")).field == "statement"
    assert parse_markdown(front().replace("Statement.\n", "Add\tthem.\r\nNow.\n")).statement == "Add\tthem.\r\nNow.\n"


@pytest.mark.parametrize("case, field", [
    ('{input: "1\\0", output: "1"}', "tests.0.input"),
    ('{input: "1", output: "\\x01"}', "tests.0.output"),
    ('{input: "1", output: "1", name: "a\\nb"}', "tests.0.name"),
])
def test_finding_1_a_control_character_in_test_data_is_refused_by_its_position(case: str, field: str) -> None:
    assert format_error(front(tests=f"[{case}]")).field == field


def test_finding_1_test_data_may_hold_tabs_newlines_and_carriage_returns() -> None:
    problem = parse_markdown(front(tests='[{input: "1\\t2\\r\\n", output: "3\\n"}]'))

    assert problem.tests[0].input == "1\t2\r\n"


def test_finding_7_front_matter_nested_50000_deep_is_refused_not_a_recursion_error() -> None:
    error = format_error("---\ntitle: T\nslug: t\nx: " + "[" * 50_000 + "]" * 50_000 + "\n---\nS.\n")

    assert error.field == "front_matter"
    assert "nested more than" in error.message


def test_finding_7_front_matter_aliases_are_refused_so_a_few_lines_cannot_stand_for_billions() -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"

    assert "aliases" in format_error("---\ntitle: T\nslug: t\n" + laughs + "---\nS.\n").message


@pytest.mark.parametrize("value", ["2024-13-45", "1" * 5000])
def test_finding_7_yaml_values_python_cannot_construct_are_refused(value: str) -> None:
    assert format_error(front(points=value)).field in ("front_matter", "points")


def test_finding_7_a_yaml_error_is_one_line_with_its_position() -> None:
    error = format_error("---\ntitle: [unclosed\n---\nS.\n")

    assert "\n" not in str(error) and "line 1" in error.message
