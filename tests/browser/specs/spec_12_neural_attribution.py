"""Browser spec of 12_neural_attribution: the digit explorer (one occlusion patch at a time)."""
from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="12_neural_attribution",
    widgets=("xaikit-digit-explorer",),
    displays={"xaikit-digit-plot": "image", "xaikit-digit-prediction": "text"},
    controls=(
        Control("xaikit-digit", "dropdown",
                changes=("xaikit-digit-plot", "xaikit-digit-prediction")),
        Control("xaikit-patch-row", "slider", changes=("xaikit-digit-plot",)),
        Control("xaikit-patch-col", "slider", changes=("xaikit-digit-plot",)),
        Control("xaikit-patch-size", "toggle", changes=("xaikit-digit-plot",)),
    ),
)
