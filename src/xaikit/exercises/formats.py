"""Answer formats: the take-home self-check validates type, shape and range, never correctness.

An exercise declares a spec per answer name (``Exercise.formats``). Spec keys:

``type``
    ``number`` | ``integer`` | ``array`` | ``list`` | ``dict`` | ``str`` | ``bool``;
``shape``
    arrays: a list of ints (``None`` for any length);
``length``, ``items``
    lists: the number of items and the spec of each item;
``keys``
    dicts: ``{key: spec}`` of the keys that must be present;
``range``
    ``[low, high]`` (either may be ``None``) for numbers and array entries;
``choices``
    strings (or list items): the allowed values, e.g. the feature names.

An answer without a spec must only be encodable and finite. This is the whole of what a
take-home notebook, a pack and the grading kernel know about an answer: the checks, hints and
references are in the exercise's grader part.
"""
from __future__ import annotations

import numpy as np

from xaikit.answers import Unsupported
from xaikit.exercises.framework import NOT_ATTEMPTED, CheckResult

__all__ = ["FormatProblem", "validate", "format_check"]


class FormatProblem(ValueError):
    """An answer does not have the declared format; the message starts with its name."""


def _check_range(name, values, spec):
    lo, hi = (spec.get("range") or [None, None])
    for v in values:
        if lo is not None and v < lo or hi is not None and v > hi:
            raise FormatProblem(f"`{name}` has values outside [{lo}, {hi}].")


def _numeric(name, value):
    import pandas as pd

    if isinstance(value, (pd.Series, pd.DataFrame)):
        value = value.to_numpy()
    if isinstance(value, (str, bytes, dict)):
        raise FormatProblem(f"`{name}` should be numeric, got {type(value).__name__}.")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise FormatProblem(f"`{name}` should be numeric, got {type(value).__name__}.") from None


def validate(name: str, value, spec: dict | None) -> None:
    """Raise :class:`FormatProblem` when ``value`` does not match ``spec``.

    Parameters
    ----------
    name : str
        The answer's variable name (used in the message).
    value : object
        The answer after a JSON round trip (:func:`xaikit.answers.roundtrip`).
    spec : dict or None
        See the module docstring.
    """
    if isinstance(value, Unsupported):
        raise FormatProblem(f"`{name}` holds a {value.type_name}, which cannot be graded: "
                            "store plain numbers, strings, lists, dicts or numpy/pandas objects.")
    spec = spec or {}
    kind = spec.get("type")
    if kind in ("number", "integer", "array"):
        arr = _numeric(name, value)
        if kind in ("number", "integer") and arr.size != 1:
            raise FormatProblem(f"`{name}` should be a single number, got shape {arr.shape}.")
        shape = spec.get("shape")
        if kind == "array" and shape is not None:
            ok = arr.ndim == len(shape) and all(s is None or s == a
                                                for s, a in zip(shape, arr.shape))
            if not ok:
                want = "(" + ", ".join("n" if s is None else str(s) for s in shape) + \
                       ("," if len(shape) == 1 else "") + ")"
                raise FormatProblem(f"`{name}` should have shape {want}, got {arr.shape}.")
        if not np.all(np.isfinite(arr)):
            raise FormatProblem(f"`{name}` contains NaN or infinite values.")
        if kind == "integer" and (isinstance(value, (bool, np.bool_))
                                  or float(arr.ravel()[0]) != int(arr.ravel()[0])):
            raise FormatProblem(f"`{name}` should be a whole number, got {float(arr.ravel()[0]):g}.")
        _check_range(name, arr.ravel().tolist(), spec)
    elif kind == "str":
        if not isinstance(value, str):
            raise FormatProblem(f"`{name}` should be a string, got {type(value).__name__}.")
        choices = spec.get("choices")
        if choices is not None and value not in choices:
            raise FormatProblem(f"`{name}` should be one of {sorted(choices)[:20]}, got "
                                f"{value[:60]!r}.")
    elif kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise FormatProblem(f"`{name}` should be True or False.")
    elif kind == "list":
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if not isinstance(value, (list, tuple)):
            raise FormatProblem(f"`{name}` should be a list, got {type(value).__name__}.")
        if spec.get("length") is not None and len(value) != spec["length"]:
            raise FormatProblem(f"`{name}` should hold {spec['length']} items, got "
                                f"{len(value)}.")
        for i, v in enumerate(value):
            validate(f"{name}[{i}]", v, spec.get("items"))
    elif kind == "dict":
        if not isinstance(value, dict):
            raise FormatProblem(f"`{name}` should be a dict, got {type(value).__name__}.")
        for key, sub in (spec.get("keys") or {}).items():
            if key not in value:
                raise FormatProblem(f"`{name}` has no key {key!r} (it has {sorted(value)}).")
            validate(f"{name}[{key!r}]", value[key], sub)
    elif kind is None:  # no declared format: it must at least be finite if numeric
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return
        if not np.all(np.isfinite(arr)):
            raise FormatProblem(f"`{name}` contains NaN or infinite values.")
    else:
        raise ValueError(f"unknown format type {kind!r} for `{name}`")


def format_check(question, answers: dict, formats: dict) -> CheckResult:
    """The take-home self-check of one question: recorded and well-formed, or what is wrong.

    Parameters
    ----------
    question : xaikit.exercises.framework.Question
    answers : dict
        ``{name: value}`` after a JSON round trip.
    formats : dict
        ``{name: spec}`` (:meth:`Exercise.answer_formats`).

    Returns
    -------
    CheckResult
        ``not_attempted`` when every answer is still None; ``incorrect`` with a message that
        starts with the variable's name for a format problem or a missing part; otherwise
        ``correct`` with feedback ``"recorded"`` (it says nothing about correctness).
    """
    values = {n: answers.get(n) for n in question.answers}
    if all(v is None for v in values.values()):
        return NOT_ATTEMPTED
    try:
        for n, v in values.items():
            if v is not None:
                validate(n, v, formats.get(n))
    except FormatProblem as e:
        return CheckResult("incorrect", 0.0, str(e))
    missing = [n for n, v in values.items() if v is None]
    if missing:
        return CheckResult("incorrect", 0.0, ", ".join(f"`{n}`" for n in missing)
                           + " still None.")
    return CheckResult("correct", 1.0, "recorded")
