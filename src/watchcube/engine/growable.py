"""Arrays that grow at the end in place, shared by the frames of successive versions.

Extending a million-record frame by a thousand records must not copy its arrays: the
copies, and the fresh memory pages they touch, would cost more than all the other work.
So the arrays of an extended frame are views of the first n elements of buffers with room
to spare, and the next version writes its new elements into that room and views n + k.
A frame never looks past its own length, so the older version's arrays stay exactly as
they were. Only one extension can use a buffer's room, the first to claim it; extending
the same frame again (two versions made from one, which is rare) copies.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Final

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]
ROOM: Final = 8  # a buffer has room for 1/ROOM more elements than it is made for

_lock = threading.Lock()
_written: dict[int, int] = {}  # id of a buffer -> the length of its longest view given out


def empty(size: int, dtype: np.dtype[Any]) -> Array:
    """An uninitialized array of ``size`` elements, with room to grow in place."""
    buffer = np.empty(size + size // ROOM, dtype)
    key = id(buffer)
    _written[key] = size
    # Forget the buffer with it; dict.pop is atomic, so this may run inside the lock.
    weakref.finalize(buffer, _written.pop, key, None)
    return buffer[:size]


def copy(values: Array) -> Array:
    """``values`` in a new array with room to grow."""
    result = empty(len(values), values.dtype)
    result[...] = values
    return result


def take(table: Array, index: Array) -> Array:
    """``table[index]`` in a new array with room to grow."""
    return np.take(table, index, out=empty(len(index), table.dtype))


def concatenate(old: Array, new: Array) -> Array:
    """``old`` then ``new``, written after ``old`` in place when its buffer's room is free."""
    size = len(old) + len(new)
    buffer = old.base
    if (
        isinstance(buffer, np.ndarray)
        and buffer.dtype == old.dtype
        and old.flags.c_contiguous
        and old.ctypes.data == buffer.ctypes.data
        and size <= len(buffer)
    ):
        with _lock:
            claimed = _written.get(id(buffer)) == len(old)
            if claimed:
                _written[id(buffer)] = size
        if claimed:
            buffer[len(old) : size] = new
            return buffer[:size]
    result = empty(size, old.dtype)
    result[: len(old)] = old
    result[len(old) :] = new
    return result


def held_bytes(values: Array) -> int:
    """Memory ``values`` keeps alive: its whole buffer, room included."""
    buffer = values.base
    return buffer.nbytes if isinstance(buffer, np.ndarray) else values.nbytes
