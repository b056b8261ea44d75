"""Lost kernel messages: the grader notices within seconds and recovers with the kernel's state
intact (``xaikit.grading.replies``), and reports it beside the flags, never as a timeout.

The two failures are reproduced with test doubles of the client's channels: a dropped
``execute_reply`` (the cell ran, its reply never came), and an ``execute_request`` that sits
unread until something else touches the shell channel (the lost wake-up).
"""
from __future__ import annotations

import time

import nbformat
import pytest
from nbclient import NotebookClient

from xaikit.grading.replies import ReplyRecovery

CELLS = ["x = 1", "x += 1\nprint('x =', x)", "print('later:', x * 10)"]
TARGET = 1  # the cell whose message is lost


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    return nb


class DropsOneReply(ReplyRecovery, NotebookClient):
    """Drops the execute_reply of cell TARGET."""

    dropped = False

    def _get_shell_msg(self, timeout):
        async def get():
            msg = await self.kc.shell_channel.get_msg(timeout=timeout)
            if not self.dropped and msg.get("msg_type") == "execute_reply" and \
                    msg["content"].get("execution_count") == TARGET + 1:
                self.dropped = True
                from queue import Empty

                raise Empty
            return msg
        return get()


class HoldsOneRequest(ReplyRecovery, NotebookClient):
    """Holds the execute_request of cell TARGET until the shell channel is touched again (what a
    kernel that missed the request's wake-up does)."""

    held = None

    async def async_execute_cell(self, cell, cell_index, *a, **k):
        if cell_index == TARGET and self.held is None:
            real_execute = self.kc.execute

            def execute(code, **kw):  # build the message, do not send it yet
                msg = self.kc.session.msg("execute_request", {
                    "code": code, "silent": False, "store_history": kw.get("store_history", True),
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": False})
                self.held = msg
                self.kc.execute = real_execute
                return msg["header"]["msg_id"]

            self.kc.execute = execute
            real_info = self.kc.kernel_info

            def kernel_info():
                if self.held is not None:
                    self.kc.shell_channel.send(self.held)
                self.kc.kernel_info = real_info
                return real_info()

            self.kc.kernel_info = kernel_info
        return await super().async_execute_cell(cell, cell_index, *a, **k)


def _run(cls):
    nb = _notebook()
    client = cls(nb, timeout=120, kernel_name="python3", allow_errors=True)
    start = time.monotonic()
    client.execute()
    return nb, client, time.monotonic() - start


def _text(cell):
    return "".join(o.get("text", "") for o in cell.outputs)


@pytest.mark.slow
def test_a_dropped_reply_is_rebuilt_and_the_state_is_intact():
    nb, client, took = _run(DropsOneReply)
    assert client.dropped
    assert [r["kind"] for r in client.recoveries] == ["lost_reply"]
    assert client.recoveries[0]["cell"] == TARGET
    assert _text(nb.cells[1]) == "x = 2\n" and _text(nb.cells[2]) == "later: 20\n"
    assert took < 30  # noticed in seconds, not at the 120 s cell limit


@pytest.mark.slow
def test_an_unread_request_is_woken_up_and_runs_once():
    nb, client, took = _run(HoldsOneRequest)
    assert client.held is not None
    assert [r["kind"] for r in client.recoveries][:1] == ["poke"]
    assert _text(nb.cells[1]) == "x = 2\n" and _text(nb.cells[2]) == "later: 20\n"
    assert took < 30


def test_a_rebuilt_reply_says_error_when_the_cell_failed():
    cell = nbformat.v4.new_code_cell("1/0")
    cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError",
                                           evalue="division by zero", traceback=[])]
    reply = ReplyRecovery._rebuilt_reply("m", cell)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "ZeroDivisionError"
    ok = ReplyRecovery._rebuilt_reply("m", nbformat.v4.new_code_cell("1"))
    assert ok["content"]["status"] == "ok" and ok["parent_header"] == {"msg_id": "m"}
