"""Live scoring sheet for the interviewer guides (``notebooks/interviewer/``).

One row per rubric item: a checkbox per criterion, a score (filled in from the ticks, which the
interviewer may override) and notes. ``Export`` writes the file ``xaikit grade --manual`` reads:
CSV with the header ``candidate,question,score,comment`` (see :mod:`xaikit.grading.manual`);
an unscored item is written with an empty score ("not scored yet").

- :meth:`ScoringSheet.for_exercise`: the exercise's written (manual) questions and their
  rubric; the file merges into that exercise's report with
  ``xaikit grade SUBMISSION --out OUT --manual FILE`` (``candidate`` must be the name in
  ``OUT/summary.csv``).
- :meth:`ScoringSheet.for_discussion`: the discussion items of :data:`xaikit.plan.DISCUSSION`
  (ids ``d1``...), one point per criterion; same file format, kept with the interview notes
  (no exercise report holds these ids).

The logic lives in :class:`ScoreItem` / :class:`ScoringSheet` and works without a display
(tests drive it through :meth:`ScoringSheet.tick`, :meth:`set_score`, :meth:`set_notes`);
ipywidgets are built only by :meth:`ScoringSheet.widget`.
"""
from __future__ import annotations

import csv
import html
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

FIELDS = ["candidate", "question", "score", "comment"]
#: Scores are rounded to this step when they come from the ticks.
STEP = 0.5


@dataclass
class ScoreItem:
    """One rubric item of a sheet.

    Attributes
    ----------
    id : str
        The ``question`` column (``q7``, ``d3``...).
    title : str
    points : float
        Maximum score.
    criteria : tuple of str
    guidance : dict
        Optional text shown under the item (e.g. expected answers per level).
    ticked : list of bool
    score : float or None
        None until scored (ticks set it; :meth:`ScoringSheet.set_score` overrides it).
    notes : str
    """

    id: str
    title: str
    points: float
    criteria: tuple
    guidance: dict = field(default_factory=dict)
    ticked: list = field(default_factory=list)
    score: float | None = None
    notes: str = ""
    overridden: bool = False

    def __post_init__(self):
        if not self.ticked:
            self.ticked = [False] * len(self.criteria)

    def score_from_ticks(self) -> float:
        """``points`` × the ticked share of the criteria, rounded to :data:`STEP`."""
        if not self.criteria:
            return 0.0
        raw = self.points * sum(self.ticked) / len(self.criteria)
        return min(self.points, math.floor(raw / STEP + 0.5) * STEP)


class ScoringSheet:
    """A scoring sheet: rubric items, a candidate name, export to the ``--manual`` file.

    Parameters
    ----------
    items : list of ScoreItem
    candidate : str
        As in ``OUT/summary.csv`` of the grading run (for an exercise sheet).
    title : str
    default_file : str
        File name proposed by the export box.
    """

    def __init__(self, items, candidate: str = "", title: str = "Scoring sheet",
                 default_file: str = "manual_scores.csv"):
        self.items = {it.id: it for it in items}
        self.candidate = candidate
        self.title = title
        self.default_file = default_file
        self._controls = {}

    # --- constructors -----------------------------------------------------------------

    @classmethod
    def for_exercise(cls, exercise_id: str, candidate: str = ""):
        """The written questions of an exercise, with their rubric criteria."""
        from xaikit.exercises import graded_exercise as get_exercise

        ex = get_exercise(exercise_id)
        items = [ScoreItem(q.id, q.title, float(q.points), tuple(q.rubric.criteria),
                           {"strong": q.rubric.strong, "adequate": q.rubric.adequate,
                            "weak": q.rubric.weak})
                 for q in ex.questions if q.kind == "manual"]
        return cls(items, candidate, title=f"{ex.title}: written answers",
                   default_file=f"manual_scores_{exercise_id}.csv")

    @classmethod
    def for_discussion(cls, candidate: str = "", level: str | None = None, ids=None):
        """The discussion items (all, those for ``level``, or the given ``ids``)."""
        from xaikit.plan import DISCUSSION

        chosen = [d for d in DISCUSSION if (level is None or level in d.levels)
                  and (ids is None or d.id in ids)]
        items = [ScoreItem(d.id, d.title, d.points, tuple(d.criteria),
                           {lv: d.expect[lv] for lv in ("junior", "mid", "senior")})
                 for d in chosen]
        return cls(items, candidate, title="Discussion", default_file="discussion_scores.csv")

    # --- scoring (no display needed) ---------------------------------------------------

    def tick(self, item_id: str, index: int, value: bool = True):
        """Tick (or untick) criterion ``index`` of ``item_id``; the score follows the ticks
        unless it was overridden with :meth:`set_score`."""
        it = self.items[item_id]
        it.ticked[index] = bool(value)
        if not it.overridden:
            it.score = it.score_from_ticks()
        self._sync(item_id)

    def set_score(self, item_id: str, score: float | None):
        """Set the score by hand (None: not scored); clipped to ``[0, points]``."""
        it = self.items[item_id]
        if score is None:
            it.score, it.overridden = None, False
        else:
            it.score, it.overridden = min(max(float(score), 0.0), it.points), True
        self._sync(item_id)

    def set_notes(self, item_id: str, text: str):
        self.items[item_id].notes = text
        self._sync(item_id)

    @property
    def total(self) -> tuple[float, float]:
        """(score so far, maximum)."""
        return (sum(it.score or 0.0 for it in self.items.values()),
                sum(it.points for it in self.items.values()))

    def rows(self) -> list[dict]:
        """One row per item: ``candidate, question, score, comment``."""
        out = []
        for it in self.items.values():
            ticked = [c.split(":")[0].split(";")[0][:60] for c, t in zip(it.criteria, it.ticked)
                      if t]
            comment = it.notes.strip()
            if ticked:
                comment = (comment + " | " if comment else "") + "met: " + "; ".join(ticked)
            out.append({"candidate": self.candidate, "question": it.id,
                        "score": "" if it.score is None else f"{it.score:g}",
                        "comment": " ".join(comment.split())})
        return out

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows())
        return buf.getvalue()

    def export(self, path=None) -> Path:
        """Write the score file (CSV). Other candidates' rows already in the file are kept;
        this candidate's rows are replaced.

        Raises
        ------
        ValueError
            Without a candidate name.
        """
        if not self.candidate.strip():
            raise ValueError("enter the candidate's name (as in summary.csv) before exporting")
        path = Path(path or self.default_file)
        keep = []
        mine = {it for it in self.items}
        if path.is_file():
            with open(path, newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    if not (row.get("candidate") == self.candidate
                            and row.get("question") in mine):
                        keep.append({k: row.get(k, "") for k in FIELDS})
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(keep + self.rows())
        path.write_text(buf.getvalue(), encoding="utf-8")
        return path

    # --- display -----------------------------------------------------------------------

    def _sync(self, item_id):
        c = self._controls.get(item_id)
        if not c:
            return
        it = self.items[item_id]
        c["syncing"] = True
        try:
            for box, t in zip(c["boxes"], it.ticked):
                box.value = t
            c["score"].value = -1 if it.score is None else it.score
            c["notes"].value = it.notes
        finally:
            c["syncing"] = False
        self._update_total()

    def _update_total(self):
        if "total" in self._controls:
            got, most = self.total
            self._controls["total"].value = f"<b>Total: {got:g} / {most:g}</b>"

    def widget(self):
        """The ipywidgets sheet (built on first use)."""
        import ipywidgets as W

        if "root" in self._controls:
            return self._controls["root"]
        name = W.Text(value=self.candidate, description="Candidate",
                      placeholder="as in summary.csv", layout=W.Layout(width="420px"))
        name.add_class("xaikit-score-candidate")

        def on_name(change):
            self.candidate = change["new"]

        name.observe(on_name, names="value")
        blocks = []
        for it in self.items.values():
            boxes = []
            for i, crit in enumerate(it.criteria):
                b = W.Checkbox(value=it.ticked[i], description=crit, indent=False,
                               layout=W.Layout(width="auto"))
                b.add_class("xaikit-score-criterion")
                b.observe(lambda ch, iid=it.id, i=i: None if self._controls[iid]["syncing"]
                          else self.tick(iid, i, ch["new"]), names="value")
                boxes.append(b)
            score = W.BoundedFloatText(value=-1 if it.score is None else it.score, min=-1,
                                       max=it.points, step=STEP,
                                       description=f"Score /{it.points:g}",
                                       layout=W.Layout(width="200px"))
            score.add_class("xaikit-score-value")
            score.observe(lambda ch, iid=it.id: None if self._controls[iid]["syncing"]
                          else self.set_score(iid, None if ch["new"] < 0 else ch["new"]),
                          names="value")
            notes = W.Textarea(value=it.notes, placeholder="notes: what they said, follow-ups",
                               layout=W.Layout(width="95%", height="60px"))
            notes.add_class("xaikit-score-notes")
            notes.observe(lambda ch, iid=it.id: None if self._controls[iid]["syncing"]
                          else self.set_notes(iid, ch["new"]), names="value")
            guide = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>"
                            for k, v in it.guidance.items())
            head = W.HTML(f"<h4>{html.escape(it.id)}: {html.escape(it.title)} "
                          f"({it.points:g} points)</h4>" + (f"<ul>{guide}</ul>" if guide else ""))
            self._controls[it.id] = {"boxes": boxes, "score": score, "notes": notes,
                                     "syncing": False}
            blocks.append(W.VBox([head, *boxes, score, notes]))
        path = W.Text(value=self.default_file, description="File",
                      layout=W.Layout(width="420px"))
        button = W.Button(description="Export scores", button_style="primary")
        button.add_class("xaikit-score-export")
        status = W.HTML("<i>-1 = not scored yet.</i>")
        total = W.HTML()
        self._controls["total"] = total

        def on_export(_):
            try:
                p = self.export(path.value)
                status.value = (f"Wrote <code>{html.escape(str(p))}</code>: "
                                f"<code>xaikit grade ... --manual {html.escape(str(p))}</code>")
            except (ValueError, OSError) as e:
                status.value = f"<b>Not exported:</b> {html.escape(str(e))}"

        button.on_click(on_export)
        root = W.VBox([W.HTML(f"<h3>{html.escape(self.title)}</h3>"), name, *blocks, total,
                       W.HBox([path, button]), status])
        root.add_class("xaikit-scoring-sheet")
        self._controls["root"] = root
        self._update_total()
        return root

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget())

    def __repr__(self):
        got, most = self.total
        return f"ScoringSheet({self.title!r}, candidate={self.candidate!r}, {got:g}/{most:g})"


def rubric_table(exercise_id: str) -> str:
    """HTML: every question of an exercise with level, points, minutes and, for written
    questions, the rubric (criteria; strong / adequate / weak)."""
    from xaikit.exercises import graded_exercise as get_exercise

    ex = get_exercise(exercise_id)
    rows = []
    for q in ex.questions:
        rubric = ""
        if q.rubric is not None:
            crit = "".join(f"<li>{html.escape(c)}</li>" for c in q.rubric.criteria)
            rubric = (f"<ul>{crit}</ul><b>strong:</b> {html.escape(q.rubric.strong)}<br>"
                      f"<b>adequate:</b> {html.escape(q.rubric.adequate)}<br>"
                      f"<b>weak:</b> {html.escape(q.rubric.weak)}")
        rows.append(f"<tr><td>{q.id}</td><td>{html.escape(q.title)}</td><td>{q.kind}</td>"
                    f"<td>{q.level}</td><td>{q.points:g}</td><td>{q.minutes}</td>"
                    f"<td style='text-align:left'>{rubric}</td></tr>")
    return ("<table><tr><th>id</th><th>question</th><th>kind</th><th>level</th><th>points</th>"
            "<th>min</th><th>rubric (written questions)</th></tr>" + "".join(rows) + "</table>")


def discussion_guide(level: str | None = None) -> str:
    """HTML: the discussion items (prompts, follow-ups, rubric, levels, red flags)."""
    from xaikit.plan import DISCUSSION

    parts = []
    for d in DISCUSSION:
        if level is not None and level not in d.levels:
            continue

        def ul(xs):
            return "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in xs) + "</ul>"

        parts.append(
            f"<h3>{d.id}: {html.escape(d.title)} ({d.minutes} min; {', '.join(d.levels)})</h3>"
            f"<b>Ask</b>{ul(d.prompts)}<b>Follow up</b> (for each issue they mention, ask how "
            f"they handled it){ul(d.follow_ups)}<b>Rubric</b> (1 point each){ul(d.criteria)}"
            "<b>Expected, by level</b>"
            + ul([f"{lv}: {d.expect[lv]}" for lv in ("junior", "mid", "senior")])
            + f"<b>Red flags</b>{ul(d.red_flags)}")
    return "".join(parts)
