"""Display-style plots (the scikit-learn Display pattern): compute elsewhere, draw here.

Each ``*Display`` holds what it draws; ``plot(ax=None)`` draws and returns ``self`` with
``figure_`` and ``ax_`` set. Nothing here calls ``plt.show()``. One module per family of
plots; import from the module (``from xaikit.plots.attribution import ...``) or from here.
"""
from xaikit.plots.attribution import (AttributionBarDisplay, CurveDisplay,  # noqa: F401
                                      ShapWaterfallDisplay, readable_labels)
