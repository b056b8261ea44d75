"""Recover from lost kernel messages while executing a notebook (grader side).

A kernel can sit idle while the client waits for it. Measured here (``benchmarks/
notebook_stress.py``, two executions at a time on 2 cores under load): 7-12 cells in 100
executions returned only when nbclient's wait for the reply timed out, the reply having been
there all along (the wait's final check found it): a wake-up the client's event loop missed on
an edge-triggered zmq socket. nbclient waits for IOPub with no timeout at all, so the same miss
there is a hang without end. Whatever the cause (the request unread by the kernel, the reply
unread by the client, or lost), a grader must never blame it on the candidate.

:class:`ReplyRecovery` is a mixin for :class:`nbclient.NotebookClient` that waits for the reply
in short slices and, from what the kernel published on IOPub for this request:

- every wait on the shell and IOPub channels lasts at most :attr:`poll_slice` seconds, so a
  missed wake-up costs one slice;
- the kernel never went *busy* on the request: after :attr:`poke_after` seconds it touches
  the shell channel again (a ``kernel_info_request``), which makes a kernel that missed the
  wake-up read its pending messages; the cell then runs normally, its state intact;
- the kernel went *busy* then *idle* (the cell ran) but no reply came within
  :attr:`lost_after` seconds: it takes the reply as lost and rebuilds it from the outputs
  (status ``error`` if the cell published an error, else ``ok``).

Each recovery is appended to :attr:`recoveries` as ``{"cell": i, "kind": "poke" | "lost_reply",
"after_s": ...}``; the grader reports them beside the flags, never as a timeout.
"""
from __future__ import annotations

import time
from queue import Empty


class ReplyRecovery:
    """Mixin (put it before ``NotebookClient`` in the bases); see the module docstring."""

    #: seconds without *busy* on a request before the shell channel is touched again
    poke_after: float = 3.0
    #: seconds after *idle* on a request without its reply before the reply counts as lost
    lost_after: float = 3.0
    #: the longest a single wait on the shell channel lasts (seconds)
    poll_slice: float = 0.5

    def _recovery_state(self):
        if not hasattr(self, "_states"):
            self._states, self._idle_at, self.recoveries = {}, {}, []
        return self._states

    def process_message(self, msg, cell, cell_index):
        if msg.get("msg_type") == "status":
            states = self._recovery_state()
            pid = msg.get("parent_header", {}).get("msg_id")
            state = msg.get("content", {}).get("execution_state")
            states.setdefault(pid, set()).add(state)
            if state == "idle":
                self._idle_at[pid] = time.monotonic()
        return super().process_message(msg, cell, cell_index)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        """nbclient's IOPub loop, waiting in slices: a wake-up the event loop missed costs at
        most one slice instead of a wait without end (nbclient waits with no timeout)."""
        from jupyter_core.utils import ensure_async
        from nbclient.exceptions import CellExecutionComplete

        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=self.poll_slice))
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return

    def _get_shell_msg(self, timeout):
        """One message from the shell channel within ``timeout`` seconds (raises Empty).
        Tests replace it to drop a reply."""
        return self.kc.shell_channel.get_msg(timeout=timeout)

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg,
                                    task_poll_kernel_alive):
        import asyncio

        from jupyter_core.utils import ensure_async

        states = self._recovery_state()
        start = last_poke = time.monotonic()
        deadline = None if timeout is None else start + timeout
        index = self.nb.cells.index(cell) if cell in self.nb.cells else None
        while True:
            now = time.monotonic()
            wait = self.poll_slice if deadline is None else max(0.0, min(self.poll_slice,
                                                                        deadline - now))
            try:
                msg = await ensure_async(self._get_shell_msg(wait))
            except Empty:
                now = time.monotonic()
                seen = states.get(msg_id, set())
                idle_at = self._idle_at.get(msg_id)
                if "idle" in seen and idle_at is not None and now - idle_at >= self.lost_after:
                    self.recoveries.append({"cell": index, "kind": "lost_reply",
                                            "after_s": round(now - start, 1)})
                    return self._rebuilt_reply(msg_id, cell)
                if "busy" not in seen and now - last_poke >= self.poke_after:
                    self.kc.kernel_info()  # touch the shell channel: wakes a kernel that
                    last_poke = now        # missed the request's arrival
                    self.recoveries.append({"cell": index, "kind": "poke",
                                            "after_s": round(now - start, 1)})
                if deadline is not None and now >= deadline:
                    task_poll_kernel_alive.cancel()
                    await self._async_check_alive()
                    await self._async_handle_timeout(timeout, cell)  # raises CellTimeoutError
                    return self._rebuilt_reply(msg_id, cell)  # interrupt_on_timeout: go on
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue  # e.g. the reply to a poke
            try:
                await asyncio.wait_for(task_poll_output_msg, self.iopub_timeout)
            except (asyncio.TimeoutError, Empty):
                self.log.warning("Timeout waiting for IOPub output")
            task_poll_kernel_alive.cancel()
            return msg

    @staticmethod
    def _rebuilt_reply(msg_id, cell) -> dict:
        failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        content = {"status": "error" if failed else "ok",
                   "execution_count": cell.get("execution_count")}
        if failed:
            err = next(o for o in cell["outputs"] if o.get("output_type") == "error")
            content.update(ename=err.get("ename", ""), evalue=err.get("evalue", ""),
                           traceback=err.get("traceback", []))
        return {"msg_type": "execute_reply", "parent_header": {"msg_id": msg_id},
                "header": {"msg_type": "execute_reply"}, "metadata": {}, "content": content}
