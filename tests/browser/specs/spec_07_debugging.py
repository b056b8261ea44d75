from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="07_debugging",
    widgets=("xaikit-debug-explorer",),
    displays={"xaikit-debug-plot": "image", "xaikit-debug-summary": "text"},
    controls=(
        Control("xaikit-feature", "dropdown", changes=("xaikit-debug-plot",)),
        Control("xaikit-month", "slider", changes=("xaikit-debug-plot", "xaikit-debug-summary")),
    ),
)
