"""Compose an assessment: exercises (and discussion items) that fit a level and a time budget.

``xaikit plan --level mid --minutes 90`` reads each registered exercise's declared ``level``
(e.g. ``"junior-mid"``: the levels it suits) and ``minutes``, picks the set of whole exercises
that uses the most of the budget (ties: more interview topics, then fewer exercises), keeps at
least :data:`MIN_DISCUSSION` minutes for discussion, and fills the rest with the discussion
items of :data:`DISCUSSION` that suit the level, the most level-specific first (then in the
order of :data:`DISCUSSION`). When no whole exercise fits, it proposes the questions (at or
below the level, in order) of the exercise whose questions fill the most of the budget.

:data:`DISCUSSION` is also the content of ``notebooks/interviewer/00_discussion_guide.ipynb``
and of its scoring sheet (:mod:`xaikit.widgets.scoring`).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

LEVELS = ("junior", "mid", "senior")
#: Minutes of discussion a plan keeps whenever the budget allows (questions about experience
#: and judgement no exercise covers).
MIN_DISCUSSION = 10


@dataclass(frozen=True)
class DiscussionItem:
    """One discussion topic of the interviewer guide.

    Attributes
    ----------
    id : str
        ``d1``, ``d2``... (the ``question`` column of the scoring sheet's file).
    title : str
    minutes : int
    levels : tuple of str
        Levels it suits.
    topics : tuple of int
        Rows of the interview-topics table (the hiring material's numbering).
    prompts : tuple of str
        Questions to ask, in the interviewer's words.
    follow_ups : tuple of str
    criteria : tuple of str
        Rubric: one point each (the score is out of ``len(criteria)``).
    expect : dict
        ``{"junior": ..., "mid": ..., "senior": ...}``: what a good answer says at that level.
    red_flags : tuple of str
    """

    id: str
    title: str
    minutes: int
    levels: tuple
    topics: tuple
    prompts: tuple
    follow_ups: tuple
    criteria: tuple
    expect: dict
    red_flags: tuple

    @property
    def points(self) -> float:
        return float(len(self.criteria))


_ALL = LEVELS
DISCUSSION = (
    DiscussionItem(
        "d1", "Why interpretability, and for whom", 8, _ALL, (1, 13),
        prompts=("Who in an organisation asks for explanations of a model, and what does each of "
                 "them want to do with the answer?",
                 "Tell me about a time an explanation changed a decision about a model.",
                 "When would you choose an interpretable-by-design model over a black box with "
                 "post-hoc explanations?"),
        follow_ups=("You mentioned <stakeholder>: what did they need that a feature-importance "
                    "chart did not give them?",
                    "How did you find out the explanation was what they needed?"),
        criteria=("names several audiences with different needs: model builders (debugging), "
                  "domain experts (plausibility), managers (trust, go/no-go), affected people "
                  "(recourse), auditors/regulators (accountability)",
                  "distinguishes global (how the model behaves) from local (why this case) "
                  "explanations and matches them to those needs",
                  "knows the glass-box vs black-box + post-hoc choice and its trade-off",
                  "gives a concrete example from their own work"),
        expect={"junior": "Trust, fairness and debugging as reasons; knows SHAP/LIME/feature "
                          "importance exist; one audience beyond data scientists.",
                "mid": "Maps audiences to global vs local explanations and methods; an example "
                       "where an explanation found a problem.",
                "senior": "Frames interpretability as part of model risk management: who signs "
                          "off, what is documented, when a glass-box model is required."},
        red_flags=("cannot say why the business would care",
                   "treats 'interpretability' as one chart for everyone")),
    DiscussionItem(
        "d2", "Explaining a model to people who do not build models", 8, _ALL, (4, 36),
        prompts=("Explain to me, as if I were a loan officer, why the model declined an "
                 "applicant, using a SHAP waterfall you have seen.",
                 "How do you present uncertainty or limits of an explanation to a manager?"),
        follow_ups=("What did you leave out, and why?",
                    "How would you check that the officer understood it correctly?"),
        criteria=("plain words, no unexplained jargon; units and scale said out loud",
                  "starts from the decision and the two or three main reasons",
                  "states a limit honestly (association not cause, approximate, baseline)",
                  "checks understanding or adapts to the listener"),
        expect={"junior": "A clear, short explanation of one prediction with its main reasons.",
                "mid": "Adds the reference point (compared with what?), scale and a limit; "
                       "adapts when asked a follow-up.",
                "senior": "Designs the explanation for the audience's decision (what they can "
                          "act on), and knows the regulatory wording constraints "
                          "(adverse-action notices)."},
        red_flags=("cannot explain without jargon", "presents contributions as causes")),
    DiscussionItem(
        "d3", "Ethics: misleading explanations, fairness, privacy", 10, ("mid", "senior"),
        (8, 18, 33),
        prompts=("Can an explanation be technically correct and still mislead? Give an example.",
                 "A model does not use a protected attribute, and SHAP shows it. Are you done?",
                 "What privacy risks do explanations or counterfactuals create?"),
        follow_ups=("How did you (or would you) detect that in practice?",
                    "Who would you escalate that to, and with what evidence?"),
        criteria=("explanations can be gamed or cherry-picked (e.g. models that fool "
                  "LIME/SHAP, choosing the method that looks best, fairwashing)",
                  "absence of the attribute is not fairness: proxies, group metrics "
                  "(demographic parity, error-rate gaps) are needed",
                  "privacy: explanations and counterfactuals can leak training data or "
                  "enable model extraction / membership inference",
                  "proposes a process: audit, documentation, escalation, not only a metric"),
        expect={"junior": "Knows that explanations can mislead and that bias can enter "
                          "through proxies.",
                "mid": "Gives concrete mechanisms (proxies, fooling explainers, leakage) and "
                       "checks for them.",
                "senior": "Connects to governance and regulation (adverse action, GDPR Art. 22, "
                          "EU AI Act), and how to make the organisation act."},
        red_flags=("'we removed the protected column, so it is fair'",
                   "no awareness that explanations can be manipulated")),
    DiscussionItem(
        "d4", "ML quality issues across the life cycle", 12, ("mid", "senior"), (7, 20, 22, 28),
        prompts=("Walk me through the problems you have met between collecting data and "
                 "running a model in production. Which ones did interpretability help with?",
                 "A model does well offline and badly after deployment: how do you find out why?"),
        follow_ups=("For each issue you mentioned: how did you notice it, what did you do, and "
                    "how did you know it was fixed?",),
        criteria=("data collection and merging problems (joins, duplicates, label leakage, "
                  "time travel)",
                  "evaluation across groups and slices, not one aggregate number",
                  "deployment differing from offline (training/serving skew, preprocessing), "
                  "monitoring and staleness/drift",
                  "robustness and scalability concerns",
                  "uses explanations as a debugging tool (e.g. a leak found through importance "
                  "or SHAP), with a concrete story"),
        expect={"junior": "Knows leakage and overfitting; has seen a train/test mismatch.",
                "mid": "Several life-cycle issues from their own work, each with how it was "
                       "detected and fixed.",
                "senior": "Systematic prevention: data contracts, slice-based evaluation, "
                          "monitoring of inputs and explanations, ownership."},
        red_flags=("no real-world experience of the pitfalls",
                   "only talks about model accuracy")),
    DiscussionItem(
        "d5", "Causal questions vs model explanations", 6, ("mid", "senior"), (17, 26),
        prompts=("A product manager reads a PDP and says 'so if we raise the price, demand "
                 "drops by X'. What do you say?",
                 "What do you do when an explanation contradicts domain knowledge?"),
        follow_ups=("What would you need to answer the manager's question properly?",),
        criteria=("explanations describe the model, not the world; associations, not effects",
                  "confounding / correlated features / extrapolation named concretely",
                  "what a causal answer needs (experiment, causal model, adjustment)",
                  "contradiction with domain knowledge: check data and model first (leak, "
                  "correlation, artefact), consider monotone constraints, then revisit "
                  "the knowledge"),
        expect={"junior": "Knows correlation is not causation and says so.",
                "mid": "Names the mechanism (confounding, correlated features) and an "
                       "alternative (experiment).",
                "senior": "Proposes the study design and how to communicate the limits to "
                          "decision makers."},
        red_flags=("reads PDP or SHAP as causal effects",)),
    DiscussionItem(
        "d6", "Keeping up with the field", 5, _ALL, (9,),
        prompts=("How do you keep up with interpretability research and tools?",
                 "Tell me about something you learned recently and used."),
        follow_ups=("How did you judge whether it was worth adopting?",),
        criteria=("concrete sources (papers, conferences, libraries, communities)",
                  "a recent example of learning applied to work",
                  "critical reading: how they judge a new method before adopting it"),
        expect={"junior": "Some sources and curiosity.",
                "mid": "A method they evaluated and adopted or rejected, with reasons.",
                "senior": "Brings the team along: reading groups, internal guidance."},
        red_flags=("no sources at all", "adopts whatever is new without evaluation")),
    DiscussionItem(
        "d7", "Regulation, documentation and leading the practice", 10, ("senior",), (13, 35),
        prompts=("What does a credit decision explanation have to satisfy in the jurisdictions "
                 "you know?",
                 "How do you document an interpretability analysis so someone else can audit "
                 "it a year later?",
                 "How would you set up interpretability practice for a team of ten?"),
        follow_ups=("What went wrong the last time documentation was missing?",),
        criteria=("knows relevant rules: adverse-action notices (ECOA/Reg B, FCRA), GDPR Art. "
                  "22 and transparency, EU AI Act for high-risk systems",
                  "documentation: model cards, data cards, settings (background data, seeds, "
                  "versions), limits, reviewers",
                  "practice: standards, review, tooling, teaching"),
        expect={"junior": "(not expected)", "mid": "Knows documentation basics (model cards).",
                "senior": "All three, with experience of an audit or a review process."},
        red_flags=("no notion of regulatory constraints in a regulated domain",)),
    DiscussionItem(
        "d8", "Time-dependent behaviour", 6, ("mid", "senior"), (20, 29),
        prompts=("How would you explain a forecasting or time-series model, and how do you "
                 "notice when its behaviour changes?",),
        follow_ups=("Which signal would you monitor, and what threshold would trigger action?",),
        criteria=("time-aware validation (no shuffling across time), lags/leakage",
                  "monitoring inputs, outputs and attributions over windows; covariate vs "
                  "concept drift",
                  "a concrete alerting or retraining decision"),
        expect={"junior": "(optional)", "mid": "Time-aware validation and drift monitoring.",
                "senior": "Designs the monitoring and the response."},
        red_flags=("random train/test split on time series",)),
    DiscussionItem(
        "d9", "Behavioural: disagreement, ambiguity, mistakes, deadlines", 10, _ALL,
        (36, 37, 38, 39, 40),
        prompts=("Tell me about a time you disagreed with a colleague about a model or an "
                 "analysis. What happened?",
                 "Describe a project where the goal was unclear. What did you do first?",
                 "Tell me about a mistake you made in an analysis and how you found it.",
                 "Two deadlines collide: how do you decide what to drop?"),
        follow_ups=("What would you do differently now?", "How did the other person see it?"),
        criteria=("specific situations, their own role, the outcome (not hypotheticals)",
                  "disagreement settled with evidence and respect",
                  "owns a mistake and describes the fix and the prevention",
                  "prioritises with stakeholders, communicates early"),
        expect={"junior": "Honest, specific examples, even small ones.",
                "mid": "Examples with impact and learning.",
                "senior": "Examples of influencing without authority and of changing a "
                          "process after a mistake."},
        red_flags=("blames others", "no example of a mistake")),
    DiscussionItem(
        "d10", "Motivation and an interpretability project", 6, _ALL, (30, 31),
        prompts=("What draws you to this kind of work?",
                 "Tell me about a project where you made a model more interpretable. What "
                 "changed because of it?"),
        follow_ups=("What was the hardest part, and how did you handle it?",),
        criteria=("genuine, specific motivation", "a concrete project with their own "
                  "contribution", "impact or learning they can name"),
        expect={"junior": "Motivation and a course or side project.",
                "mid": "A work project with their contribution and result.",
                "senior": "A project where they set the direction and others adopted it."},
        red_flags=("no project they can describe in detail",)),
)


def level_set(level: str) -> set:
    """The levels an exercise declares: ``"junior-mid"`` -> {"junior", "mid"}.

    Ranges are inclusive (``"junior-senior"`` includes mid); separators ``-``, ``→``, ``/``,
    ``to`` and commas are accepted.
    """
    parts = [p for p in re.split(r"\s*(?:-|→|/|,|\bto\b)\s*", level.lower()) if p]
    idx = [LEVELS.index(p) for p in parts if p in LEVELS]
    if not idx:
        raise ValueError(f"unknown level {level!r}; use {', '.join(LEVELS)}")
    return set(LEVELS[min(idx):max(idx) + 1])


@dataclass
class PlannedExercise:
    id: str
    title: str
    minutes: int
    level: str
    topics: tuple
    questions: list | None = None  # None: the whole exercise


@dataclass
class Plan:
    """A proposed assessment."""

    level: str
    minutes: int
    exercises: list = field(default_factory=list)
    discussion: list = field(default_factory=list)

    @property
    def used(self) -> int:
        return (sum(e.minutes for e in self.exercises)
                + sum(d.minutes for d in self.discussion))

    def to_text(self) -> str:
        lines = [f"Plan for a {self.level} candidate, {self.minutes} minutes "
                 f"({self.used} planned):", ""]
        if self.exercises:
            lines.append("Exercises (hands-on):")
            for e in self.exercises:
                part = "" if e.questions is None else f", questions {', '.join(e.questions)} only"
                lines.append(f"  {e.minutes:>3} min  {e.id}: {e.title} ({e.level}{part})")
        else:
            lines.append("No exercise fits this level and time.")
        if self.discussion:
            lines += ["", "Discussion (notebooks/interviewer/00_discussion_guide.ipynb):"]
            for d in self.discussion:
                lines.append(f"  {d.minutes:>3} min  {d.id}: {d.title}")
        whole = [e.id for e in self.exercises if e.questions is None]
        if whole:
            lines += ["", "Take-home pack: xaikit pack --candidate ID --exercises "
                          f"{','.join(whole)} --level {self.level} --minutes "
                          f"{sum(e.minutes for e in self.exercises)} --out packs/"]
        return "\n".join(lines)


def _exercises():
    from xaikit.exercises import REGISTRY, graded_exercise as get_exercise

    out = []
    for eid in REGISTRY:
        try:
            out.append(get_exercise(eid))
        except Exception:  # an exercise still being written
            continue
    return out


def plan(level: str, minutes: int, exercises=None, min_discussion: int = MIN_DISCUSSION) -> Plan:
    """Propose exercises and discussion items for ``level`` within ``minutes``.

    Parameters
    ----------
    level : {"junior", "mid", "senior"}
    minutes : int
    exercises : list of Exercise, optional
        Default: every registered exercise that imports.
    min_discussion : int
        Minutes kept for discussion when the budget allows.

    Raises
    ------
    ValueError
        For an unknown level or a non-positive budget.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    if minutes <= 0:
        raise ValueError("minutes must be positive")
    pool = [e for e in (exercises if exercises is not None else _exercises())
            if level in level_set(e.level)]
    budget = minutes - min_discussion if minutes > 2 * min_discussion else minutes
    best, key = (), (0, 0, 0)
    for r in range(1, len(pool) + 1):
        for combo in itertools.combinations(pool, r):
            t = sum(e.minutes for e in combo)
            if t > budget:
                continue
            k = (t, len({tp for e in combo for tp in e.topics}), -len(combo))
            if k > key:
                best, key = combo, k
    result = Plan(level=level, minutes=int(minutes))
    result.exercises = [PlannedExercise(e.id, e.title, e.minutes, e.level, tuple(e.topics))
                        for e in best]
    if not best and pool:  # nothing fits whole: the first questions of the best candidate
        rank, options = LEVELS.index(level), []
        for e in pool:
            qs, t = [], 0
            for q in e.questions:
                if LEVELS.index(q.level) <= rank and t + q.minutes <= budget:
                    qs.append(q.id)
                    t += q.minutes
            if qs:
                options.append((t, len(e.topics), -pool.index(e), e, qs))
        if options:
            t, _, _, e, qs = max(options, key=lambda o: o[:3])
            result.exercises = [PlannedExercise(e.id, e.title, t, e.level, tuple(e.topics), qs)]
    left = minutes - sum(e.minutes for e in result.exercises)
    items = [d for d in DISCUSSION if level in d.levels]
    items.sort(key=lambda d: (len(d.levels), DISCUSSION.index(d)))  # level-specific first
    for d in items:
        if d.minutes <= left:
            result.discussion.append(d)
            left -= d.minutes
    return result
