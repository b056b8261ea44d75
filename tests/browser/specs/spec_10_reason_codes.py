from widget_specs import Control, NotebookSpec

SPEC = NotebookSpec(
    stem="10_reason_codes",
    widgets=("xaikit-notice-preview",),
    displays={"xaikit-rc-prediction": "text", "xaikit-rc-shap-plot": "text",
              "xaikit-rc-notice": "text"},
    controls=(
        Control("xaikit-rc-applicant", "dropdown",
                changes=("xaikit-rc-prediction", "xaikit-rc-shap-plot", "xaikit-rc-notice")),
        Control("xaikit-rc-reason-1", "dropdown", changes=("xaikit-rc-notice",)),
        Control("xaikit-rc-reason-2", "dropdown", changes=("xaikit-rc-notice",)),
    ),
)
