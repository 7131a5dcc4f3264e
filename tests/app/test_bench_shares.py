"""`make bench` says what the workers did with a row's time: ran, waited for a CPU, or neither.

A slow row with workers that waited for a CPU is a busy machine; one with workers that did
neither is a lock, the disk or an idle worker. The split has to add up, and must not invent
figures where the kernel keeps none.
"""

from __future__ import annotations

import os

import pytest

from bench.run import scheduler_seconds, time_shares


def test_the_shares_split_the_workers_wall_time() -> None:
    # Two workers for 10 s: 12 s on a CPU, 4 s waiting for one, the rest neither.
    shares = time_shares((1.0, 2.0), (13.0, 6.0), 10.0, 2)
    assert shares == pytest.approx((0.6, 0.2, 0.2))


def test_no_shares_without_figures_or_time() -> None:
    assert time_shares(None, (1.0, 1.0), 10.0, 2) is None
    assert time_shares((1.0, 1.0), None, 10.0, 2) is None
    assert time_shares((1.0, 1.0), (2.0, 2.0), 0.0, 2) is None
    assert time_shares((1.0, 1.0), (2.0, 2.0), 10.0, 0) is None


def test_neither_is_never_below_zero() -> None:
    # Counters read a moment apart from the wall clock can overshoot it a little.
    shares = time_shares((0.0, 0.0), (10.5, 0.0), 5.0, 2)
    assert shares is not None
    assert shares[2] == 0.0


def test_a_live_process_has_figures_and_a_gone_one_none() -> None:
    if not os.path.exists(f"/proc/{os.getpid()}/task"):
        pytest.skip("no /proc here")
    figures = scheduler_seconds([os.getpid()])
    if figures is not None:  # None: a kernel without schedstat
        ran, waited = figures
        assert ran > 0
        assert waited >= 0
    assert scheduler_seconds([]) == (0.0, 0.0)
    assert scheduler_seconds([2**22 + 1]) == (0.0, 0.0)  # above Linux's largest pid
