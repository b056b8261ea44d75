"""Execute a notebook in a fresh, sandboxed kernel with per-cell and whole-notebook time limits.

The kernel is started behind :mod:`xaikit.grading.sandbox` (rlimits, scrubbed environment,
private temporary folder, bubblewrap where it works) and talks to this process over ZeroMQ ipc
sockets in that folder. Outputs are size-capped here, in the grader, so a cell printing
gigabytes cannot fill the grader's memory or the report.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field

from xaikit.grading.sandbox import Sandbox, describe_exit

#: Bytes of output kept per cell and per notebook; the rest is dropped (flag ``huge_output``).
MAX_CELL_OUTPUT = 2_000_000
MAX_TOTAL_OUTPUT = 20_000_000
#: After a timeout the kernel is interrupted; if it does not answer within this many seconds it
#: is considered stuck (e.g. it ignores SIGINT) and killed.
INTERRUPT_GRACE_S = 8


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
        Code cells not run (whole-notebook limit reached, or the kernel died or was stuck).
    kernel_died : bool
    kernel_exit : str
        How the kernel process ended when it died ('exit code 3', 'killed by signal SIGKILL').
    stuck : bool
        The kernel ignored an interrupt after a timeout and was killed.
    truncated : dict
        ``{cell index: bytes dropped}`` for cells whose output exceeded the caps.
    total_timeout_hit : bool
    startup_error : str or None
        The kernel could not start (the message says why).
    runtime_s : float
    """

    nb: object
    errors: list = field(default_factory=list)
    timed_out: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    kernel_died: bool = False
    kernel_exit: str = ""
    stuck: bool = False
    truncated: dict = field(default_factory=dict)
    total_timeout_hit: bool = False
    startup_error: str | None = None
    kernel_log: str = ""
    process_limit_hit: bool = False
    died_in: int | None = None
    runtime_s: float = 0.0
    recoveries: list = field(default_factory=list)
    disk_limit_hit: bool = False
    disk_used_mb: float = 0.0


class _Stop(Exception):
    """Stop executing the remaining cells (kernel stuck or gone)."""


def _kernel_manager_class(sandbox: Sandbox):
    from jupyter_client.manager import AsyncKernelManager

    class SandboxedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file,
                   "--HistoryManager.enabled=False", "--IPKernelApp.parent_handle=0"]
            return sandbox.wrap(cmd)

        async def interrupt_kernel(self):
            """Interrupt by message: ipykernel signals itself. A signal to the process group
            would also hit bubblewrap's monitor process and end the sandbox."""
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

        def write_connection_file(self, **kwargs):
            super().write_connection_file(**kwargs)
            if sandbox.uid is not None:
                os.chown(self.connection_file, sandbox.uid, sandbox.uid)

    return SandboxedKernelManager


def execute(nb, sandbox: Sandbox, cell_timeout: int = 120, total_timeout: int = 900,
            env: dict | None = None, grader_cells: tuple = ()) -> ExecutionResult:
    """Run every code cell of ``nb`` in a fresh sandboxed ``python3`` kernel.

    A failing cell does not stop the cells after it. A cell running longer than
    ``cell_timeout`` seconds is interrupted (and the kernel killed if it does not stop); after
    ``total_timeout`` seconds the remaining cells are skipped. Cells whose index is in
    ``grader_cells`` are the grader's own: run without history and never skipped for time.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    result = ExecutionResult(nb=nb)
    start = time.monotonic()
    sizes = {"total": 0}
    state = {"stop": False, "deadline": None}

    def remaining():
        # the notebook's clock starts with its first cell (kernel start-up has its own limit)
        if state["deadline"] is None:
            state["deadline"] = time.monotonic() + total_timeout
        return state["deadline"] - time.monotonic()

    from xaikit.grading.replies import ReplyRecovery

    class _Client(ReplyRecovery, NotebookClient):
        def process_message(self, msg, cell, cell_index):
            kind = msg["msg_type"]
            if kind in ("stream", "display_data", "execute_result", "update_display_data",
                        "error"):
                content = msg["content"]
                n = len(content.get("text", "")) + sum(
                    len(v) if isinstance(v, str) else len(str(v))
                    for v in (content.get("data") or {}).values())
                n += sum(len(t) for t in content.get("traceback", []) or [])
                used = sizes.get(cell_index, 0)
                if used + n > MAX_CELL_OUTPUT or sizes["total"] + n > MAX_TOTAL_OUTPUT:
                    if kind != "error" or n > MAX_CELL_OUTPUT:
                        result.truncated[cell_index] = result.truncated.get(cell_index, 0) + n
                        return None
                sizes[cell_index] = used + n
                sizes["total"] += n
            return super().process_message(msg, cell, cell_index)

        async def _wait_after_interrupt(self):
            """Wait for the interrupted cell's reply; False if the kernel stays busy."""
            end = time.monotonic() + INTERRUPT_GRACE_S
            while time.monotonic() < end:
                try:
                    msg = await self.kc.shell_channel.get_msg(timeout=0.5)
                except Exception:
                    if not await self.kc.is_alive():
                        return False
                    continue
                if msg.get("msg_type") == "execute_reply":
                    return True
            return False

        async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                     store_history=True):
            if cell.cell_type != "code":
                return cell
            grader = cell_index in grader_cells
            if state["stop"] or (not grader and remaining() <= 0):
                if not state["stop"] and remaining() <= 0:
                    result.total_timeout_hit = True
                result.skipped.append(cell_index)
                return cell
            try:
                return await super().async_execute_cell(cell, cell_index, execution_count,
                                                        store_history and not grader)
            except CellTimeoutError:
                result.timed_out.append(cell_index)
                if remaining() <= 1:
                    result.total_timeout_hit = True
                from nbformat.v4 import new_output

                limit = min(cell_timeout, max(1, int(remaining() + 1)))
                cell.outputs.append(new_output(
                    "error", ename="CellTimeoutError",
                    evalue=f"stopped by the grader after {limit} s", traceback=[]))
                try:
                    await self.km.interrupt_kernel()
                except Exception:
                    pass
                if not await self._wait_after_interrupt():
                    result.stuck = True
                    state["stop"] = True
                return cell
            except DeadKernelError:
                result.kernel_died = True
                result.died_in = cell_index
                state["stop"] = True
                return cell

    def timeout_func(cell):
        return max(1, min(cell_timeout, int(remaining()) + 1))

    km = _kernel_manager_class(sandbox)(transport="ipc", ip=str(sandbox.run / "k"),
                                        connection_file=str(sandbox.run / "kernel.json"))
    client = _Client(nb, km=km, timeout_func=timeout_func, allow_errors=True,
                     interrupt_on_timeout=False, record_timing=False, startup_timeout=60,
                     iopub_timeout=4, raise_on_iopub_timeout=False,
                     resources={"metadata": {"path": str(sandbox.work)}})

    def _watchdog():  # hard stop, should nbclient itself hang
        result.total_timeout_hit = True
        state["stop"] = True
        _kill(km, sandbox)

    timer = threading.Timer(total_timeout + 2 * INTERRUPT_GRACE_S + 120, _watchdog)
    timer.daemon = True
    timer.start()
    stop_counting = threading.Event()
    if sandbox.uid is None and os.geteuid() == 0 and sys.platform == "linux":
        # root is exempt from RLIMIT_NPROC: count the kernel's process group ourselves
        def _count():
            while not stop_counting.wait(0.25):
                proc = getattr(getattr(km, "provisioner", None), "process", None)
                if proc is None or proc.poll() is not None:
                    continue
                if _group_size(proc.pid) > sandbox.limits.nproc:
                    result.process_limit_hit = True
                    _kill(km, sandbox)
                    return

        threading.Thread(target=_count, daemon=True).start()

    def _disk():  # total size written in the sandbox's folders (any number of small files)
        limit = sandbox.limits.disk_mb * 1024 * 1024
        while not stop_counting.wait(0.5):
            used = _tree_size(sandbox.root, limit)
            result.disk_used_mb = max(result.disk_used_mb, used / 2 ** 20)
            if used > limit:
                result.disk_limit_hit = True
                state["stop"] = True
                _kill(km, sandbox)
                return

    threading.Thread(target=_disk, daemon=True).start()
    log = open(sandbox.root / "kernel.log", "wb")  # the kernel's own stdout/stderr
    try:
        client.execute(cwd=str(sandbox.work), env=env or sandbox.env(), stdout=log, stderr=log)
    except DeadKernelError:
        result.kernel_died = True
    except RuntimeError as e:  # kernel failed to start (e.g. the sandbox could not be set up)
        if "Kernel" in str(e) or "kernel" in str(e):
            result.startup_error = str(e)[:500]
        else:
            raise
    except Exception as e:
        result.startup_error = f"{type(e).__name__}: {str(e)[:500]}"
    finally:
        timer.cancel()
        stop_counting.set()
        _kill(km, sandbox)
        log.close()
    try:
        with open(sandbox.root / "kernel.log", "rb") as f:
            f.seek(max(0, os.path.getsize(sandbox.root / "kernel.log") - 4000))
            result.kernel_log = f.read().decode("utf-8", "replace")
    except OSError:
        pass
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    if result.kernel_died or result.stuck:
        code = proc.returncode if proc is not None else None
        result.kernel_exit = describe_exit(code)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                result.errors.append({"cell": i, "ename": out.get("ename", ""),
                                      "evalue": str(out.get("evalue", ""))[:500]})
    result.skipped = sorted(set(result.skipped))
    result.recoveries = list(getattr(client, "recoveries", []))
    result.runtime_s = time.monotonic() - start
    return result


def _tree_size(root, stop_above: int) -> int:
    """Bytes in the regular files under ``root`` (not following links); stops counting once
    past ``stop_above``. Files that vanish while counting are skipped."""
    total, todo = 0, [str(root)]
    while todo and total <= stop_above:
        try:
            with os.scandir(todo.pop()) as it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            todo.append(e.path)
                        elif e.is_file(follow_symlinks=False):
                            total += e.stat(follow_symlinks=False).st_blocks * 512
                    except OSError:
                        continue
        except OSError:
            continue
    return total


def _group_size(pgid: int) -> int:
    """Processes in process group ``pgid`` (Linux /proc)."""
    n = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[2]) == pgid:
                n += 1
        except (OSError, ValueError, IndexError):
            continue
    return n


def _kill(km, sandbox: Sandbox) -> None:
    """Kill the kernel's process group and everything left under the sandbox's user id."""
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    if proc is not None and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            try:
                proc.kill()
            except OSError:
                pass
        try:
            proc.wait(timeout=10)
        except Exception:
            pass
    sandbox.kill_all()
