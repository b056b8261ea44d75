"""The sandbox the candidate's kernel runs in.

Two layers, both set up by a tiny launcher (:data:`LAUNCHER`, run as ``python -c``) that the
kernel manager puts in front of the kernel command:

1. **rlimits** (always): address space, number of processes/threads, size of any file written,
   CPU seconds, open files; a scrubbed environment; a private temporary folder as working
   directory and HOME. When the grader runs as root, the kernel also drops to an unprivileged
   user id of its own (so ``RLIMIT_NPROC`` applies, and it cannot write the project's files).
2. **bubblewrap** (where ``bwrap`` works): a new mount, PID, network, IPC and UTS namespace.
   Only the system folders, the Python installation, the xaikit package (without
   ``xaikit/grading``), the datasets and the model cache are visible, all read-only; the
   temporary folder is the only writable place; no network (``--unshare-net``); the project's
   ``solutions/``, the grader's output folder and other submissions are not visible at all.

The kernel talks to the grader over ZeroMQ *ipc* (Unix-socket files in the temporary folder),
which works across the network namespace; nothing else is shared.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: Applies the limits, drops privileges, then execs the rest of argv. Standard library only.
LAUNCHER = r"""
import json, os, sys
try:
    import resource
except ImportError:  # Windows: no rlimits
    resource = None
cfg = json.loads(sys.argv[1])
for name, value in (cfg["limits"] if resource else {}).items():
    lim = getattr(resource, name, None)
    if lim is None:
        continue
    soft, hard = value if isinstance(value, list) else (value, value)
    try:
        resource.setrlimit(lim, (soft, hard))
    except (ValueError, OSError):
        pass
argv = sys.argv[2:]
if cfg.get("uid") is not None:
    os.setgroups([])
    os.setgid(cfg["gid"])
    os.setuid(cfg["uid"])
if cfg.get("cwd"):
    os.chdir(cfg["cwd"])
os.umask(0o077)
os.execv(argv[0], argv)
"""

from xaikit.grading.bwrap import bwrap_args, hidden_paths, readonly_paths  # noqa: F401


@dataclass
class Limits:
    """Resource limits of one kernel.

    Attributes
    ----------
    memory_mb : int
        Address space (``RLIMIT_AS``). The solution kernel of the first exercise peaks well
        below 3 GiB of address space; 6 GiB leaves room for honest work.
    nproc : int
        Processes + threads of the kernel's own user id (``RLIMIT_NPROC``; applies only when
        the kernel runs under a user id of its own, i.e. when the grader runs as root).
    fsize_mb : int
        Largest file the kernel may write (``RLIMIT_FSIZE``).
    cpu_s : int
        CPU seconds (``RLIMIT_CPU``), a backstop behind the wall-clock limits.
    nofile : int
        Open file descriptors.
    disk_mb : int
        Total size of what the kernel may write in its folders (files of any size under
        ``fsize_mb`` each); checked every half second by the grader, which stops the kernel
        (flag ``disk_limit``) when it is exceeded.
    """

    memory_mb: int = 6144
    nproc: int = 256
    fsize_mb: int = 64
    cpu_s: int = 1800
    nofile: int = 1024
    disk_mb: int = 1024

    def rlimits(self) -> dict:
        mb = 1024 * 1024
        return {"RLIMIT_AS": self.memory_mb * mb, "RLIMIT_NPROC": self.nproc,
                "RLIMIT_FSIZE": self.fsize_mb * mb, "RLIMIT_CPU": [self.cpu_s, self.cpu_s + 10],
                "RLIMIT_NOFILE": self.nofile, "RLIMIT_CORE": 0}


@dataclass
class Sandbox:
    """A prepared sandbox: folders, the user id to run as, and how to wrap the kernel command.

    Attributes
    ----------
    root : Path
        Private temporary folder (``work/`` = the kernel's cwd, ``home/``, ``run/``).
    isolation : {"bwrap", "rlimits"}
    reason : str
        Why this isolation was chosen (e.g. why bubblewrap could not be used).
    """

    root: Path
    isolation: str
    reason: str
    limits: Limits = field(default_factory=Limits)
    uid: int | None = None
    trusted: bool = False
    readonly: list = field(default_factory=list)
    hidden: list = field(default_factory=list)

    @property
    def public(self) -> Path:
        """The public copy of the package the kernel imports (``public/xaikit``)."""
        return self.root / "public"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def run(self) -> Path:
        return self.root / "run"

    def env(self, extra: dict | None = None) -> dict:
        """A scrubbed environment: nothing of the grader's except what Python needs."""
        from xaikit.datasets import data_dir
        from xaikit.models import cache_dir

        keep = {k: os.environ[k] for k in ("LANG", "LC_ALL", "TZ", "PYTHONHASHSEED")
                if k in os.environ}
        env = {**keep,
               "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
               "HOME": str(self.home), "TMPDIR": str(self.work), "IPYTHONDIR": str(self.home / ".ipython"),
               "MPLCONFIGDIR": str(self.home / ".matplotlib"), "JUPYTER_RUNTIME_DIR": str(self.run),
               "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"), "JUPYTER_DATA_DIR": str(self.home / ".jupyter-data"),
               "JUPYTER_PLATFORM_DIRS": "1",
               "XAIKIT_DATA_DIR": str(data_dir()), "XAIKIT_CACHE_DIR": str(cache_dir().parent),
               "PYTHONPATH": str(self.public),  # the public copy: no grader part, in every mode
               # figures show in the executed notebook, as they did in the candidate's JupyterLab
               "MPLBACKEND": "module://matplotlib_inline.backend_inline",
               "PYDEVD_DISABLE_FILE_VALIDATION": "1",
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "NUMBA_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
        env.update(extra or {})
        return env

    def wrap(self, cmd: list[str]) -> list[str]:
        """``cmd`` behind the launcher (limits, user id) and, with bwrap, the namespaces."""
        limits = self.limits.rlimits()
        if self.uid is None:
            # the kernel shares the grader's user id: RLIMIT_NPROC counts all of that user's
            # processes and threads, so allow the ones already running (root is exempt anyway)
            running = _user_tasks(os.getuid())
            if running is None:
                limits.pop("RLIMIT_NPROC")
            else:
                limits["RLIMIT_NPROC"] = running + self.limits.nproc
        inner = list(cmd)
        if self.isolation == "bwrap":
            # as root, bwrap runs privileged (keeping only CAP_SETUID/SETGID for the child) and
            # a second launcher inside the sandbox drops to the sandbox's user id
            cfg = {"limits": limits, "uid": None, "gid": None}
            if self.uid is not None:
                inner = [sys.executable, "-I", "-S", "-c", LAUNCHER,
                         json.dumps({"limits": {}, "uid": self.uid, "gid": self.uid,
                                     "cwd": str(self.work)})] + inner
            inner = bwrap_args(self) + ["--"] + inner
        else:
            cfg = {"limits": limits, "uid": self.uid, "gid": self.uid}
        inner[0] = shutil.which(inner[0]) or inner[0]  # absolute: the launcher uses execv
        return [sys.executable, "-I", "-S", "-c", LAUNCHER, json.dumps(cfg)] + inner

    def kill_all(self) -> None:
        """Kill every process left under the sandbox's own user id (escaped fork bombs...)."""
        if self.uid is None:
            return
        try:
            subprocess.run([sys.executable, "-I", "-S", "-c",
                            "import os,signal,sys; u=int(sys.argv[1]); os.setgroups([]); "
                            "os.setgid(u); os.setuid(u); os.kill(-1, signal.SIGKILL)",
                            str(self.uid)], timeout=10, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        except Exception:
            pass

    def cleanup(self) -> None:
        self.kill_all()

        def onerror(func, path, exc):
            try:
                os.chmod(os.path.dirname(path), 0o700)
                os.chmod(path, 0o700)
                func(path)
            except OSError:
                pass

        shutil.rmtree(self.root, onerror=onerror)


def _user_tasks(uid: int) -> int | None:
    """Processes + threads of ``uid`` (Linux /proc), or None where that cannot be counted."""
    if not os.path.isdir("/proc/self/task"):
        return None
    n = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            st = os.stat(f"/proc/{d}")
            if st.st_uid == uid:
                n += len(os.listdir(f"/proc/{d}/task"))
        except OSError:
            continue
    return n


def _world_readable(path: Path) -> bool:
    """Whether any user can reach ``path`` (every parent folder searchable by others)."""
    path = path.resolve()
    for p in [path, *path.parents]:
        try:
            mode = p.stat().st_mode
        except OSError:
            return False
        if p != path and not mode & 0o001:
            return False
    return bool(path.stat().st_mode & 0o004)


def _sandbox_uid(isolation: str) -> int | None:
    """A user id of the kernel's own when the grader is root (else None: same user).

    Without bubblewrap the kernel must still reach Python, the package and the data through
    the real file system; when one of them is private to root, the kernel keeps root's id.
    """
    if os.geteuid() != 0:
        return None
    if isolation != "bwrap":
        from xaikit.datasets import data_dir

        import xaikit
        needed = [Path(sys.base_prefix) / "lib", Path(sys.prefix), Path(xaikit.__file__),
                  data_dir()]
        if not all(_world_readable(p) for p in needed):
            return None
    return 200_000 + os.getpid() % 100_000


@functools.lru_cache(maxsize=None)
def bwrap_status() -> tuple[bool, str]:
    """Whether bubblewrap can run here, and why (not)."""
    if sys.platform != "linux":
        return False, f"bubblewrap needs Linux (this is {sys.platform})"
    exe = shutil.which("bwrap")
    if not exe:
        return False, "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="xaikit-probe-") as tmp:
        root = Path(tmp)
        for sub in ("work", "home", "run"):
            (root / sub).mkdir()
        uid = _sandbox_uid("bwrap")
        if uid is not None:
            os.chmod(root, 0o711)
            for sub in ("work", "home", "run"):
                os.chown(root / sub, uid, uid)
        sb = Sandbox(root=root, isolation="bwrap", reason="probe", uid=uid,
                     readonly=readonly_paths(), hidden=hidden_paths())
        try:
            r = subprocess.run(sb.wrap([sys.executable, "-I", "-S", "-c", "print('ok')"]),
                               capture_output=True, text=True, timeout=30, cwd=str(root))
        except Exception as e:  # pragma: no cover - depends on the machine
            return False, f"bwrap failed to start: {e}"
        if r.returncode != 0 or r.stdout.strip() != "ok":
            err = (r.stderr or "").strip().splitlines()
            return False, ("bwrap is installed but cannot create namespaces here ("
                           + (err[-1] if err else f"exit code {r.returncode}") + ")")
    return True, "bubblewrap: no network, read-only system, solutions/ and grader hidden"


class UnprotectedGrading(RuntimeError):
    """Grading would run untrusted code with the grader's own user id and no namespaces."""


UNPROTECTED = (
    "refusing to grade: {why}. Without bubblewrap the kernel would run with your own user id, "
    "so a hostile notebook could change your files and read anything you can. Three ways out: "
    "(1) install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap); (2) grade in a "
    "throw-away container (README, 'Threat model'); (3) for your own notebooks only, pass "
    "--trust-submissions (the report records it).")


def make_sandbox(isolation: str = "auto", limits: Limits | None = None,
                 trust: bool = False) -> Sandbox:
    """Create the private folders and choose the isolation.

    Parameters
    ----------
    isolation : {"auto", "bwrap", "rlimits"}
        ``auto`` uses bubblewrap where it works and falls back to rlimits otherwise;
        ``bwrap`` raises RuntimeError when it cannot be used.
    trust : bool, default False
        Allow the kernel to run with the grader's own user id and no namespaces (the
        submissions are the user's own). Without it that case raises.

    Raises
    ------
    UnprotectedGrading
        Neither bubblewrap nor a user id of the kernel's own is available and ``trust`` is
        False.
    """
    import tempfile

    env_choice = os.environ.get("XAIKIT_ISOLATION")
    if isolation == "auto" and env_choice in ("bwrap", "rlimits"):
        isolation = env_choice
    if isolation in ("auto", "bwrap"):
        ok, reason = bwrap_status()
        if not ok and isolation == "bwrap":
            raise RuntimeError(reason)
        chosen = "bwrap" if ok else "rlimits"
        if not ok:
            reason = "fallback to rlimits: " + reason
    elif isolation == "rlimits":
        chosen, reason = "rlimits", "rlimits requested (no namespaces: network and files " \
                                    "outside the working folder are not blocked)"
    else:
        raise ValueError(f"isolation must be auto, bwrap or rlimits, not {isolation!r}")
    parent = os.environ.get("XAIKIT_SANDBOX_DIR") or None  # default: the system's temp folder
    root = Path(tempfile.mkdtemp(prefix="xaikit-grade-", dir=parent))
    uid = _sandbox_uid(chosen)
    if uid is not None and chosen != "bwrap" and \
            not all(p.stat().st_mode & 0o001 for p in root.resolve().parents):
        uid = None  # the kernel could not reach its own folder under another user id
    if uid is None and os.geteuid() == 0:
        reason += "; the kernel runs as root (Python is not readable by other users), so " \
                  "the process-count limit does not apply"
    if chosen != "bwrap" and uid is None:
        if not trust:
            shutil.rmtree(root, ignore_errors=True)
            raise UnprotectedGrading(UNPROTECTED.format(why=reason))
        reason += "; trusted (--trust-submissions): the kernel runs with your user id"
    for sub in ("work", "home", "run"):
        (root / sub).mkdir()
    from xaikit.boundary import copy_public

    copy_public(root / "public")  # read-only for the kernel's user; never the grader part
    (root / "public").chmod(0o755)
    if uid is not None:  # the root folder stays root's (0711): only the sub-folders are writable
        os.chmod(root, 0o711)
        for sub in ("work", "home", "run"):
            os.chown(root / sub, uid, uid)
    return Sandbox(root=root, isolation=chosen, reason=reason, limits=limits or Limits(),
                   uid=uid, trusted=bool(trust and chosen != "bwrap" and uid is None),
                   readonly=readonly_paths() if chosen == "bwrap" else [],
                   hidden=hidden_paths() if chosen == "bwrap" else [])


def describe_exit(returncode) -> str:
    """'exit code 3' or 'signal SIGKILL' for a process return code."""
    if returncode is None:
        return "unknown exit status"
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    if 128 < returncode < 160:  # bubblewrap reports a signal as 128 + its number
        try:
            return f"killed by signal {signal.Signals(returncode - 128).name}"
        except ValueError:
            pass
    return f"exit code {returncode}"
