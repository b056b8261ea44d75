"""Execute a notebook in a fresh kernel with a per-cell and a whole-notebook time limit."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ExecutionResult:
    """Outcome of executing a notebook.

    Attributes
    ----------
    nb : NotebookNode
        The executed notebook (with outputs).
    errors : list of dict
        ``{"cell": index, "ename": ..., "evalue": ...}`` for each cell that raised.
    timed_out : list of int
        Cells stopped by the per-cell timeout.
    skipped : list of int
        Cells not run because the whole-notebook limit was reached.
    kernel_died : bool
    runtime_s : float
    """

    nb: object
    errors: list = field(default_factory=list)
    timed_out: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    kernel_died: bool = False
    runtime_s: float = 0.0


def kernel_env(extra: dict | None = None) -> dict:
    """Environment for the candidate's kernel: the grader's, minus secrets, plus xaikit paths."""
    from xaikit.datasets import data_dir
    from xaikit.models import cache_dir

    env = {k: v for k, v in os.environ.items()
           if not any(s in k.upper() for s in ("TOKEN", "SECRET", "PASSWORD", "KEY"))}
    env["XAIKIT_DATA_DIR"] = str(data_dir())
    env["XAIKIT_CACHE_DIR"] = str(cache_dir().parent)
    env["MPLBACKEND"] = "agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.update(extra or {})
    return env


def execute(nb, workdir: Path, cell_timeout: int = 120, total_timeout: int = 900,
            env: dict | None = None) -> ExecutionResult:
    """Run every code cell of ``nb`` in a fresh ``python3`` kernel started in ``workdir``.

    A failing cell does not stop the cells after it (``allow_errors``). A cell running longer
    than ``cell_timeout`` seconds is interrupted; after ``total_timeout`` seconds the remaining
    cells are skipped.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    result = ExecutionResult(nb=nb)
    start = time.monotonic()

    class _Client(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                     store_history=True):
            if cell.cell_type == "code" and time.monotonic() - start > total_timeout:
                result.skipped.append(cell_index)
                return cell
            try:
                return await super().async_execute_cell(cell, cell_index, execution_count,
                                                        store_history)
            except CellTimeoutError:
                result.timed_out.append(cell_index)
                return cell

    client = _Client(nb, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
                     interrupt_on_timeout=True, record_timing=False,
                     resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute(cwd=str(workdir), env=env or kernel_env())
    except DeadKernelError:
        result.kernel_died = True
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                result.errors.append({"cell": i, "ename": out.get("ename", ""),
                                      "evalue": str(out.get("evalue", ""))[:500]})
    result.runtime_s = time.monotonic() - start
    return result
