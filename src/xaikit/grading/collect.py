"""The grader's cells that carry answers out of the candidate's kernel as JSON.

Two cells are added to a submission before it runs, both embedding the source of
:mod:`xaikit.answers` (standard library only), so nothing is imported from xaikit inside the
kernel and nothing is unpickled in the grader:

- a **setup cell** (first, run without history) registers an IPython ``post_run_cell`` hook that
  writes the declared answer variables to ``__xaikit_answers__.json`` after *every* cell
  (atomically), so a later crash, timeout or ``os._exit`` does not lose what was answered
  before; and a ``sys.addaudithook`` hook (which cannot be removed) that records opening files
  outside the allowed folders, network connections and starting processes;
- a **collection cell** (last) writes the final answers to ``__xaikit_final__.json``.

The grader reads these files with :func:`read_json_file`: regular files only (no symlinks, FIFOs
or devices), size-capped, strict JSON, then decodes with :func:`xaikit.answers.decode`.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import xaikit.answers as _answers

ANSWERS_FILE = "__xaikit_answers__.json"
FINAL_FILE = "__xaikit_final__.json"
MAX_ANSWERS_BYTES = 50_000_000
MAX_EVENTS = 200

_SETUP = r'''
def __xaikit_setup(__names, __path, __codec, __allowed, __maxev, __denied=()):
    import json as _json, os as _os, sys as _sys
    __ns = {'__name__': '__xaikit_codec__'}
    exec(__codec, __ns)
    _encode = __ns['encode']
    _realpath, _replace, _dumps = _os.path.realpath, _os.replace, _json.dumps
    _allowed, _denied = tuple(__allowed), tuple(__denied)
    _events, _seen, _busy, _count = [], set(), [False], [0]

    def _note(kind, detail):
        key = (kind, detail)
        if key not in _seen and len(_events) < __maxev:
            _seen.add(key)
            _events.append([kind, detail])

    def _path_event(p):
        if isinstance(p, bytes):
            p = p.decode('utf-8', 'replace')
        if isinstance(p, str) and p:
            rp = _realpath(p)
            parts = rp.split('/')
            if len(parts) > 2 and parts[1] == 'proc' and parts[2].isdigit():
                return  # the process's own /proc entries (/proc/self resolves to a pid)
            if not (rp + '/').startswith(_allowed) or (rp + '/').startswith(_denied):
                _note('file', rp[:300])

    def _audit(event, args):
        if _busy[0]:
            return
        try:
            if event == 'open':
                _path_event(args[0])
            elif event in ('os.listdir', 'os.scandir') and args and args[0] is not None:
                _path_event(args[0])
            elif event in ('socket.connect', 'socket.sendto', 'socket.sendmsg'):
                _note('network', repr(args[1])[:200])
            elif event == 'socket.getaddrinfo':
                _note('network', repr(args[0])[:200])
            elif event in ('subprocess.Popen', 'os.system', 'os.posix_spawn', 'os.exec',
                           'os.spawn', 'os.fork', 'os.forkpty'):
                exe = str(args[0]) if args else ''
                if _os.path.basename(exe) not in ('fc-list', 'fc-match', 'uname', 'lscpu',
                                                  'nproc', 'ldconfig', 'sysctl'):
                    _note('process', event + ' ' + repr(args[:2])[:200])
        except Exception:
            pass

    _sys.addaudithook(_audit)

    def _collect(*_):
        _busy[0] = True
        try:
            _count[0] += 1
            g = get_ipython().user_ns
            out = {}
            for n in __names:
                if n in g:
                    try:
                        out[n] = _encode(g[n])
                    except Exception as e:
                        out[n] = {'__unsupported__': type(e).__name__ + ': ' + str(e)[:200]}
            text = _dumps({'answers': out, 'events': _events, 'cells': _count[0]},
                          allow_nan=False)
            tmp = __path + '.tmp'
            try:
                _os.unlink(tmp)
            except OSError:
                pass
            fd = _os.open(tmp, _os.O_WRONLY | _os.O_CREAT | _os.O_EXCL | _os.O_NOFOLLOW, 0o600)
            with open(fd, 'w') as f:
                f.write(text)
            _replace(tmp, __path)
        except BaseException:
            pass
        finally:
            _busy[0] = False

    get_ipython().events.register('post_run_cell', _collect)
'''


def setup_source(names, allowed, out_file: str = ANSWERS_FILE, denied=()) -> str:
    """Python source of the grader's first cell (per-cell answers and the audit hook).

    ``allowed``: folder prefixes the kernel may open files in without a flag; ``denied``:
    prefixes inside those that are flagged all the same (the installed package, whose grader
    part the kernel must not read).
    """
    codec = Path(_answers.__file__).read_text()
    prefixes = sorted({str(a).rstrip("/") + "/" for a in allowed})
    deny = sorted({str(a).rstrip("/") + "/" for a in denied})
    return (_SETUP + f"__xaikit_setup({json.dumps(list(names))}, {out_file!r}, {codec!r}, "
            f"{json.dumps(prefixes)}, {MAX_EVENTS}, {json.dumps(deny)})\ndel __xaikit_setup\n")


def collection_source(names, out_file: str = FINAL_FILE) -> str:
    """Python source of the collection cell for the answer variables ``names``."""
    codec = Path(_answers.__file__).read_text()
    return (
        "def __xaikit_collect(__names, __path, __codec):\n"
        "    __ns = {'__name__': '__xaikit_codec__'}\n"
        "    exec(__codec, __ns)\n"
        "    __g = globals()\n"
        "    __out = {}\n"
        "    for __n in __names:\n"
        "        if __n in __g:\n"
        "            try:\n"
        "                __out[__n] = __ns['encode'](__g[__n])\n"
        "            except Exception as __e:\n"
        "                __out[__n] = {'__unsupported__': type(__e).__name__ + ': ' + str(__e)[:200]}\n"
        "    import os as __os\n"
        "    try:\n"
        "        __os.unlink(__path)\n"
        "    except OSError:\n"
        "        pass\n"
        "    __fd = __os.open(__path, __os.O_WRONLY | __os.O_CREAT | __os.O_EXCL | __os.O_NOFOLLOW, 0o600)\n"
        "    with open(__fd, 'w') as __f:\n"
        "        __f.write(__ns['json'].dumps(__out, allow_nan=False))\n"
        f"__xaikit_collect({json.dumps(list(names))}, {out_file!r}, {codec!r})\n"
        "del __xaikit_collect\n"
    )


class CollectError(RuntimeError):
    """The answers file is missing, too large, not a regular file or not valid JSON."""


def read_json_file(path: Path, max_bytes: int = MAX_ANSWERS_BYTES):
    """Parse a JSON file the kernel wrote, defensively.

    Opens without following symlinks, refuses anything but a regular file, reads at most
    ``max_bytes``. Raises :class:`CollectError`.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise CollectError("the kernel wrote no answers file (it crashed or was stopped "
                           "before the end of the notebook)") from None
    except OSError as e:
        raise CollectError(f"the answers file cannot be opened safely ({e.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise CollectError("the answers file is not a regular file")
        if st.st_size > max_bytes:
            raise CollectError(f"the answers are larger than {max_bytes} bytes")
        with os.fdopen(fd, "rb") as f:
            fd = None
            raw = f.read(max_bytes + 1)
    finally:
        if fd is not None:
            os.close(fd)
    if len(raw) > max_bytes:
        raise CollectError(f"the answers are larger than {max_bytes} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise CollectError(f"the answers file is not valid JSON: {str(e)[:200]}") from None


def decode_answers(data, names) -> dict:
    """``{name: value}`` for the declared ``names`` only, decoded in this process."""
    if not isinstance(data, dict):
        raise CollectError("the answers file does not hold a mapping")
    out = {}
    for n in names:
        if n in data:
            try:
                out[n] = _answers.decode(data[n])
            except Exception as e:  # malformed tags written by hand
                out[n] = _answers.Unsupported(f"undecodable answer ({type(e).__name__})")
    return out


def read_answers(path: Path, max_bytes: int = MAX_ANSWERS_BYTES) -> dict:
    """Decode an answers file written by :func:`collection_source` (all names in it)."""
    data = read_json_file(path, max_bytes)
    if not isinstance(data, dict):
        raise CollectError("the answers file does not hold a mapping")
    return decode_answers(data, list(data))
