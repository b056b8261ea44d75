"""The JSON answer codec: what crosses from the candidate's kernel to the grader."""
import json

import numpy as np
import pandas as pd
import pytest

from xaikit import answers


@pytest.mark.parametrize("value", [
    None, True, 3, 2.5, "text", [1, "a", None], {"a": [1, 2], "b": {"c": 1.5}},
    (1, 2), np.float32(1.25), np.int64(7),
])
def test_plain_values_round_trip(value):
    out = answers.roundtrip(value)
    expected = list(value) if isinstance(value, tuple) else value
    assert out == pytest.approx(expected) if isinstance(expected, float) else out == expected


def test_arrays_keep_shape_and_values():
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    out = answers.roundtrip(a)
    assert isinstance(out, np.ndarray) and out.shape == (3, 4)
    np.testing.assert_array_equal(out, a.astype(float))


def test_nan_and_inf_survive_as_values_in_strict_json():
    text = answers.dumps({"x": np.array([np.nan, np.inf, 1.0])})
    json.loads(text)  # strict JSON: no bare NaN
    x = answers.loads(text)["x"]
    assert np.isnan(x[0]) and np.isinf(x[1]) and x[2] == 1.0


def test_pandas_objects_come_back_as_pandas():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}, index=[10, 11])
    out = answers.roundtrip(df)
    assert list(out.columns) == ["a", "b"] and list(out["b"]) == ["x", "y"]
    s = answers.roundtrip(pd.Series([0.5, 0.25], index=["p", "q"], name="w"))
    assert s.name == "w" and list(s.index) == ["p", "q"]


def test_unsupported_objects_are_marked_not_executed():
    out = answers.roundtrip(lambda x: x)
    assert isinstance(out, answers.Unsupported)


def test_dict_keys_cannot_forge_type_tags():
    forged = {"__ndarray__": [1, 2], "shape": [2]}
    assert answers.roundtrip(forged) == forged


def test_huge_answers_are_refused():
    with pytest.raises(answers.AnswerTooLarge):
        answers.encode(np.zeros(answers.MAX_ELEMENTS + 1))
