"""``xaikit live``: the workspace holds the candidate's side only (public files, the variant,
the settings, a sandboxed kernel), user errors are clear messages, practice checks are
answered outside the kernel. The session in a browser: tests/browser/test_browser_live.py."""
from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from xaikit import live, live_server
from xaikit.boundary import is_grader_file
from xaikit.cli import main
from xaikit.grading.notebook import has_solution_markers
from xaikit.grading.variants import derive_variant

SALT = "live-test-salt"


def _discard(ws: Path) -> None:
    session = json.loads((ws / live.SESSION).read_text())
    shutil.rmtree(session["sandbox"]["root"], ignore_errors=True)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    ws = tmp_path_factory.mktemp("live") / "ada"
    live.prepare(ws, "ada", ["shap_vs_lime"], salt=SALT, trust=True)
    yield ws
    _discard(ws)


def test_workspace_holds_the_public_side_only(workspace):
    lab = workspace / "lab"
    files = [p.relative_to(lab).as_posix() for p in lab.rglob("*") if p.is_file()]
    pkg = [f[len("xaikit/"):] for f in files if f.startswith("xaikit/")]
    assert pkg and not [f for f in pkg if is_grader_file(f)]
    assert not [f for f in files if "grader" in f or "solution" in f.lower() or "guide" in f
                or f.startswith(("solutions/", "notebooks/"))]
    assert not (lab / "xaikit" / "live.py").exists() and not (lab / "xaikit" / "grading").exists()
    notebooks = [f for f in files if f.endswith(".ipynb")]
    assert notebooks == ["01_shap_vs_lime.ipynb"]
    nb = nbformat.read(lab / notebooks[0], as_version=4)
    assert not has_solution_markers(nb)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_workspace_variant_mode_and_manifest(workspace):
    session = live.load_session(workspace)
    variant = derive_variant("ada", "shap_vs_lime", SALT)
    assert session["exercises"] == [{"id": "shap_vs_lime", "notebook": "01_shap_vs_lime.ipynb",
                                     "variant": variant}]
    meta = nbformat.read(workspace / "lab" / "01_shap_vs_lime.ipynb", as_version=4).metadata
    assert meta["xaikit"]["variant"] == variant and meta["xaikit"]["mode"] == "take-home"
    manifest = json.loads((workspace / "MANIFEST.json").read_text())
    assert manifest["candidate"] == "ada" and manifest["exercises"][0]["variant"] == variant
    assert (workspace / live.SESSION).stat().st_mode & 0o077 == 0  # holds the token later


def test_workspace_settings_and_kernel(workspace):
    jup = workspace / "jupyter"
    tracker = jup / "config/lab/user-settings/@jupyterlab/notebook-extension"
    assert json.loads((tracker / "tracker.jupyterlab-settings").read_text())["recordTiming"]
    config = json.loads((jup / "config" / "jupyter_server_config.json").read_text())
    assert config["ServerApp"]["terminals_enabled"] is False
    assert config["ServerApp"]["root_dir"] == str(workspace / "lab")
    assert config["KernelSpecManager"]["allowed_kernelspecs"] == [live.KERNEL_NAME]
    assert config["KernelManager"]["transport"] == "ipc"
    spec = json.loads((jup / "data" / "kernels" / live.KERNEL_NAME / "kernel.json").read_text())
    argv = spec["argv"]
    assert argv[:2] == ["/usr/bin/env", "-i"] and "{connection_file}" in argv
    assert argv[-4:] == ["-m", "ipykernel_launcher", "-f", "{connection_file}"]
    env = dict(a.split("=", 1) for a in argv[2:] if "=" in a and not a.startswith("-"))
    assert env["PYTHONPATH"] == str(workspace / "lab")
    assert env["XAIKIT_DATA_DIR"] == str(workspace / "lab" / "datasets")
    assert "XAIKIT_CHECK_SOCKET" not in env  # recorded checks
    session = live.load_session(workspace)
    if session["isolation"] == "bwrap":
        import xaikit

        pkg = str(Path(xaikit.__file__).resolve().parent)
        assert "bwrap" in " ".join(argv) and "--unshare-all" in argv or "--unshare-net" in argv
        assert argv[argv.index(pkg) - 1] == "--tmpfs"  # the installed package is hidden
        binds = [argv[i + 1] for i, a in enumerate(argv) if a == "--ro-bind"]
        assert str(workspace / "lab") in binds and str(workspace) not in binds
        assert not any(b.endswith(("solutions", "notebooks", "datasets")) for b in binds
                       if not b.startswith(str(workspace)))


def test_practice_checks_workspace(tmp_path):
    ws = tmp_path / "bob"
    session = live.prepare(ws, "bob", ["shap_vs_lime"], checks="practice", salt=SALT,
                           trust=True)
    try:
        nb = nbformat.read(ws / "lab" / "01_shap_vs_lime.ipynb", as_version=4)
        assert nb.metadata["xaikit"]["mode"] == "practice" and not has_solution_markers(nb)
        assert 'mode="practice"' in "".join(c.source for c in nb.cells)
        spec = (ws / "jupyter/data/kernels/python3/kernel.json").read_text()
        assert "XAIKIT_CHECK_SOCKET=" in spec
        assert session["checks"] == "practice"
    finally:
        _discard(ws)


def test_check_service_answers_without_the_reference(tmp_path, monkeypatch):
    from xaikit.exercises.remote import remote_check

    session = {"exercises": [{"id": "shap_vs_lime", "variant": 3}]}
    sock = tmp_path / "check.sock"
    server = live_server._check_service(sock, session)
    try:
        monkeypatch.setenv("XAIKIT_CHECK_SOCKET", str(sock))
        result, hints = remote_check("shap_vs_lime", "q1", {"shap_values": [[0.0]]})
        assert result.status == "incorrect" and "shape" in result.feedback
        result, _ = remote_check("nope", "q1", {})
        assert result.status == "error"
        monkeypatch.delenv("XAIKIT_CHECK_SOCKET")
        assert remote_check("shap_vs_lime", "q1", {}) is None
    finally:
        server.shutdown()


def test_user_errors(workspace, tmp_path):
    with pytest.raises(live.LiveError, match="already exists"):
        live.prepare(workspace, "ada", ["shap_vs_lime"], trust=True)
    with pytest.raises(live.LiveError, match="unknown exercise"):
        live.prepare(tmp_path / "x", "ada", ["nope"], trust=True)
    with pytest.raises(live.LiveError, match="candidate ids"):
        live.prepare(tmp_path / "y", "a b", ["shap_vs_lime"], trust=True)
    with pytest.raises(live.LiveError, match="not an xaikit live workspace"):
        live.finish(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(live.LiveError, match="in use"):
            live_server.check_port("127.0.0.1", s.getsockname()[1])
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_scoring_sheets_are_checked_before_anything(workspace, tmp_path):
    from xaikit.grading.manual import ManualScoreError

    session = live.load_session(workspace)
    for body, msg in (("bob,q7,1,", "not this session's"), ("ada,q1,1,", "not a written"),
                      ("ada,q7,99,", "more than")):
        sheet = tmp_path / "manual_scores_shap_vs_lime.csv"
        sheet.write_text("candidate,question,score,comment\n" + body + "\n")
        with pytest.raises(ManualScoreError, match=msg):
            live._sheets([sheet], session)


def test_cli_user_errors_are_messages(workspace, tmp_path):
    runner = CliRunner()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    for args, msg in ((["--candidate", "ada", "--exercises", "nope", "--workspace",
                        str(tmp_path / "n"), "--port", port], "unknown exercise"),
                      (["--candidate", "ada", "--exercises", "shap_vs_lime", "--workspace",
                        str(workspace), "--trust-candidate", "--port", port], "already exists"),
                      (["--finish", str(tmp_path)], "not an xaikit live workspace"),
                      ([], "--candidate and --exercises are required")):
        res = runner.invoke(main, ["live", *args])
        assert res.exit_code != 0 and "Traceback" not in res.output, res.output
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        if msg:
            assert msg in res.output, res.output


def test_refuses_without_bubblewrap_unless_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("XAIKIT_ISOLATION", "rlimits")  # as on a machine without bubblewrap
    with pytest.raises(live.LiveError, match="refusing to start.*--trust-candidate"):
        live.prepare(tmp_path / "c", "cy", ["shap_vs_lime"], salt=SALT)
    assert not (tmp_path / "c").exists()
    session = live.prepare(tmp_path / "d", "cy", ["shap_vs_lime"], salt=SALT, trust=True)
    try:
        assert session["trusted"] and session["isolation"] == "rlimits"
    finally:
        _discard(tmp_path / "d")
