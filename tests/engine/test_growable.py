"""Arrays that grow in place: a later version appends, the earlier one never sees it."""

from __future__ import annotations

import threading

import numpy as np

from watchcube.engine import growable


def test_appending_writes_into_the_room_of_the_last_version_only() -> None:
    first = growable.concatenate(np.arange(60), np.arange(60, 80))  # a plain array: copied
    second = growable.concatenate(first, np.array([80, 81]))
    assert np.shares_memory(first, second)  # appended in place
    assert first.tolist() == list(range(80)) and second.tolist() == list(range(82))
    branch = growable.concatenate(first, np.array([-1]))  # the room after `first` is taken
    assert not np.shares_memory(branch, second)
    assert branch.tolist() == [*range(80), -1] and second.tolist() == list(range(82))
    third = growable.concatenate(second, np.array([82]))
    assert np.shares_memory(second, third) and third.tolist() == list(range(83))


def test_arrays_outgrow_their_room_by_copying() -> None:
    values = growable.copy(np.zeros(16, np.int32))
    assert growable.held_bytes(values) == (16 + 16 // growable.ROOM) * 4
    grown = growable.concatenate(values, np.ones(100, np.int32))
    assert not np.shares_memory(values, grown)
    assert grown.dtype == np.int32 and grown.sum() == 100
    assert growable.take(np.array([5, 6, 7]), np.array([2, 0])).tolist() == [7, 5]


def test_one_of_concurrent_appends_gets_the_room() -> None:
    base = growable.copy(np.zeros(1_000, np.int64))
    results: list[np.ndarray] = []
    lock = threading.Lock()

    def append(value: int) -> None:
        grown = growable.concatenate(base, np.full(10, value))
        with lock:
            results.append(grown)

    threads = [threading.Thread(target=append, args=(value,)) for value in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sum(np.shares_memory(base, grown) for grown in results) == 1
    assert sorted(int(grown[-1]) for grown in results) == list(range(1, 9))
    assert all((grown[-10:] == grown[-1]).all() and not grown[:1_000].any() for grown in results)
