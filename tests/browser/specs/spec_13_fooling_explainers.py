"""Browser spec of 13_fooling_explainers: the probe explorer (row and feature dropdowns)."""
from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="13_fooling_explainers",
    widgets=("xaikit-fooling-explorer",),
    displays={"xaikit-fooling-summary": "text", "xaikit-fooling-plot": "image"},
    controls=(
        Control("xaikit-fooling-row", "dropdown",
                changes=("xaikit-fooling-summary", "xaikit-fooling-plot")),
        Control("xaikit-fooling-feature", "dropdown",
                changes=("xaikit-fooling-summary", "xaikit-fooling-plot")),
    ),
)
