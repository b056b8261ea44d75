"""What bubblewrap shows the grading kernel: the read-only paths, the hidden ones, and the
command line (:func:`bwrap_args`). Used by :mod:`xaikit.grading.sandbox`."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


def _python_paths() -> list[Path]:
    """Folders the kernel's Python needs: the installations, site-packages and the folders
    their ``.pth`` files add (an editable install's ``src/``). Not the rest of ``sys.path``
    (it may hold the current folder or a test folder)."""
    import site

    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(sys.executable).resolve().parent.parent}
    sites = [Path(p) for p in site.getsitepackages() if Path(p).is_dir()]
    for sp in sites:
        paths.add(sp.resolve())
        for pth in sp.glob("*.pth"):
            try:
                lines = pth.read_text().splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if line and not line.startswith(("#", "import")) and Path(line).is_dir():
                    paths.add(Path(line).resolve())
    return sorted(paths)


def _minimal(paths) -> list[Path]:
    """Drop paths already inside another one of the list."""
    out = []
    for p in sorted(set(paths), key=lambda q: len(q.parts)):
        if not any(p == q or q in p.parents for q in out):
            out.append(p)
    return sorted(out)


def readonly_paths() -> list[Path]:
    """What the kernel may read: Python, the datasets, the model cache (the package itself
    comes as the public copy in the sandbox's own folder)."""
    from xaikit.datasets import data_dir
    from xaikit.models import cache_dir

    paths = _python_paths() + [data_dir().resolve()]
    cache = cache_dir().resolve()
    variants = (cache_dir().parent / "variants").resolve()  # planted data (not its truth)
    paths += [p for p in (cache, variants) if p.is_dir()]
    # never the system folders themselves (bound separately) nor the filesystem root
    return [p for p in _minimal(paths) if str(p) not in SYSTEM_DIRS and p != Path("/")]


def hidden_paths() -> list[Path]:
    """Inside the read-only paths, what stays hidden: the installed package (public and grader
    part: the kernel imports the public copy) and the solutions."""
    import xaikit

    pkg = Path(xaikit.__file__).resolve().parent
    hidden = [pkg]
    for root in (pkg.parent, pkg.parent.parent):  # a project checkout around the package
        if (root / "solutions").is_dir():
            hidden.append(root / "solutions")
    return hidden


def bwrap_args(sb) -> list[str]:
    """The bwrap command-line prefix for sandbox ``sb`` (:class:`~xaikit.grading.sandbox.Sandbox`)."""
    if sb.uid is not None:  # root: no user namespace needed; keep what the inner launcher needs
        ns = ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
              "--unshare-cgroup-try", "--cap-drop", "ALL", "--cap-add", "CAP_SETUID",
              "--cap-add", "CAP_SETGID"]
    else:
        ns = ["--unshare-all"]
    args = [shutil.which("bwrap") or "bwrap", *ns, "--die-with-parent", "--hostname", "sandbox",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp"]
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    made = set()
    for p in [*sb.readonly, sb.root]:
        for parent in reversed(p.parents):  # parents of binds: searchable by the sandbox user
            if parent == Path("/") or str(parent) in made or str(parent) in SYSTEM_DIRS \
                    or any(parent == r or r in parent.parents for r in sb.readonly):
                continue
            made.add(str(parent))
            args += ["--perms", "0755", "--dir", str(parent)]
        if p != sb.root:
            args += ["--ro-bind", str(p), str(p)]
    for p in sb.hidden:
        if p.is_dir() and any(p == r or r in p.parents for r in sb.readonly):
            args += ["--tmpfs", str(p)]
    args += ["--bind", str(sb.root), str(sb.root)]
    if sb.uid is None:
        args += ["--chdir", str(sb.work)]
    return args
