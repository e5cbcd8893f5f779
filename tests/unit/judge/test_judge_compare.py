from arena.judge.compare import OutputRules, outputs_match, tolerance


def test_identical_output_is_accepted():
    assert outputs_match(b"3\n", b"3\n")


def test_whitespace_differences_do_not_matter():
    assert outputs_match(b"1 2\n3\n", b"  1\t2 3  \n\n\n")


def test_missing_trailing_newline_is_accepted():
    assert outputs_match(b"42\n", b"42")


def test_a_different_token_is_rejected():
    assert not outputs_match(b"1 2 3\n", b"1 2 4\n")


def test_an_extra_token_is_rejected():
    assert not outputs_match(b"1 2\n", b"1 2 3\n")


def test_empty_output_matches_only_an_empty_answer():
    assert outputs_match(b"\n", b"")
    assert not outputs_match(b"0\n", b"")


def test_comparison_is_case_sensitive():
    assert not outputs_match(b"YES\n", b"yes\n")


def test_without_tolerance_numbers_compare_as_text():
    assert not outputs_match(b"0.5\n", b"0.50\n")


def test_float_within_absolute_tolerance_is_accepted():
    assert outputs_match(b"0.333333\n", b"0.3333\n", tolerance(1e-3))


def test_float_within_relative_tolerance_is_accepted():
    assert outputs_match(b"1000000\n", b"1000100\n", tolerance(1e-3))


def test_float_outside_tolerance_is_rejected():
    assert not outputs_match(b"1.0\n", b"1.01\n", tolerance(1e-3))


def test_tolerance_never_makes_words_equal_to_numbers():
    assert not outputs_match(b"1.0\n", b"one\n", tolerance(0.5))
    assert outputs_match(b"x 1.0\n", b"x 1.0001\n", tolerance(1e-3))


def test_nan_and_infinity_must_match_literally():
    assert not outputs_match(b"1.0\n", b"nan\n", tolerance(0.5))
    assert not outputs_match(b"1e308\n", b"inf\n", tolerance(0.5))
    assert outputs_match(b"inf\n", b"inf\n", tolerance(0.5))


def test_scientific_notation_reads_as_a_number_under_tolerance():
    assert outputs_match(b"0.00001\n", b"1e-5\n", tolerance(1e-9))


def test_without_case_sensitive_letters_match_in_any_case():
    assert outputs_match(b"YES\n", b"yes\n", OutputRules(case_sensitive=False))


def test_space_change_sensitive_refuses_other_whitespace_but_keeps_tokens():
    rules = OutputRules(space_change_sensitive=True)
    assert outputs_match(b"1 2\n3\n", b"1 2\n3\n", rules)
    assert not outputs_match(b"1 2\n3\n", b"1  2\n3\n", rules)
    assert not outputs_match(b"1 2\n", b"1 2", rules)


def test_absolute_and_relative_tolerances_apply_separately():
    assert outputs_match(b"1000000\n", b"1000100\n", OutputRules(relative_tolerance=1e-3))
    assert not outputs_match(b"1000000\n", b"1000100\n", OutputRules(absolute_tolerance=1e-3))
    assert outputs_match(b"0.5\n", b"0.5004\n", OutputRules(absolute_tolerance=1e-3))
