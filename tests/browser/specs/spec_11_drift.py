"""Browser spec of 11_drift: the shift explorer (feature dropdown, shift slider)."""
from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="11_drift",
    widgets=("xaikit-drift-explorer",),
    displays={"xaikit-drift-summary": "text", "xaikit-drift-plot": "image"},
    controls=(
        Control("xaikit-drift-feature", "dropdown",
                changes=("xaikit-drift-summary", "xaikit-drift-plot")),
        Control("xaikit-drift-shift", "slider",
                changes=("xaikit-drift-summary", "xaikit-drift-plot")),
    ),
)
