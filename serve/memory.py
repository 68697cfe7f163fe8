"""Keeping a long run's resident memory close to what it uses (glibc and Arrow allocators).

glibc keeps freed blocks in its heap, and the size from which it maps blocks on their own (and
unmaps them when freed) adapts upwards, to 32 MiB, whenever such a block is freed; after a few
chunks most temporaries then come from a heap that only grows. Without the two calls below a
5-million-row run held about 1 GB of freed memory.
"""

from __future__ import annotations

import ctypes
from functools import cache

import pyarrow as pa

M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter: the block size from which blocks are mapped on their own."""
MAPPED_FROM_BYTES = 1 << 20
"""Blocks of 1 MiB or more (the state's arrays, a chunk's text columns) are mapped and given
back when freed. Mapping smaller ones too costs page faults: a tenth more time at 256 KiB."""


def map_large_blocks() -> None:
    """From now on, give blocks of ``MAPPED_FROM_BYTES`` or more back as soon as they are
    freed (glibc; nothing elsewhere). Affects the whole process."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, MAPPED_FROM_BYTES)


def release_free_memory() -> None:
    """Return memory that is free but still held to the system: Arrow's pool, and glibc's
    heap (``malloc_trim``), where small freed blocks between live ones would stay resident."""
    pa.default_memory_pool().release_unused()
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


@cache
def _libc() -> ctypes.CDLL:
    """The C library's functions, as linked into this process."""
    return ctypes.CDLL(None)
