"""What the submission history keeps of a verdict's details: capped, and nothing of an
unexpected shape (a background fold must not stop on one bad verdict)."""

from __future__ import annotations

from arena.projections.verdict_details import COMPILE_OUTPUT_CAP, OUTPUT_CAP, shown_details


def test_the_compilers_message_and_each_tests_facts_are_kept_and_sample_outputs_capped() -> None:
    details = {"compile_output": "x" * (COMPILE_OUTPUT_CAP + 10), "time_ms": 12, "memory_kb": 900, "detail": "",
               "tests": [{"index": 0, "verdict": "AC", "time_ms": 12, "memory_kb": 900, "exit_code": 0,
                          "signal": None, "feedback": "", "output": "y" * (OUTPUT_CAP + 1)},
                         {"index": 1, "verdict": "WA", "time_ms": 3, "memory_kb": 800, "output": None}]}

    shown = shown_details(details)

    assert len(shown["compile_output"]) == COMPILE_OUTPUT_CAP
    assert (shown["time_ms"], shown["memory_kb"]) == (12, 900)
    sample, hidden = shown["tests"]
    assert len(sample["output"]) == OUTPUT_CAP and set(sample) == {"index", "verdict", "time_ms", "memory_kb", "output"}
    assert hidden == {"index": 1, "verdict": "WA", "time_ms": 3, "memory_kb": 800}


def test_an_internal_errors_details_give_no_tests() -> None:
    assert shown_details({"detail": "the sandbox broke"}) == {
        "compile_output": None, "tests": [], "time_ms": None, "memory_kb": None,
        "score": None, "max_score": None, "groups": None}


def test_anything_of_an_unexpected_shape_is_left_out() -> None:
    details = {"compile_output": 5, "time_ms": -1, "memory_kb": 2**40, "tests": [
        "not a test", {"index": "0", "verdict": "AC"}, {"index": 2, "verdict": None},
        {"index": 3, "verdict": "TLE", "time_ms": True, "memory_kb": 1.5, "output": 7}]}

    assert shown_details(details) == {"compile_output": None, "time_ms": None, "memory_kb": None,
                                      "score": None, "max_score": None, "groups": None, "tests": [
        {"index": 3, "verdict": "TLE", "time_ms": None, "memory_kb": None}]}
    assert shown_details(None)["tests"] == [] and shown_details({"tests": {"0": {}}})["tests"] == []


def test_a_scored_verdict_keeps_its_score_maximum_and_each_groups_score() -> None:
    details = {"tests": [], "score": 40.0, "max_score": 100.0, "groups": [
        {"group": "secret/small", "verdict": "AC", "score": 40.0, "max_score": 40.0},
        {"group": "secret/large", "verdict": "WA", "score": 0.0},  # a judge before group maxima
        {"group": "secret", "verdict": "WA", "score": "lots"}, "not a group"]}

    shown = shown_details(details)

    assert (shown["score"], shown["max_score"]) == (40.0, 100.0)
    assert shown["groups"] == [
        {"group": "secret/small", "verdict": "AC", "score": 40.0, "max_score": 40.0},
        {"group": "secret/large", "verdict": "WA", "score": 0.0, "max_score": None}]


def test_a_pass_fail_verdict_or_a_malformed_score_shows_no_score() -> None:
    for details in ({"tests": []}, {"score": True, "max_score": 1}, {"score": float("nan"), "max_score": 1.0},
                    {"score": 1, "max_score": None, "groups": []}):
        assert {k: shown_details(details)[k] for k in ("score", "max_score", "groups")} == {
            "score": None, "max_score": None, "groups": None}
