"""Practice checks answered outside the kernel (live interviews, ``xaikit live --checks
practice``).

The live kernel holds the public files only, so it cannot check an answer itself. When
``$XAIKIT_CHECK_SOCKET`` names a Unix socket, :func:`remote_check` sends the question's
declared answers there as JSON (:mod:`xaikit.answers`) and gets back the verdict and hint
computed by the interviewer's side; the reference never enters the kernel.
"""
from __future__ import annotations

import json
import os
import socket

from xaikit.exercises.framework import CheckResult


def remote_check(exercise_id: str, qid: str, answers: dict, timeout: float = 120):
    """``(CheckResult, hints)`` from the check service, or None without one.

    Parameters
    ----------
    answers : dict
        The question's declared answer names and their values (encoded here as JSON).
    """
    from xaikit.answers import encode

    path = os.environ.get("XAIKIT_CHECK_SOCKET")
    if not path or not os.path.exists(path):
        return None
    try:
        req = {"exercise": exercise_id, "question": qid,
               "answers": {k: encode(v) for k, v in answers.items()}}
    except ValueError as e:  # too large, too deep
        return CheckResult("incorrect", 0.0, f"`{qid}`: the answer cannot be sent ({e})"), ()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(path)
            s.sendall((json.dumps(req) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
        out = json.loads(data)
    except (OSError, ValueError) as e:
        return CheckResult("error", 0.0, f"the check service did not answer ({e})", None), ()
    if "error" in out:
        return CheckResult("error", 0.0, f"the check failed: {out['error']}", None), ()
    return (CheckResult(out["status"], float(out["score"]), out.get("feedback") or "",
                        out.get("hint")), tuple(out.get("hints") or ()))
