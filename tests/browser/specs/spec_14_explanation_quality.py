"""Browser spec of 14_explanation_quality: the explainers explorer (data toggle, row and feature
dropdowns, the move-to-mean slider)."""
from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="14_explanation_quality",
    widgets=("xaikit-eq-explorer",),
    displays={"xaikit-eq-summary": "text", "xaikit-eq-plot": "image"},
    controls=(
        Control("xaikit-eq-row", "dropdown", changes=("xaikit-eq-summary", "xaikit-eq-plot")),
        Control("xaikit-eq-feature", "dropdown",
                changes=("xaikit-eq-summary", "xaikit-eq-plot")),
        Control("xaikit-eq-move", "slider", changes=("xaikit-eq-summary", "xaikit-eq-plot")),
        Control("xaikit-eq-data", "toggle", changes=("xaikit-eq-summary", "xaikit-eq-plot")),
    ),
)
