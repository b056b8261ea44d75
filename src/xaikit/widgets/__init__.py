"""ipywidgets explorers, one module per exercise family.

Widgets wire controls to :mod:`xaikit.explain` (and sibling computation modules) and to
:mod:`xaikit.plots`; they do no maths of their own. Every control carries a CSS class
``xaikit-...`` so that browser tests can find it.
"""


def __getattr__(name):  # lazy: importing xaikit.widgets does not import ipywidgets yet
    if name == "ApplicantExplorer":
        from xaikit.widgets.applicant import ApplicantExplorer

        return ApplicantExplorer
    if name == "EffectsExplorer":
        from xaikit.widgets.effects import EffectsExplorer

        return EffectsExplorer
    if name == "ImportanceExplorer":
        from xaikit.widgets.importance import ImportanceExplorer

        return ImportanceExplorer
    if name == "CounterfactualEditor":
        from xaikit.widgets.counterfactuals import CounterfactualEditor

        return CounterfactualEditor
    if name == "SurrogateExplorer":
        from xaikit.widgets.distill import SurrogateExplorer

        return SurrogateExplorer
    raise AttributeError(name)
