from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="06_fairness",
    widgets=("xaikit-fair-explorer",),
    displays={"xaikit-fair-summary": "text", "xaikit-fair-plot": "image"},
    controls=(
        Control("xaikit-fair-attribute", "dropdown",
                changes=("xaikit-fair-summary", "xaikit-fair-plot")),
        Control("xaikit-fair-threshold", "slider", changes=("xaikit-fair-summary",)),
    ),
)
