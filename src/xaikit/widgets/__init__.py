"""ipywidgets explorers, one module per exercise family.

Widgets wire controls to :mod:`xaikit.explain` (and sibling computation modules) and to
:mod:`xaikit.plots`; they do no maths of their own. Every control carries a CSS class
``xaikit-...`` so that browser tests can find it.
"""


def __getattr__(name):  # lazy: importing xaikit.widgets does not import ipywidgets yet
    if name == "ApplicantExplorer":
        from xaikit.widgets.applicant import ApplicantExplorer

        return ApplicantExplorer
    raise AttributeError(name)
