"""What surrounds the grading kernel: the template notebook a submission is compared with, the
folders the kernel may read without a flag, and the pre-scorer that scores answers while the
kernel still runs."""
from __future__ import annotations

import json
import os
from pathlib import Path


def reference_notebook(exercise):
    """The original exercise notebook (for the structure check), or None if not found."""
    import nbformat

    import xaikit

    root = Path(xaikit.__file__).resolve().parents[2]
    for folder, build in (("exercises", False), ("solutions", True)):
        p = root / folder / exercise.notebook
        if p.is_file():
            try:
                nb = nbformat.read(p, as_version=4)
                if build:
                    from xaikit.grading.notebook import build_exercise

                    nb = build_exercise(nb)
                return nb
            except Exception:
                return None
    return None


def allowed_read_paths(sandbox) -> list[str]:
    """Folders the kernel may open files in without a ``file_outside_workdir`` flag."""
    from xaikit.datasets import data_dir
    from xaikit.grading.bwrap import _python_paths
    from xaikit.models import cache_dir

    paths = [sandbox.root, data_dir().resolve(), cache_dir().resolve(),
             (cache_dir().parent / "variants").resolve(), *_python_paths(),
             Path(os.path.realpath(sandbox.root))]
    system = ["/usr", "/lib", "/lib64", "/etc/fonts", "/etc/matplotlibrc", "/etc/localtime",
              "/etc/ld.so.cache", "/etc/mime.types", "/etc/os-release", "/etc/timezone",
              "/etc/ssl", "/etc/pki", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
              "/etc/host.conf", "/etc/hosts", "/etc/resolv.conf", "/etc/gai.conf",
              "/dev/null", "/dev/urandom", "/dev/random", "/dev/shm", "/proc/self",
              "/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/sys/devices/system/cpu",
              "/sys/fs/cgroup", "/proc/sys/kernel"]
    return [str(p) for p in paths] + system


class _Prescorer:
    """While the kernel runs, score the answers it has written so far (in a thread of the
    grader), so the reference computations the checks cache are mostly done by the time the
    notebook ends. Only a speed-up: the final scoring runs afterwards on the final answers."""

    def __init__(self, path: Path, exercise_id: str, variant: int, names):
        import threading

        self._path, self._args, self._names = path, (exercise_id, variant), names
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        from xaikit.grading.collect import decode_answers, read_json_file
        from xaikit.exercises import graded_exercise, reference_context, run_check

        seen, checked = None, {}
        while not self._stop.wait(1.0):
            try:
                st = os.stat(self._path, follow_symlinks=False)
                if (st.st_mtime_ns, st.st_size) == seen:
                    continue
                seen = (st.st_mtime_ns, st.st_size)
                data = read_json_file(self._path)
                raw = (data or {}).get("answers") or {}
                ctx = reference_context(*self._args)
                for q in graded_exercise(self._args[0]).questions:
                    if q.kind != "auto" or self._stop.is_set():
                        continue
                    key = json.dumps([raw.get(n) for n in q.answers], sort_keys=True)
                    if checked.get(q.id) == key:
                        continue  # this question's answers did not change
                    checked[q.id] = key
                    run_check(q, decode_answers(raw, list(q.answers)), ctx)
            except Exception:
                continue

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=120)
