"""Start-up freezes what it made and raises the collector's first threshold (a setting)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app.gc_tuning import tune_garbage_collector


@pytest.fixture
def restored_thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_the_served_app_runs_with_the_configured_threshold(app: object) -> None:
    # The session's app went through its lifespan with the default setting.
    assert gc.get_threshold()[0] == 5_000
    assert gc.get_freeze_count() > 0


def test_the_first_threshold_is_set_and_the_others_kept(
    restored_thresholds: tuple[int, int, int],
) -> None:
    gc.set_threshold(700, 11, 12)
    tune_garbage_collector(1234)
    assert gc.get_threshold() == (1234, 11, 12)
    assert gc.get_freeze_count() > 0


def test_zero_keeps_pythons_thresholds(restored_thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(700, 10, 10)
    tune_garbage_collector(0)
    assert gc.get_threshold() == (700, 10, 10)
