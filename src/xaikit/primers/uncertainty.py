"""Primer ``uncertainty``: how sure is an explanation? Bootstrap intervals, the spread over
retrained models (Rashomon), and the Monte-Carlo error of a sampled explainer, before the
exercise ``uncertainty``.

The primer works on scikit-learn's bundled **diabetes** data in its original units
(``load_diabetes(scaled=False)``: 442 patients, ten baseline measurements, the target a score of
disease progression one year later, 25 to 346, "points") with a small
``GradientBoostingRegressor``. None of it is the exercise's data or model.

The self-checks (practice mode, right / wrong with a hint, never the expected value):

- ``u1``: the 95 % bootstrap interval of ``bmi``'s permutation importance under a stated
  protocol (recognises the interval from the repeats of one call, a 90 % level, a flipped
  interval);
- ``u2``: what the spread of the repeats of one ``permutation_importance`` call measures
  (multiple choice);
- ``u3``: how KernelSHAP's standard deviation scales with its budget (multiple choice);
- ``u4``: what it means when retrained models agree (multiple choice).

References
----------
Efron, B. & Tibshirani, R. (1993). *An Introduction to the Bootstrap*. Chapman & Hall
(percentile intervals, ch. 13).
Breiman, L. (2001). Statistical modeling: the two cultures. Statistical Science 16(3), 199-231
(the Rashomon effect).
Fisher, A., Rudin, C. & Dominici, F. (2019). All models are wrong, but many are useful. JMLR
20(177) (model class reliance).
Lundberg, S. M. & Lee, S.-I. (2017). A unified approach to interpreting model predictions.
NeurIPS (KernelSHAP).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from xaikit.exercises.framework import Question, as_array, close, correct, incorrect
from xaikit.primers import Primer, choice_check

#: u1 recomputed under the same protocol is bit-identical; this absorbs float summation only
TOL_EXACT = 1e-9
#: GradientBoostingRegressor settings of the primer's model and of its retrained copies
GBR_PARAMS = {"n_estimators": 60, "max_depth": 2, "learning_rate": 0.1, "subsample": 0.8}


@dataclass
class UncertaintyPrimerContext:
    """The primer's data, model and the self-checks' settings.

    Attributes
    ----------
    X_train, X_test : pandas.DataFrame
        309 and 133 patients, the ten diabetes columns in original units
        (``train_test_split(test_size=0.3, random_state=0)``).
    y_train, y_test : pandas.Series
        Disease progression (points).
    model : sklearn.ensemble.GradientBoostingRegressor
        ``GBR_PARAMS``, ``random_state=0``.
    n_boot, n_repeats, boot_seed, pi_seed : int
        The bootstrap protocol of the worked example and of u1 (20 resamples, 2 repeats,
        ``default_rng(boot_seed)``, ``random_state=pi_seed``); u1 uses ``default_rng(u1_seed)``.
    """

    X_train: object
    X_test: object
    y_train: object
    y_test: object
    model: object
    n_boot: int = 20
    n_repeats: int = 2
    boot_seed: int = 7
    pi_seed: int = 0
    u1_seed: int = 11
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def feature_names(self):
        return list(self.X_train.columns)

    def boot(self, seed: int | None = None) -> np.ndarray:
        """Permutation importance (MAE increase, points) on each bootstrap resample of the
        held-out rows, shape (n_boot, 10): ``idx = default_rng(seed).integers(0, n, (n_boot,
        n))``, each resample with ``n_repeats`` and ``random_state=pi_seed``."""
        seed = self.boot_seed if seed is None else seed
        if ("boot", seed) not in self._cache:
            from sklearn.inspection import permutation_importance

            n = len(self.X_test)
            idx = np.random.default_rng(seed).integers(0, n, size=(self.n_boot, n))
            self._cache[("boot", seed)] = np.array([permutation_importance(
                self.model, self.X_test.iloc[i], self.y_test.iloc[i],
                scoring="neg_mean_absolute_error", n_repeats=self.n_repeats,
                random_state=self.pi_seed).importances_mean for i in idx])
        return self._cache[("boot", seed)]

    def repeats(self, n_repeats: int) -> np.ndarray:
        """The repeats of ONE call on the held-out rows, shape (10, n_repeats) (the mistake)."""
        if ("rep", n_repeats) not in self._cache:
            from sklearn.inspection import permutation_importance

            self._cache[("rep", n_repeats)] = permutation_importance(
                self.model, self.X_test, self.y_test, scoring="neg_mean_absolute_error",
                n_repeats=n_repeats, random_state=self.pi_seed).importances
        return self._cache[("rep", n_repeats)]


def build_context() -> UncertaintyPrimerContext:
    """Diabetes (original units), the split and the gradient-boosting model (~0.1 s)."""
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.model_selection import train_test_split

    d = load_diabetes(as_frame=True, scaled=False)
    X_train, X_test, y_train, y_test = train_test_split(d.data, d.target, test_size=0.3,
                                                        random_state=0)
    model = GradientBoostingRegressor(**GBR_PARAMS, random_state=0).fit(X_train, y_train)
    return UncertaintyPrimerContext(X_train=X_train, X_test=X_test, y_train=y_train,
                                    y_test=y_test, model=model)


def check_u1(a, ctx):
    """``ci_bmi``: the 95 % percentile bootstrap interval of ``bmi``'s importance, (low, high)."""
    v = as_array("ci_bmi", a["ci_bmi"], (2,))
    j = ctx.feature_names.index("bmi")
    boot = ctx.boot(ctx.u1_seed)[:, j]
    ref = np.percentile(boot, [2.5, 97.5])
    if close(v, ref, TOL_EXACT):
        return correct("Correct: the spread of bmi's importance over resampled patients.")
    if close(v[::-1], ref, TOL_EXACT):
        return incorrect("Low and high are swapped.", "Store (low, high).")
    if close(v, np.percentile(boot, [5, 95]), TOL_EXACT):
        return incorrect("This is a 90 % interval.", "np.percentile(..., [2.5, 97.5]).")
    for n in (ctx.n_repeats, ctx.n_boot):
        r = ctx.repeats(n)[j]
        m, s = r.mean(), r.std()
        if close(v, np.percentile(r, [2.5, 97.5]), TOL_EXACT) or \
                close(v, [m - 1.96 * s, m + 1.96 * s], TOL_EXACT):
            return incorrect("This interval comes from the repeats of ONE call on the same "
                             "rows.",
                             "Those repeats measure the shuffle noise only; resample the "
                             "PATIENTS with replacement and recompute the importance on each "
                             "resample.")
    return incorrect("`ci_bmi` does not match the stated bootstrap.",
                     "idx = np.random.default_rng(U1_SEED).integers(0, 133, size=(N_BOOT, "
                     "133)); on each resample permutation_importance(..., scoring="
                     "'neg_mean_absolute_error', n_repeats=N_REPEATS, random_state=PI_SEED); "
                     "then np.percentile of bmi's column at 2.5 and 97.5.")


QUESTIONS = (
    Question(
        id="u1", title="a bootstrap interval", kind="auto", points=1, level="mid", minutes=4,
        answers=("ci_bmi",), check=check_u1,
        hints=("Resample the held-out patients with replacement, N_BOOT times, with the stated "
               "generator; percentiles 2.5 and 97.5 of bmi's importances.",)),
    Question(
        id="u2", title="what the repeats of one call measure", kind="auto", points=1,
        level="mid", minutes=1, answers=("answer_u2",),
        check=choice_check("answer_u2", "b", {
            "a": "The rows never change between the repeats, so which patients you happened "
                 "to evaluate on cannot show up in their spread.",
            "c": "The model is fitted once; the repeats do not retrain it.",
            "d": "They measure something real, the shuffle noise; it is just not the data's "
                 "uncertainty.",
        }),
        hints=("What changes between two repeats of one permutation_importance call, and "
               "what stays fixed?",)),
    Question(
        id="u3", title="KernelSHAP's error and its budget", kind="auto", points=1,
        level="mid", minutes=1, answers=("answer_u3",),
        check=choice_check("answer_u3", "c", {
            "a": "The estimate averages over random coalitions: more samples, less spread.",
            "b": "16 times the budget is 4 times sqrt(n): the spread is divided by 4, not 2.",
            "d": "That would be a 1 / n law; a Monte-Carlo standard deviation falls like "
                 "1 / sqrt(n).",
        }),
        hints=("A Monte-Carlo standard deviation falls like 1 / sqrt(number of samples).",)),
    Question(
        id="u4", title="five retrained models agree", kind="auto", points=1, level="mid",
        minutes=1, answers=("answer_u4",),
        check=choice_check("answer_u4", "d", {
            "a": "They were all trained on the same rows: any quirk of that sample is in all of "
                 "them.",
            "b": "Agreement between seeds says the training procedure is stable, nothing about "
                 "whether another sample would give the same order.",
            "c": "Equally good models that disagree are the Rashomon effect; agreement does not "
                 "rule it out for other model classes or samples.",
        }),
        hints=("What do the five models have in common?",)),
)

PRIMER = Primer(
    id="uncertainty",
    title="How sure is an explanation? Bootstrap, Rashomon, Monte-Carlo error",
    exercise="uncertainty",
    notebook="uncertainty.ipynb",
    minutes=20,
    questions=QUESTIONS,
    build_context=build_context,
)
