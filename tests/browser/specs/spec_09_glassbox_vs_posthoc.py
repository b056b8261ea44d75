"""Browser spec of 09_glassbox_vs_posthoc: the SHAP dependence explorer."""
from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="09_glassbox_vs_posthoc",
    widgets=("xaikit-glassbox-explorer",),
    displays={"xaikit-glassbox-plot": "image", "xaikit-glassbox-summary": "text"},
    controls=(
        Control("xaikit-glassbox-feature", "dropdown",
                changes=("xaikit-glassbox-plot", "xaikit-glassbox-summary")),
        Control("xaikit-glassbox-data", "toggle",
                changes=("xaikit-glassbox-plot", "xaikit-glassbox-summary")),
    ),
)
