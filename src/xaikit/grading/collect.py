"""The cell the grader appends to a submission to carry its answers out as JSON.

The cell embeds the source of :mod:`xaikit.answers` (standard library only), so it imports
nothing from xaikit inside the candidate's kernel; the grader then reads the JSON file and
decodes it in its own process. Nothing is unpickled.
"""
from __future__ import annotations

import json
from pathlib import Path

import xaikit.answers as _answers

ANSWERS_FILE = "__xaikit_answers__.json"


def collection_source(names, out_file: str = ANSWERS_FILE) -> str:
    """Python source of the collection cell for the answer variable ``names``."""
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
        "    with open(__path, 'w') as __f:\n"
        "        __f.write(__ns['json'].dumps(__out, allow_nan=False))\n"
        f"__xaikit_collect({json.dumps(list(names))}, {out_file!r}, {codec!r})\n"
        "del __xaikit_collect\n"
    )


class CollectError(RuntimeError):
    """The answers file is missing, too large or not valid JSON."""


def read_answers(path: Path, max_bytes: int = 50_000_000) -> dict:
    """Decode the answers file written by the collection cell.

    Raises
    ------
    CollectError
        If the file is missing, larger than ``max_bytes``, or not valid JSON.
    """
    if not path.is_file():
        raise CollectError("the kernel wrote no answers file (it crashed or was stopped "
                           "before the end of the notebook)")
    if path.stat().st_size > max_bytes:
        raise CollectError(f"the answers are larger than {max_bytes} bytes")
    try:
        return _answers.loads(path.read_text())
    except (ValueError, TypeError) as e:
        raise CollectError(f"the answers file is not valid JSON: {e}") from None
