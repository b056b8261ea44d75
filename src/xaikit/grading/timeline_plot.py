"""A Gantt-like timeline of a candidate's work: one row per question, the span from the first
to the last recorded run of its cells, and a tick per cell run.

The data comes from :func:`xaikit.grading.timeline.extract_timeline` (a plain dict, as stored
in ``report.json``); this module only draws it.
"""
from __future__ import annotations


class TimelineDisplay:
    """Draw a work timeline.

    Parameters
    ----------
    timeline : dict
        ``report["timeline"]`` with ``available`` True: ``questions`` (``id``,
        ``first_offset_s``, ``last_offset_s``) and ``cells`` (``question``, ``offset_s``,
        ``duration_s``), times in seconds since the first recorded run.

    Attributes
    ----------
    figure_, ax_ : matplotlib Figure and Axes, set by :meth:`plot`.
    """

    def __init__(self, timeline: dict):
        self.timeline = timeline
        self.figure_ = self.ax_ = None

    def plot(self, ax=None):
        """Draw on ``ax`` (a new 8-inch-wide figure if None, not registered with pyplot);
        returns self. x: minutes since the first recorded run; rows: questions, then cells
        outside every question ("other")."""
        tl = self.timeline
        if ax is None:
            from matplotlib.figure import Figure

            rows = len(tl.get("questions", [])) + 1
            fig = Figure(figsize=(8, 0.45 * rows + 1.3), layout="constrained")
            ax = fig.add_subplot()
        labels = [q["id"] for q in tl.get("questions", [])]
        if any(c["question"] not in labels for c in tl.get("cells", [])):
            labels.append("other")
        y = {lab: k for k, lab in enumerate(labels)}
        for q in tl.get("questions", []):
            ax.barh(y[q["id"]], (q["last_offset_s"] - q["first_offset_s"]) / 60,
                    left=q["first_offset_s"] / 60, height=0.6, color="#9ecae1",
                    edgecolor="#3182bd")
        span = max(tl.get("span_s", 0.0), 1.0) / 60
        for c in tl.get("cells", []):
            row = y[c["question"] if c["question"] in y else "other"]
            width = max(c["duration_s"] / 60, span / 400)  # a run of a few ms stays visible
            ax.barh(row, width, left=c["offset_s"] / 60, height=0.6, color="#08519c")
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, span * 1.02)
        ax.set_xlabel("minutes since the first recorded cell run")
        ax.set_title("Work timeline: span per question (light), each cell's last run (dark)",
                     fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        self.figure_, self.ax_ = ax.figure, ax
        return self

    def to_png_base64(self, dpi: int = 90) -> str:
        """The drawn figure as a base64 PNG (for ``<img src="data:image/png;base64,...">``)."""
        import base64
        import io

        if self.figure_ is None:
            self.plot()
        buf = io.BytesIO()
        self.figure_.savefig(buf, format="png", dpi=dpi)
        return base64.b64encode(buf.getvalue()).decode("ascii")
