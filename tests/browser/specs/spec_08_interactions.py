"""Browser spec of 08_interactions: the interaction explorer (one row's prediction slices)."""
from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="08_interactions",
    widgets=("xaikit-interaction-explorer",),
    displays={"xaikit-interaction-plot": "image"},
    controls=(
        Control("xaikit-interaction-by", "dropdown", changes=("xaikit-interaction-plot",)),
        Control("xaikit-interaction-feature", "dropdown", changes=("xaikit-interaction-plot",)),
        Control("xaikit-interaction-row", "slider", changes=("xaikit-interaction-plot",)),
        Control("xaikit-interaction-data", "toggle", changes=("xaikit-interaction-plot",)),
    ),
)
