"""Root conftest: it applies to the notebooks pytest collects with ``--nbval-lax`` (solutions/,
exercises/, notebooks/) as well as to tests/.

A kernel that dies *while starting*, before it answers ``kernel_info``, is started again (up to
three attempts). On this machine a freshly spawned python process occasionally segfaults inside
libc before it runs any code (the system log shows ``python[...]: segfault at 0 ... in
libc.so.6``, 18 times in 7 hours of heavy notebook use), and one such start failed a whole CI run
on a notebook that had nothing wrong. A kernel that dies while running a cell is not retried:
that is the notebook's failure and must stay visible.
"""
from __future__ import annotations

import logging

ATTEMPTS = 3


def _retrying(start):
    def start_new_kernel(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError as e:  # "Kernel died before replying to kernel_info", ...
                if attempt == ATTEMPTS:
                    raise
                logging.getLogger("nbval").warning("kernel start failed (%s); attempt %d of %d",
                                                   e, attempt + 1, ATTEMPTS)
    start_new_kernel.__wrapped__ = start
    return start_new_kernel


def pytest_configure(config):
    try:
        import nbval.kernel
    except ImportError:  # nbval is a test dependency; without it there are no notebook items
        return
    if not hasattr(nbval.kernel.start_new_kernel, "__wrapped__"):
        nbval.kernel.start_new_kernel = _retrying(nbval.kernel.start_new_kernel)
