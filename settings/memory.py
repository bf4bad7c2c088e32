"""Handing freed memory back to the system between the steps of one run process."""


def return_memory() -> None:
    """Hand freed pandas and Arrow buffers back to the system: glibc's and Arrow's allocators
    otherwise keep them with this process (ingest, then the gates) while dbt runs beside it (issue 7)."""
    import ctypes
    import gc

    gc.collect()
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except Exception:  # an allocator without the call: nothing to release
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
