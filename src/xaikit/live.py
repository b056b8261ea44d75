"""Live interviews: one candidate's notebook shared in JupyterLab with real-time collaboration.

``xaikit live`` prepares a **workspace** and starts JupyterLab on it::

    WORKSPACE/
        live.json       the session: candidate, exercises and variants, checks, isolation,
                        server PID, port, token (readable by you only)
        MANIFEST.json   the pack manifest (variants, definitions): what ``--finish`` grades with
        lab/            the candidate's side, the files of a take-home pack (public copy of the
                        package, notebooks with the candidate's variants, data, models): the
                        JupyterLab root
        jupyter/        JupyterLab's config (recordTiming on, terminals off, only the sandboxed
                        kernel), data (the kernelspec), runtime dirs and log

The notebooks' kernel runs like a grading kernel (:mod:`xaikit.grading.sandbox`): with
bubblewrap it sees only the system, Python and ``lab/`` (read-only) and its own temporary
folder; the installed package (grader parts, checks, references), ``solutions/``, the
interviewer guides, the rest of the project and other workspaces do not exist in its file
system; no network, a scrubbed environment, resource limits. With ``checks="practice"`` the
kernel's ``ex.check`` sends the declared answers as JSON over a Unix socket to a check service
in the (unsandboxed) supervisor process, which returns the verdict and hint, never the reference.

The server (JupyterLab under a supervisor process, the check service) is in
:mod:`xaikit.live_server`. ``xaikit live --finish WORKSPACE`` stops it, grades each notebook
like a hand-in (:func:`xaikit.grading.pipeline.grade_submission` against the workspace's
manifest) and merges the interviewer's scoring sheet(s).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

SESSION = "live.json"
KERNEL_NAME = "python3"  # the notebooks' kernelspec name: only this (sandboxed) one exists
CHECKS = ("recorded", "practice")
#: Chown the connection file to the kernel's own user id (the server runs as root), then exec.
_CHOWN = ("import os,sys; u=int(sys.argv[1]); os.chown(sys.argv[2],u,u); "
          "os.execv(sys.argv[3],sys.argv[3:])")
UNPROTECTED = (
    "refusing to start: {why}. Without bubblewrap the candidate's kernel could read every file "
    "you can (solutions/, the interviewer guides, the grader part with its references, other "
    "candidates' workspaces) and use the network. Install bubblewrap (Debian/Ubuntu: apt-get "
    "install bubblewrap) or, if you accept that, pass --trust-candidate (recorded in live.json "
    "and in the reports).")


class LiveError(RuntimeError):
    """A user error of ``xaikit live`` (the message says what to do)."""


def load_session(workspace) -> dict:
    """The workspace's ``live.json``.

    Raises
    ------
    LiveError
        If ``workspace`` is not a live workspace.
    """
    path = Path(workspace) / SESSION
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        raise LiveError(f"{workspace} is not an xaikit live workspace (no readable {SESSION})") \
            from None


def _save(workspace: Path, session: dict) -> None:
    path = Path(workspace) / SESSION
    tmp = path.with_name(f".{SESSION}.tmp")
    tmp.write_text(json.dumps(session, indent=1) + "\n")
    tmp.chmod(0o600)  # holds the server's token
    tmp.replace(path)


# --- preparing a workspace ------------------------------------------------------------------

def _kernel_sandbox(lab: Path, trust: bool):
    """The grading sandbox, adjusted for a live kernel: reads Python and ``lab/`` only."""
    from xaikit.grading.bwrap import SYSTEM_DIRS, _minimal, _python_paths
    from xaikit.grading.sandbox import Limits, make_sandbox

    limits = Limits(cpu_s=6 * 3600)  # an interview, not a batch: hours of CPU allowed
    try:
        sb = make_sandbox("auto", limits, trust=True)
    except RuntimeError as e:
        raise LiveError(str(e)) from None
    if sb.isolation != "bwrap" and not trust:
        sb.cleanup()
        raise LiveError(UNPROTECTED.format(why=sb.reason.replace("fallback to rlimits: ", "")))
    if sb.isolation == "bwrap":
        sb.readonly = [p for p in _minimal(_python_paths() + [lab.resolve()])
                       if str(p) not in SYSTEM_DIRS and p != Path("/")]
    return sb


def _kernelspec(sb, lab: Path, checks: str) -> dict:
    """kernel.json: ``python -m ipykernel_launcher`` behind the sandbox, scrubbed environment."""
    cache = sb.root / "cache"
    env = sb.env({"PYTHONPATH": str(lab), "XAIKIT_DATA_DIR": str(lab / "datasets"),
                  "XAIKIT_CACHE_DIR": str(cache)})
    if checks == "practice":
        env["XAIKIT_CHECK_SOCKET"] = str(sb.run / "check.sock")
    argv = sb.wrap([sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    if sb.uid is not None:
        argv = [sys.executable, "-I", "-S", "-c", _CHOWN, str(sb.uid), "{connection_file}", *argv]
    argv = ["/usr/bin/env", "-i", *(f"{k}={v}" for k, v in sorted(env.items())), *argv]
    return {"argv": argv, "display_name": "Python 3 (xaikit live, sandboxed)",
            "language": "python", "metadata": {"debugger": False}}


def _lab_settings(settings: Path) -> None:
    """recordTiming on (the timeline in the reports), no news toast."""
    try:
        from xaikit.grading.timeline import write_lab_settings
    except ImportError:  # the timeline is not installed: write the setting here
        def write_lab_settings(folder):
            p = Path(folder, "@jupyterlab", "notebook-extension", "tracker.jupyterlab-settings")
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps({"recordTiming": True}))
    write_lab_settings(settings)
    p = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def prepare(workspace, candidate: str, exercise_ids, *, checks: str = "recorded",
            salt: str | None = None, trust: bool = False) -> dict:
    """Create ``workspace`` for ``candidate`` (see the module docstring); return the session.

    Parameters
    ----------
    workspace : path
        A folder that does not exist yet (or is empty).
    candidate : str
        1-64 letters, digits, ``.``, ``_`` or ``-``.
    exercise_ids : list of str
    checks : {"recorded", "practice"}
        recorded: ``ex.check`` says whether an answer is recorded and well-formed (take-home
        mode); practice: it says correct / incorrect with a hint (checked outside the kernel).
    salt : str, optional
        Variant secret, as for packs (default ``$XAIKIT_PACK_SECRET`` or random).
    trust : bool
        Start even without bubblewrap (the kernel can then read your files).

    Raises
    ------
    LiveError
        Existing workspace, unknown exercise, bad candidate id, no sandbox.
    """
    import nbformat

    from xaikit.grading.notebook import build_exercise, set_mode, set_variant
    from xaikit.packs import PackError, build_pack, project_root

    if checks not in CHECKS:
        raise LiveError(f"--checks must be one of {', '.join(CHECKS)}, not {checks!r}")
    ws = Path(workspace).absolute()
    if ws.exists() and (not ws.is_dir() or any(ws.iterdir())):
        raise LiveError(f"the workspace {ws} already exists: choose another folder, or finish "
                        f"that session (xaikit live --finish {ws}) and remove it")
    lab, jup = ws / "lab", ws / "jupyter"
    with tempfile.TemporaryDirectory(prefix="xaikit-live-") as tmp:
        try:
            res = build_pack(candidate, exercise_ids, tmp, salt=salt)
        except PackError as e:
            raise LiveError(str(e)) from None
        sb = _kernel_sandbox(lab, trust)  # refuses before anything is written
        ws.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(res.path) as z:
            z.extractall(ws / "pack")
        shutil.move(str(next((ws / "pack").iterdir())), lab)
        (ws / "pack").rmdir()
        shutil.copyfile(lab / "MANIFEST.json", ws / "MANIFEST.json")
    root = project_root()
    for e in res.manifest["exercises"]:
        if checks == "practice":  # the practice notebook (the pack's says "recorded")
            nb = nbformat.read(root / "solutions" / e["notebook"], as_version=4)
            nb = set_variant(set_mode(build_exercise(nb), "practice"), e["variant"], candidate)
            nbformat.write(nb, lab / e["notebook"])
    # the kernel's model cache: writable, outside lab/ (the JupyterLab root), seeded with the
    # pack's models and this machine's trained models of the same variants
    from xaikit.exercises import context_for
    from xaikit.models import cache_dir

    models = sb.root / "cache" / "models"
    models.mkdir(parents=True)
    for p in (lab / ".xaikit-cache" / "models").glob("*"):
        shutil.copyfile(p, models / p.name)
    for e in res.manifest["exercises"]:
        for t in vars(context_for(e["id"], e["variant"])).values():
            if hasattr(t, "card") and hasattr(t, "model"):
                for p in cache_dir().glob(f"{t.card.name}-{t.card.cache_key}.*"):
                    shutil.copyfile(p, models / p.name)
    if sb.uid is not None:
        for p in [sb.root / "cache", *(sb.root / "cache").rglob("*")]:
            os.chown(p, sb.uid, sb.uid)
    for sub in ("config", "data"):
        (jup / sub).mkdir(parents=True, exist_ok=True)
    _lab_settings(jup / "config" / "lab" / "user-settings")
    spec = jup / "data" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps(_kernelspec(sb, lab, checks), indent=1))
    config = {
        "ServerApp": {"root_dir": str(lab), "terminals_enabled": False, "open_browser": False,
                      "port_retries": 0},
        "LabApp": {"expose_app_in_browser": True},  # window.jupyterapp (the browser tests)
        "KernelSpecManager": {"ensure_native_kernel": False, "allowed_kernelspecs": [KERNEL_NAME]},
        "KernelManager": {"transport": "ipc"},  # the kernel has no network: Unix sockets
        "YDocExtension": {"session_store_path": str(jup / "collaboration_sessions.json")},
    }
    (jup / "config" / "jupyter_server_config.json").write_text(json.dumps(config, indent=1))
    session = {"candidate": candidate, "checks": checks, "created": time.time(),
               "exercises": [{k: e[k] for k in ("id", "notebook", "variant")}
                             for e in res.manifest["exercises"]],
               "isolation": sb.isolation, "isolation_reason": sb.reason,
               "trusted": sb.isolation != "bwrap",
               "sandbox": {"root": str(sb.root), "uid": sb.uid}, "server": None}
    _save(ws, session)
    return session


# --- finishing ------------------------------------------------------------------------------

def _sheets(manual, session) -> dict:
    """``{exercise id: [ScoreRow]}`` from the scoring sheet files (one per exercise)."""
    from xaikit.exercises import get_exercise
    from xaikit.grading.manual import ManualScoreError, load_scores

    ids = [e["id"] for e in session["exercises"]]
    out = {}
    for path in manual or []:
        named = [i for i in ids if i in Path(path).name]
        if len(named) != 1 and len(ids) > 1:
            raise ManualScoreError(f"{path}: name the exercise in the file name, as the scoring "
                                   f"sheet exports it (manual_scores_<exercise>.csv; here: "
                                   f"{', '.join(ids)})")
        eid = named[0] if named else ids[0]
        manual = {q.id: q.points for q in get_exercise(eid).questions if q.kind == "manual"}
        for r in load_scores(path):
            if r.candidate != session["candidate"]:
                raise ManualScoreError(f"{r.where()}: candidate {r.candidate!r} is not this "
                                       f"session's {session['candidate']!r}")
            if r.question not in manual:
                raise ManualScoreError(f"{r.where()}: {r.question!r} is not a written question "
                                       f"of {eid} (written: {', '.join(manual)})")
            if r.score is not None and r.score > manual[r.question]:
                raise ManualScoreError(f"{r.where()}: score {r.score:g} is more than "
                                       f"{r.question}'s {manual[r.question]:g} points")
            out.setdefault(eid, []).append(r)
    return out


def finish(workspace, manual=(), out=None) -> list[dict]:
    """Stop the server, grade each notebook of the workspace, merge the scoring sheets.

    Parameters
    ----------
    manual : list of path
        The interviewer's scoring sheets (``manual_scores_<exercise>.csv`` or YAML).
    out : path, optional
        Report folder (default ``WORKSPACE/OUT``).

    Returns
    -------
    list of dict
        One report per exercise (``OUT/<candidate>/`` or ``OUT/<candidate>-<exercise>/``).
    """
    import dataclasses

    from xaikit.grading.manual import apply_manual, write_template
    from xaikit.grading.pipeline import grade_submission
    from xaikit.grading.report import write_summary
    from xaikit.grading.sandbox import Sandbox
    from xaikit.grading.variants import load_manifest

    from xaikit.live_server import stop

    ws = Path(workspace).absolute()
    session = load_session(ws)
    sheets = _sheets(manual, session)  # a malformed sheet stops before anything changes
    out = Path(out) if out else ws / "OUT"
    stopped = stop(ws)
    sb = session["sandbox"]
    if Path(sb["root"]).exists():
        Sandbox(root=Path(sb["root"]), isolation=session["isolation"], reason="",
                uid=sb["uid"]).cleanup()
    manifest = load_manifest(ws / "MANIFEST.json")
    cand, many = session["candidate"], len(session["exercises"]) > 1
    reports = []
    for e in session["exercises"]:
        name = f"{cand}-{e['id']}" if many else cand
        rep = grade_submission(ws / "lab" / e["notebook"], out, name=name, manifest=manifest,
                               trust=session["trusted"], total_timeout=1800)
        rows = sheets.get(e["id"], [])
        if rows:
            apply_manual([rep], [dataclasses.replace(r, candidate=name) for r in rows], out)
        reports.append(rep)
    write_template(out, reports)
    write_summary(out, [(r, f"{r['candidate']}/report.json") for r in reports])
    session.update(finished=time.time(), out=str(out), stopped_server=stopped)
    _save(ws, session)
    return reports
