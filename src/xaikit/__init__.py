"""xaikit: hands-on ML-interpretability assessments in Jupyter.

Heavy libraries (shap, lime, xgboost, sklearn) are imported lazily by the submodules that need
them, so ``import xaikit`` stays cheap.
"""
__version__ = "0.1.0"

__all__ = ["open_exercise", "__version__"]


def open_exercise(exercise_id, variant=0, mode="practice"):
    """Open an exercise in a notebook; see :func:`xaikit.exercises.open_exercise`."""
    from xaikit.exercises import open_exercise as _open

    return _open(exercise_id, variant=variant, mode=mode)
