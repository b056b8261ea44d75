"""What the browser tests drive in each notebook that has widgets (data, not code).

One :class:`NotebookSpec` per notebook *stem* (``01_shap_vs_lime``); it applies to every copy
that exists under ``solutions/``, ``exercises/`` and ``notebooks/``. Selectors are the CSS
classes the widget modules give their controls and displays (``widget.add_class("xaikit-...")``).

- ``widgets``: the root of every widget the notebook must render (each must be visible).
- ``displays``: class -> ``"image"`` (a matplotlib figure in an ``Output``: the ``img`` ``src``
  must change) or ``"text"`` (an ``HTML``/``Label``: the visible text must change).
- ``controls``: each control is driven once; every display it lists must visibly change.
  ``kind`` is ``"dropdown"`` (select the next option), ``"toggle"`` (click an inactive
  button of a ``ToggleButtons``), ``"slider"`` (keyboard: End, or Home when already at the end),
  ``"checkbox"`` (click it) or ``"button"`` (click it). Controls are driven in the order listed.

Which copies are driven: the candidate's (``exercises/``) and guided (``notebooks/``) copies
always; the ``solutions/`` copy when the spec lists it in ``copies`` (01, the reference exercise)
or when no other copy exists yet. The widget cell is the same in a solution and its exercise, and
nbval already executes every solution, so driving both copies of every notebook would double the
browser time (~60 s) for little; ``XAIKIT_BROWSER_ALL_COPIES=1`` drives every copy.

A notebook that does not exist yet is simply not tested; a notebook that exists and whose
source uses ``xaikit.widgets`` or ``ipywidgets`` must have a spec here
(``test_every_widget_notebook_has_a_spec``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

FOLDERS = ("solutions", "exercises", "notebooks")


@dataclass(frozen=True)
class Control:
    css: str
    kind: str  # "dropdown" | "toggle" | "slider" | "checkbox" | "button"
    changes: tuple[str, ...]


@dataclass(frozen=True)
class NotebookSpec:
    stem: str
    widgets: tuple[str, ...]
    displays: dict = field(default_factory=dict)
    controls: tuple[Control, ...] = ()
    copies: tuple[str, ...] = ("exercises", "notebooks")


SPECS = [
    NotebookSpec(
        stem="01_shap_vs_lime",
        copies=FOLDERS,
        widgets=("xaikit-applicant-explorer",),
        displays={"xaikit-prediction": "text", "xaikit-shap-plot": "image",
                  "xaikit-lime-plot": "image"},
        controls=(
            Control("xaikit-applicant", "dropdown",
                    changes=("xaikit-prediction", "xaikit-shap-plot", "xaikit-lime-plot")),
            Control("xaikit-lime-mode", "toggle",
                    changes=("xaikit-prediction", "xaikit-lime-plot")),
        ),
    ),
]

#: HMDA features the counterfactual editor offers as sliders (``constraints.mutable_names``)
CF_MUTABLE = ("dir", "hir", "lvr", "ccs", "mcs")

SPECS += [
    NotebookSpec(
        stem="02_pdp_ice",
        widgets=("xaikit-effects-explorer",),
        displays={"xaikit-effect-plot": "image"},
        controls=(
            Control("xaikit-feature", "dropdown", changes=("xaikit-effect-plot",)),
            Control("xaikit-effect-view", "toggle", changes=("xaikit-effect-plot",)),
            Control("xaikit-n-lines", "slider", changes=("xaikit-effect-plot",)),
        ),
    ),
    NotebookSpec(
        stem="03_feature_importance",
        widgets=("xaikit-importance-explorer",),
        displays={"xaikit-importance-plot": "image"},
        controls=(
            Control("xaikit-importance-method", "toggle", changes=("xaikit-importance-plot",)),
            Control("xaikit-error-bars", "checkbox", changes=("xaikit-importance-plot",)),
            Control("xaikit-top-k", "slider", changes=("xaikit-importance-plot",)),
        ),
    ),
    NotebookSpec(
        stem="04_counterfactuals",
        widgets=("xaikit-cf-editor",),
        displays={"xaikit-cf-result": "text"},
        controls=(
            Control("xaikit-cf-applicant", "dropdown", changes=("xaikit-cf-result",)),
            *(Control(f"xaikit-cf-{name}", "slider", changes=("xaikit-cf-result",))
              for name in CF_MUTABLE),
            Control("xaikit-cf-reset", "button", changes=("xaikit-cf-result",)),
        ),
    ),
    NotebookSpec(
        stem="05_distillation",
        widgets=("xaikit-distill-explorer",),
        displays={"xaikit-distill-fidelity": "text", "xaikit-distill-plots": "image"},
        controls=(
            Control("xaikit-distill-depth", "slider",
                    changes=("xaikit-distill-fidelity", "xaikit-distill-plots")),
        ),
    ),
]



def _specs_from_files():
    """One file per newer exercise, ``tests/browser/specs/spec_<stem>.py`` defining ``SPEC``
    (a :class:`NotebookSpec`), so exercises added side by side do not edit one list."""
    import importlib.util
    from pathlib import Path

    found = []
    for path in sorted((Path(__file__).parent / "specs").glob("spec_*.py")):
        spec = importlib.util.spec_from_file_location(f"xaikit_browser_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.append(module.SPEC)
    return found


SPECS += _specs_from_files()
BY_STEM = {s.stem: s for s in SPECS}
