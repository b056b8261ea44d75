"""Plain-data codec for answers crossing from a candidate's kernel to the grader.

This module is deliberately self-contained (standard library only at import time, numpy and
pandas duck-typed) because its source text is embedded verbatim in the collection cell the
grader appends to a submission: the kernel encodes the declared answer variables to JSON and
the grader decodes them. Nothing is ever pickled or imported from the candidate's side.

The notebook self-check uses the same round trip (``decode(encode(value))``), so a check sees
exactly the same types in the notebook and in the grader.
"""
import json
import math

MAX_ELEMENTS = 2_000_000  # total numbers/strings across one answer
MAX_DEPTH = 16
MAX_STRING = 100_000


class AnswerTooLarge(ValueError):
    """An answer exceeds the size limits of the codec."""


def _budget_take(budget, n):
    budget[0] -= n
    if budget[0] < 0:
        raise AnswerTooLarge(f"answer has more than {MAX_ELEMENTS} elements")


def _scalar(v):
    if isinstance(v, float) and not math.isfinite(v):
        return {"__float__": repr(v)}
    return v


def encode(value, _depth=0, _budget=None):
    """Encode ``value`` as JSON-compatible plain data.

    Supports None, bool, int, float (NaN/inf kept as tagged strings), str, list, tuple,
    dict with string keys, numpy arrays and scalars, pandas Series and DataFrames.
    Anything else becomes ``{"__unsupported__": "<type name>"}``.

    Raises
    ------
    AnswerTooLarge
        If the value holds more than ``MAX_ELEMENTS`` elements or nests deeper than
        ``MAX_DEPTH``.
    """
    budget = _budget if _budget is not None else [MAX_ELEMENTS]
    if _depth > MAX_DEPTH:
        raise AnswerTooLarge(f"answer nests deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _scalar(value)
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise AnswerTooLarge(f"string longer than {MAX_STRING} characters")
        return value
    tname = type(value).__module__.split(".")[0] + "." + type(value).__name__
    if tname.startswith("numpy.") and hasattr(value, "dtype") and hasattr(value, "shape"):
        if value.shape == ():  # numpy scalar or 0-d array
            return encode(value.item(), _depth + 1, budget)
        _budget_take(budget, int(value.size))
        kind = value.dtype.kind
        if kind in "biuf":
            flat = [_scalar(float(x)) if kind == "f" else int(x) for x in value.ravel().tolist()]
            return {"__ndarray__": flat, "shape": list(value.shape),
                    "dtype": "float64" if kind == "f" else ("bool" if kind == "b" else "int64")}
        if kind in "UO":
            return {"__ndarray__": [encode(x, _depth + 1, budget) for x in value.ravel().tolist()],
                    "shape": list(value.shape), "dtype": "object"}
        return {"__unsupported__": f"numpy array of dtype {value.dtype}"}
    if tname.startswith("pandas.") and type(value).__name__ == "Series":
        return {"__series__": encode(value.to_numpy(), _depth + 1, budget),
                "index": encode([str(i) for i in value.index], _depth + 1, budget),
                "name": None if value.name is None else str(value.name)}
    if tname.startswith("pandas.") and type(value).__name__ == "DataFrame":
        return {"__frame__": {str(c): encode(value[c].to_numpy(), _depth + 1, budget)
                              for c in value.columns},
                "index": encode([str(i) for i in value.index], _depth + 1, budget),
                "columns": [str(c) for c in value.columns]}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        _budget_take(budget, len(items))
        return [encode(x, _depth + 1, budget) for x in items]
    if isinstance(value, dict):
        _budget_take(budget, len(value))
        out = {}
        for k, v in value.items():
            key = k if isinstance(k, str) else str(k)
            if key.startswith("__") and key.endswith("__"):
                key = " " + key  # never collides with a type tag
            out[key] = encode(v, _depth + 1, budget)
        return out
    return {"__unsupported__": type(value).__name__}


def dumps(answers):
    """Encode a mapping ``{name: value}`` to a JSON string (NaN-free, strict JSON)."""
    return json.dumps({k: encode(v) for k, v in answers.items()}, allow_nan=False)


class Unsupported:
    """Stands for a value the codec could not carry (a function, a model object...)."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"Unsupported({self.type_name!r})"


def decode(data):
    """Inverse of :func:`encode`; arrays come back as numpy arrays.

    pandas Series come back as ``pandas.Series`` and DataFrames as ``pandas.DataFrame``.
    """
    import numpy as np

    if isinstance(data, list):
        return [decode(x) for x in data]
    if not isinstance(data, dict):
        return data
    if "__float__" in data:
        return float(data["__float__"])
    if "__unsupported__" in data:
        return Unsupported(data["__unsupported__"])
    if "__ndarray__" in data:
        dtype = data.get("dtype", "float64")
        shape = tuple(int(s) for s in data.get("shape", []))
        flat = [decode(x) for x in data["__ndarray__"]]
        if dtype == "object":
            arr = np.empty(len(flat), dtype=object)
            arr[:] = flat
        else:
            arr = np.asarray(flat, dtype=dtype)
        return arr.reshape(shape)
    if "__series__" in data:
        import pandas as pd

        return pd.Series(decode(data["__series__"]), index=decode(data["index"]),
                         name=data.get("name"))
    if "__frame__" in data:
        import pandas as pd

        cols = data.get("columns", list(data["__frame__"]))
        return pd.DataFrame({c: decode(data["__frame__"][c]) for c in cols},
                            index=decode(data["index"]))[cols]
    return {(k[1:] if k.startswith(" __") else k): decode(v) for k, v in data.items()}


def loads(text):
    """Decode a JSON string written by :func:`dumps` into ``{name: value}``."""
    return {k: decode(v) for k, v in json.loads(text).items()}


def roundtrip(value):
    """``decode(encode(value))``: what the grader would see of ``value``."""
    return decode(encode(value))
