"""The server of a live session (:mod:`xaikit.live`): JupyterLab under a supervisor process
(``python -m xaikit.live_server serve WORKSPACE``, its PID in ``live.json``) that also runs the
practice-check service; starting, stopping, the interviewer's command."""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from xaikit.live import LiveError, _save, load_session


def check_port(ip: str, port: int) -> None:
    """Raise :class:`LiveError` if JupyterLab could not listen on ``ip:port``."""
    with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            s.bind((ip, port))
        except OSError as e:
            raise LiveError(f"cannot listen on {ip}:{port} ({e.strerror}): the port is in use "
                            "or the address is not this machine's; choose another --port/--ip") \
                from None


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


def start(workspace, *, port: int = 8888, ip: str = "127.0.0.1", timeout: float = 90) -> dict:
    """Start JupyterLab (with RTC and a token) on the workspace; return the session.

    Raises
    ------
    LiveError
        Port in use, a server already running, JupyterLab not starting.
    """
    import urllib.request

    ws = Path(workspace).absolute()
    session = load_session(ws)
    srv = session.get("server") or {}
    if srv.get("pid") and _alive(srv["pid"]):
        raise LiveError(f"this workspace's server already runs (PID {srv['pid']}): "
                        f"{srv.get('url')}")
    check_port(ip, port)
    token = secrets.token_hex(24)
    session["server"] = {"ip": ip, "port": port, "token": token}
    _save(ws, session)
    log = open(ws / "jupyter" / "server.log", "ab")
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "xaikit.live_server", "serve", str(ws)],
                            cwd=ws / "jupyter", stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    host = ip if ip not in ("0.0.0.0", "::", "") else socket.getfqdn()
    base = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
    probe = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(ip, f"[{ip}]" if ":" in ip else ip)
    while True:
        try:
            req = urllib.request.Request(f"http://{probe}:{port}/api/status",
                                         headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(req, timeout=5).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() - t0 > timeout:
                proc.kill() if proc.poll() is None else None
                tail = (ws / "jupyter" / "server.log").read_text(errors="replace")[-1500:]
                raise LiveError(f"JupyterLab did not start (see {ws / 'jupyter/server.log'}):\n"
                                f"{tail}") from None
            time.sleep(0.3)
    first = session["exercises"][0]["notebook"]
    session["server"].update(pid=proc.pid, startup_s=round(time.monotonic() - t0, 1),
                             url=f"{base}/lab/tree/{first}?token={token}")
    _save(ws, session)
    return session


def _lab_command(ws: Path, session: dict) -> list[str]:
    srv = session["server"]
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.ip={srv['ip']}",
           f"--ServerApp.port={srv['port']}", f"--IdentityProvider.token={srv['token']}",
           f"--ServerApp.root_dir={ws / 'lab'}", "--no-browser"]
    return cmd + (["--allow-root"] if os.geteuid() == 0 else [])


def _check_service(path: Path, session: dict):
    """A thread answering practice checks: JSON answers in, verdict and hint out."""
    import socketserver
    import threading

    from xaikit.exercises import (get_exercise, grader_part, reference_context, run_check,
                                  with_grader)
    from xaikit.grading.collect import decode_answers

    variants = {e["id"]: e["variant"] for e in session["exercises"]}

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            try:
                req = json.loads(self.rfile.readline(50_000_000))
                eid, qid = req["exercise"], req["question"]
                full = with_grader(get_exercise(eid), grader_part(eid)).question(qid)
                r = run_check(full, decode_answers(req["answers"], full.answers),
                              reference_context(eid, variants[eid]))
                out = {"status": r.status, "score": r.score, "feedback": r.feedback,
                       "hint": r.hint, "hints": list(full.hints)}
            except Exception as e:  # noqa: BLE001 - the kernel gets an error, never a trace
                out = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
            self.wfile.write((json.dumps(out) + "\n").encode())

    path.unlink(missing_ok=True)
    server = socketserver.ThreadingUnixStreamServer(str(path), Handler)
    path.chmod(0o666)  # the kernel may run under a user id of its own
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve(workspace) -> int:
    """The supervisor (``python -m xaikit.live_server serve WS``): the check service and JupyterLab,
    until SIGTERM."""
    ws = Path(workspace).absolute()
    session = load_session(ws)
    sock = Path(session["sandbox"]["root"]) / "run" / "check.sock"
    # the kernels' connection files and ipc sockets go to the runtime dir: the sandbox's run/
    # JUPYTER_PREFER_ENV_PATH=0: the workspace's kernelspec shadows the environment's python3
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", JUPYTER_RUNTIME_DIR=str(sock.parent),
               JUPYTER_PREFER_ENV_PATH="0",
               **{f"JUPYTER_{n.upper()}_DIR": str(ws / "jupyter" / n) for n in ("config", "data")})
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    checker = _check_service(sock, session) if session["checks"] == "practice" else None
    lab = subprocess.Popen(_lab_command(ws, session), env=env, cwd=ws / "jupyter")
    signal.signal(signal.SIGTERM, lambda *_: lab.terminate())
    signal.signal(signal.SIGINT, lambda *_: lab.terminate())
    rc = lab.wait()
    if checker is not None:
        checker.shutdown()
        sock.unlink(missing_ok=True)
    return rc


def stop(workspace, timeout: float = 30) -> bool:
    """Stop the workspace's server (its supervisor's process group); True if one ran."""
    ws = Path(workspace).absolute()
    session = load_session(ws)
    pid = (session.get("server") or {}).get("pid")
    if not pid or not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        cmdline = []
    if cmdline and str(ws).encode() not in cmdline:
        return False  # the PID now belongs to another program: leave it alone
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)  # what is left of the session's process group
    except OSError:
        pass
    return True


def interviewer_command(session, port: int) -> str:
    """The command that opens the guides and reference notebooks in the interviewer's own
    JupyterLab (another port), from the project folder."""
    from xaikit.packs import project_root

    root = project_root()
    files = []
    for e in session["exercises"]:
        guide = Path("notebooks/interviewer") / e["notebook"].replace(".ipynb", "_guide.ipynb")
        files += [str(guide)] if (root / guide).is_file() else []
        files.append(f"solutions/{e['notebook']}")
    return (f"cd {root} && {sys.executable} -m jupyter lab --port={port} "
            f"--YDocExtension.disable_rtc=True " + " ".join(files))


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    sys.exit(serve(sys.argv[2]))
