"""The surrogate explorer of ``distillation``: decision trees fit to the teacher's predictions
on the explorer's own rows.

Public computation behind :class:`xaikit.widgets.distill.SurrogateExplorer`; no plotting. The
function takes the exercise's context, never rows, targets, depths or a seed: it works on the
explorer's rows (the teacher's training rows that are not ``fit_rows`` and the held-out rows
that are not ``eval_rows`` of the context's variant, recomputed here from the variant, with the
teacher loaded here) with a fixed protocol of its own (depths ``DEPTHS``, ``random_state`` =
``EXPLORE_SEED``). A context whose rows are not its variant's is refused, so nothing here
returns a question's answer: the questions' surrogates, fidelities and subgroup fidelities are
computed by the candidate with scikit-learn, and by the grader.

The explorer's subgroups are never the question's: it splits its held-out rows by
:func:`explorer_grouping` (season, or weather situation when q3 asks about seasons), not by
``ctx.grouping``. On the explorer's rows the least faithful subgroup of ``ctx.grouping`` at
q2's depth is q3's ``worst_subgroup`` in every variant measured, so showing it would answer half
of q3; another grouping shows the same lesson (a surrogate faithful overall can be unfaithful in
a subgroup: winter, or rain and snow) without naming any of q3's subgroups.

A surrogate is a :class:`sklearn.tree.DecisionTreeRegressor` fit to the **teacher's
predictions** (not to the labels); its **fidelity** is the R² of its predictions against the
teacher's predictions on held-out rows::

    fidelity = 1 - sum((teacher - surrogate)²) / sum((teacher - mean(teacher))²)

For the bike-sharing teacher both are in rentals per hour. (Accuracy, the R² against the
observed labels, answers a different question: how good the surrogate is as a model of the
world.)

References
----------
Craven, M. W. & Shavlik, J. W. (1996). Extracting tree-structured representations of trained
networks. NIPS 8. Molnar, C. (2022). Interpretable Machine Learning, 2nd ed., ch. "Global
Surrogate".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: depths the exercise fits (and the explorer shows)
DEPTHS = tuple(range(1, 9))
#: ``random_state`` of the explorer's surrogates (only breaks ties between equal splits)
EXPLORE_SEED = 0
#: the explorer's groupings, in order of preference: the first that is not the question's
#: (``ctx.grouping``) is used. Both have at least about 90 explorer held-out rows per subgroup
#: in every variant (season 4 groups of 220-300; weather 3 groups, "rain or snow" 90-110) and a
#: subgroup clearly less faithful than the rest (winter; rain or snow).
EXPLORE_GROUPINGS = ("season", "weather")


@dataclass
class ExplorerSurrogates:
    """What the surrogate explorer shows: a surrogate of each depth on the explorer rows.

    Attributes
    ----------
    depths : tuple of int
        ``DEPTHS``.
    surrogates : list of DecisionTreeRegressor
        One per depth, fit to the teacher's predictions on the explorer's training rows.
    fidelity : ndarray of shape (n_depths,)
        R² against the teacher on the explorer's held-out rows.
    accuracy : ndarray of shape (n_depths,)
        R² against the observed rentals on the same rows (for contrast: not fidelity).
    n_leaves : ndarray of shape (n_depths,)
    grouping : str
        The explorer's grouping (:func:`explorer_grouping`), never the question's.
    by_group : dict of int to dict of str to float
        ``{depth: {subgroup label: R² against the teacher within the subgroup}}``, labels
        sorted, subgroups of ``grouping``.
    group_sizes : dict of str to int
        Number of the explorer's held-out rows in each subgroup of ``grouping``.
    n_fit, n_eval : int
        Number of training rows fit on and of held-out rows measured on.
    """

    depths: tuple
    surrogates: list
    fidelity: np.ndarray
    accuracy: np.ndarray
    n_leaves: np.ndarray
    grouping: str
    by_group: dict
    group_sizes: dict
    n_fit: int
    n_eval: int

    def surrogate(self, depth: int):
        return self.surrogates[self.depths.index(int(depth))]


def explorer_grouping(ctx) -> str:
    """The grouping of the explorer's subgroups for the context ``ctx``: the first of
    ``EXPLORE_GROUPINGS`` that is not the question's grouping (``ctx.grouping``), so that the
    explorer never shows per-subgroup fidelity of the subgroups q3 asks about.

    Raises
    ------
    TypeError
        If ``ctx`` is not a ``distillation`` context.
    """
    from xaikit.exercises.distillation.public import DistillationContext

    ctx = ctx if isinstance(ctx, DistillationContext) else getattr(ctx, "ctx", None)
    if not isinstance(ctx, DistillationContext):
        raise TypeError("xaikit.distill works on a distillation context (ex.context) only")
    return next(g for g in EXPLORE_GROUPINGS if g != ctx.grouping)


def explorer_rows(ctx) -> tuple:
    """The explorer's rows of a ``distillation`` context, after checking that the context's
    rows and settings are its variant's: ``(X_fit, y_fit, X_eval, y_eval, groups)``.

    ``X_fit``: the teacher's training rows that are not the variant's ``fit_rows``;
    ``X_eval``: its held-out rows that are not the variant's ``eval_rows`` (both from the
    teacher loaded here, :func:`xaikit.exercises.distillation.public.teacher`, never from the
    context); ``groups``: subgroup label of each ``X_eval`` row for the explorer's grouping
    (:func:`explorer_grouping`: never the variant's ``grouping``, which q3 asks about).

    Raises
    ------
    TypeError
        If ``ctx`` is not a ``distillation`` context.
    ValueError
        If its rows, grouping, depths or seed are not its variant's.
    """
    from xaikit.exercises import variant_frame
    from xaikit.exercises.distillation.public import (EXERCISE_ID, SURROGATE_SEED,
                                                      DistillationContext, draw_rows,
                                                      group_labels, teacher)

    ctx = ctx if isinstance(ctx, DistillationContext) else getattr(ctx, "ctx", None)
    if not isinstance(ctx, DistillationContext):
        raise TypeError("xaikit.distill works on a distillation context (ex.context) only")
    trained = teacher()
    fit_rows, eval_rows = draw_rows(trained, ctx.variant)
    grouping = str(variant_frame(EXERCISE_ID, int(ctx.variant), "settings").iloc[0]["grouping"])
    own = (list(ctx.fit_rows) == fit_rows and list(ctx.eval_rows) == eval_rows
           and ctx.grouping == grouping and tuple(ctx.depths) == DEPTHS
           and ctx.seed == SURROGATE_SEED)
    if not own:
        raise ValueError("the context's rows or settings are not those of its variant: the "
                         "explorer computes on its own rows only")
    X_fit = trained.X_train.drop(index=fit_rows)
    X_eval = trained.X_test.drop(index=eval_rows)
    return (X_fit, trained.y_train.drop(index=fit_rows), X_eval,
            trained.y_test.drop(index=eval_rows), group_labels(X_eval, explorer_grouping(ctx)))


def explorer_surrogates(ctx) -> ExplorerSurrogates:
    """Fit and measure the explorer's surrogates on the explorer's rows (about 0.3 s).

    Rows: :func:`explorer_rows` (never the questions' ``fit_rows`` / ``eval_rows``). For each
    depth in ``DEPTHS``: ``DecisionTreeRegressor(max_depth=depth, random_state=EXPLORE_SEED)``
    fit to the teacher's predictions on the explorer's training rows; fidelity and accuracy are
    R² against the teacher's predictions and against the observed rentals on the explorer's
    held-out rows, overall and within each subgroup of :func:`explorer_grouping` (not the
    question's grouping). The numbers illustrate the depth/fidelity
    trade-off; they are not the questions' answers, which are measured on other rows (and
    differ from these by sampling noise).

    Parameters
    ----------
    ctx : xaikit.exercises.distillation.public.DistillationContext
        The exercise's context (``ex.context``).

    Returns
    -------
    ExplorerSurrogates

    Raises
    ------
    TypeError, ValueError
        As :func:`explorer_rows`.
    """
    from sklearn.metrics import r2_score
    from sklearn.tree import DecisionTreeRegressor

    from xaikit.exercises.distillation.public import teacher

    X_fit, _, X_eval, y_eval, groups = explorer_rows(ctx)
    model = teacher().model  # the loaded teacher, not the context's attribute
    t_fit = np.asarray(model.predict(X_fit), float)
    t_eval = np.asarray(model.predict(X_eval), float)
    y_eval = np.asarray(y_eval, float)
    groups = np.asarray(groups).astype(str)
    labels = sorted(set(groups))
    surrogates, fid, acc, by_group = [], [], [], {}
    for d in DEPTHS:
        s = DecisionTreeRegressor(max_depth=d, random_state=EXPLORE_SEED).fit(X_fit, t_fit)
        p = s.predict(X_eval)
        surrogates.append(s)
        fid.append(float(r2_score(t_eval, p)))
        acc.append(float(r2_score(y_eval, p)))
        by_group[d] = {k: float(r2_score(t_eval[groups == k], p[groups == k])) for k in labels}
    return ExplorerSurrogates(DEPTHS, surrogates, np.array(fid), np.array(acc),
                              np.array([s.get_n_leaves() for s in surrogates]),
                              explorer_grouping(ctx), by_group,
                              {k: int(np.sum(groups == k)) for k in labels},
                              len(X_fit), len(X_eval))
