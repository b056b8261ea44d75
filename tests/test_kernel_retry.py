"""The root conftest restarts a kernel that dies while starting, and only then."""
import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "root_conftest", Path(__file__).resolve().parents[1] / "conftest.py")
conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conftest)


def test_a_kernel_that_dies_while_starting_is_started_again():
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) < 2:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "km", "kc"

    assert conftest._retrying(flaky)(kernel_name="python3") == ("km", "kc")
    assert len(calls) == 2


def test_it_gives_up_after_three_attempts_and_passes_other_errors_through():
    calls = []

    def dead(**kwargs):
        calls.append(1)
        raise RuntimeError("Kernel died before replying to kernel_info")

    with pytest.raises(RuntimeError):
        conftest._retrying(dead)()
    assert len(calls) == conftest.ATTEMPTS

    def broken(**kwargs):
        raise ValueError("no such kernel")

    with pytest.raises(ValueError):
        conftest._retrying(broken)()


def test_nbval_uses_the_retrying_start():
    import nbval.kernel

    assert hasattr(nbval.kernel.start_new_kernel, "__wrapped__")
