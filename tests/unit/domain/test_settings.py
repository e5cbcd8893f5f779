"""BattleSettings: what a battle may be configured with, and the hash its lobby locks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from arena.domain.settings import BattleSettings, config_hash


def refusal(**fields) -> str:
    with pytest.raises(ValidationError) as refused:
        BattleSettings(**{"title": "t", **fields})
    return str(refused.value)


def test_only_a_title_is_needed_the_rest_has_defaults() -> None:
    settings = BattleSettings(title="Friday battle")

    assert settings.duration_s == 3600
    assert settings.languages == ("python",)
    assert settings.scoring == "icpc"
    assert settings.max_players == 50
    assert settings.start_at is None


def test_a_title_is_required_and_not_empty() -> None:
    with pytest.raises(ValidationError, match="title"):
        BattleSettings()
    assert "title" in refusal(title="")


def test_empty_languages_are_refused() -> None:
    assert "at least one language" in refusal(languages=())


@pytest.mark.parametrize("language", ["Python", "1c", "", "py thon", "a" * 21])
def test_a_language_that_is_not_a_language_id_is_refused(language: str) -> None:
    assert "not a language id" in refusal(languages=("python", language))


def test_repeated_languages_are_kept_once_in_their_first_order() -> None:
    settings = BattleSettings(title="t", languages=["c", "python", "c", "c++"])

    assert settings.languages == ("c", "python", "c++")


@pytest.mark.parametrize("scoring", ["elo", "ICPC", ""])
def test_scoring_other_than_icpc_or_points_is_refused(scoring: str) -> None:
    assert "scoring" in refusal(scoring=scoring)


@pytest.mark.parametrize("duration_s", [59, 7 * 24 * 3600 + 1])
def test_a_duration_outside_one_minute_to_one_week_is_refused(duration_s: int) -> None:
    assert "duration_s" in refusal(duration_s=duration_s)


@pytest.mark.parametrize("max_players", [0, 100_001])
def test_max_players_outside_one_to_a_hundred_thousand_is_refused(max_players: int) -> None:
    assert "max_players" in refusal(max_players=max_players)


def test_start_at_without_a_timezone_is_refused() -> None:
    assert "start_at needs a timezone" in refusal(start_at=datetime(2026, 12, 1, 18, 0))
    assert "start_at needs a timezone" in refusal(start_at="2026-12-01T18:00:00")


def test_start_at_with_a_timezone_is_kept() -> None:
    at = datetime(2026, 12, 1, 18, 0, tzinfo=timezone(timedelta(hours=1)))

    assert BattleSettings(title="t", start_at=at).start_at == at


def test_unknown_fields_are_refused() -> None:
    assert "colour" in refusal(colour="red")


def test_settings_are_frozen() -> None:
    settings = BattleSettings(title="t")

    with pytest.raises(ValidationError):
        settings.title = "changed"  # type: ignore[misc]


def test_settings_survive_a_round_trip_through_their_dump() -> None:
    settings = BattleSettings(title="t", languages=("c", "python"), scoring="points",
                              start_at=datetime(2026, 12, 1, 18, tzinfo=timezone.utc))

    assert BattleSettings(**settings.model_dump()) == settings
    assert BattleSettings(**settings.model_dump(mode="json")) == settings


def test_the_config_hash_does_not_depend_on_the_order_of_problems() -> None:
    settings = BattleSettings(title="t")

    assert config_hash(settings, {"a": "1" * 64, "b": "2" * 64}) == \
        config_hash(settings, {"b": "2" * 64, "a": "1" * 64})


def test_the_config_hash_changes_with_any_setting_or_problem_hash() -> None:
    settings = BattleSettings(title="t")
    problems = {"a": "1" * 64}
    reference = config_hash(settings, problems)

    assert config_hash(settings.model_copy(update={"title": "u"}), problems) != reference
    assert config_hash(settings.model_copy(update={"max_players": 3}), problems) != reference
    assert config_hash(settings, {"a": "3" * 64}) != reference
    assert config_hash(settings, {"b": "1" * 64}) != reference
    assert config_hash(settings, {}) != reference
