"""References of ``counterfactuals``: the variant's applicants (:func:`materialise`), the
grader's searches and diverse sets, and the grader's context (:class:`References`).
"""
from __future__ import annotations

from functools import cached_property, lru_cache

import numpy as np

from xaikit import counterfactuals as CF
from xaikit.exercises.counterfactuals.public import (DIVERSITY_MIN_PAIRWISE, K_MAX,
                                                     N_APPLICANTS)
from xaikit.exercises.framework import ReferenceContext

from .measures import Plausibility, distance, evaluate, mad_scale
from .search import SearchResult, exhaustive_minimum

#: applicants whose constrained minimum is cheaper than this (MADs) are not used: below it the
#: 0.005 grid step of a ratio (0.05-0.11 MADs) is a large fraction of the answer.
MIN_REFERENCE_DISTANCE = 0.5


# --- the variant's applicants (written as a variant data file for the public part) ----------

@lru_cache(maxsize=None)
def _pool():
    """The model, constraints, scale, plausibility and every applicant the model denies.

    Recourse is asked for applicants of the whole data set, not only the test rows: 46 denied
    test applicants (15 eligible) are too few for variants to differ (151 denied in all).
    Training rows are left out of their own plausibility reference (:meth:`Plausibility.nearest`).
    """
    from xaikit.models import hmda_model

    trained = hmda_model()
    constraints = CF.Constraints.from_dataset(trained.dataset)
    scale = mad_scale(trained.X_train)
    plaus = Plausibility(trained.X_train, scale)
    X = trained.dataset.X
    p = CF.deny_probability(trained.model, X)
    denied = [int(a) for a in X.index[p >= CF.THRESHOLD]]
    return trained, constraints, scale, plaus, denied


_SEARCH_CACHE: dict = {}


def reference_search(label: int, constrained: bool = True) -> SearchResult:
    """The grader's exhaustive search for applicant ``label`` (row of ``dataset.X``; cached)."""
    key = (int(label), bool(constrained))
    if key not in _SEARCH_CACHE:
        trained, constraints, scale, _, _ = _pool()
        _SEARCH_CACHE[key] = exhaustive_minimum(
            trained.model, trained.dataset.X.loc[label].to_numpy(float), constraints, scale,
            max_features=K_MAX, constrained=constrained, per_set=constrained)
    return _SEARCH_CACHE[key]


def reference_diverse(label: int):
    """The grader's diverse set of 3 for ``label``: the plausible per-set minima in order of
    cost, skipping one closer than ``DIVERSITY_MIN_PAIRWISE`` to a member already taken.

    Returns ndarray (3, n_features) or None.
    """
    _, _, scale, plaus, _ = _pool()
    res = reference_search(label)
    rows = []
    for key in sorted(res.per_set, key=lambda s: res.per_set[s][0]):
        c = res.per_set[key][1]
        if plaus.nearest(c, exclude=label)[0] > plaus.threshold:
            continue
        if any(distance(r, c[None], scale)[0] < DIVERSITY_MIN_PAIRWISE for r in rows):
            continue
        rows.append(c)
        if len(rows) == 3:
            return np.array(rows)
    return None


def _eligible(label: int, need_diverse: bool) -> bool:
    _, _, _, plaus, _ = _pool()
    res = reference_search(label)
    if res.best is None or res.distance < MIN_REFERENCE_DISTANCE:
        return False
    if plaus.nearest(res.best, exclude=label)[0] > plaus.threshold:
        return False
    return reference_diverse(label) is not None if need_diverse else True


def _traps_immutable(label: int) -> bool:
    _, constraints, _, _, _ = _pool()
    res = reference_search(label, constrained=False)
    return res.best is not None and bool(set(res.changed) & set(constraints.immutable_names))


@lru_cache(maxsize=None)
def _diverse_order() -> tuple:
    """The applicants that can be asked for a diverse set, shuffled once (seed 40_000)."""
    *_, denied = _pool()
    order = np.random.default_rng(40_000).permutation(denied)
    return tuple(int(a) for a in order if _eligible(int(a), need_diverse=True))


@lru_cache(maxsize=64)
def select_applicants(variant: int) -> tuple:
    """``(applicants, trap)`` of ``variant``: see :func:`public.build_context`.

    The q3 applicant walks through :func:`_diverse_order` (variant ``v`` takes entry
    ``v mod n``: consecutive variants never share it); the other two and the trap come from
    the denied applicants shuffled with seed ``40_000 + variant``.
    """
    *_, denied = _pool()
    diverse = _diverse_order()
    chosen = [diverse[int(variant) % len(diverse)]]
    order = [int(a) for a in np.random.default_rng(40_000 + int(variant)).permutation(denied)]
    for a in order:
        if len(chosen) == N_APPLICANTS:
            break
        if a not in chosen and _eligible(a, need_diverse=False):
            chosen.append(a)
    if len(chosen) < N_APPLICANTS:
        raise RuntimeError("not enough eligible denied applicants")
    trap = next(a for a in order if a not in chosen and _traps_immutable(a))
    return tuple(chosen), trap


def materialise(variant: int) -> dict:
    """The variant's data files: ``{"applicants": DataFrame}`` indexed by label, column
    ``role`` ("question" in order, then "trap")."""
    import pandas as pd

    chosen, trap = select_applicants(int(variant))
    return {"applicants": pd.DataFrame({"role": ["question"] * len(chosen) + ["trap"]},
                                       index=pd.Index([*chosen, trap], name="label"))}


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    def __init__(self, ctx):
        super().__init__(ctx)
        _, _, self.scale, self.plausibility, _ = _pool()

    def search(self, label, constrained=True) -> SearchResult:
        return reference_search(label, constrained)

    @cached_property
    def ref_minimal(self) -> np.ndarray:
        """The grader's minimal counterfactual of each applicant, shape (3, 12)."""
        return np.array([self.search(a).best for a in self.applicants])

    @cached_property
    def ref_diverse(self) -> np.ndarray:
        return reference_diverse(self.diverse_applicant)

    def evaluate(self, label, cfs) -> list:
        return evaluate(self.model, self.X_all.loc[label].to_numpy(float), cfs,
                        self.constraints, self.scale, self.plausibility, self.threshold,
                        label=label)


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
