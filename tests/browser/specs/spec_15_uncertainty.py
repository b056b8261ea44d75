"""Browser spec of 15_uncertainty: the bootstrap explorer (a histogram of importance draws)."""
from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="15_uncertainty",
    widgets=("xaikit-uncertainty-explorer",),
    displays={"xaikit-uncertainty-plot": "image"},
    controls=(
        Control("xaikit-uncertainty-feature", "dropdown", changes=("xaikit-uncertainty-plot",)),
        Control("xaikit-uncertainty-draws", "slider", changes=("xaikit-uncertainty-plot",)),
        Control("xaikit-uncertainty-source", "toggle", changes=("xaikit-uncertainty-plot",)),
    ),
)
