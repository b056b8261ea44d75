"""Primer ``importance``: global feature importance (MDI, permutation, mean |SHAP|), before the
exercise ``feature_importance``.

The primer works on scikit-learn's bundled **diabetes** data in its original units
(``load_diabetes(scaled=False)``: 442 patients, ten baseline measurements, the target a score of
disease progression one year later, 25 to 346) with three added columns whose truth is known
because the primer makes them: ``bmi_self`` (a self-reported BMI, the measured one plus noise
with a standard deviation of 1 kg/m², r ≈ 0.98), ``record_id`` (a distinct random number per
patient) and ``clinic`` (a random code 1-4). The last two carry no information about
progression. The model is a small random forest. None of it is the exercise's data or model.

The self-checks (practice mode, right / wrong with a hint, never the expected value):

- ``i1``: why MDI credits a random ID column (multiple choice);
- ``i2``: held-out permutation importance with another scorer, ``"r2"`` (recognises training
  rows, a flipped sign, the MAE scorer);
- ``i3``: ``bmi`` and ``bmi_self`` permuted together (recognises the pandas index-alignment
  no-op, the sum of the single importances, one column only, training rows);
- ``i4``: can two correlated columns with small importances both be dropped? (multiple choice);
- ``i5``: the sign of an importance computed from a loss by hand (multiple choice).

References
----------
Breiman, L. (2001). Random forests. Machine Learning 45, 5-32 (MDI and permutation importance).
Strobl, C., Boulesteix, A.-L., Zeileis, A. & Hothorn, T. (2007). Bias in random forest variable
importance measures. BMC Bioinformatics 8, 25 (MDI favours features with many split points).
Fisher, A., Rudin, C. & Dominici, F. (2019). All models are wrong, but many are useful: learning
a variable's importance by studying an entire class of prediction models simultaneously. JMLR
20(177) (model reliance, permuting groups).
Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable
AI for trees. Nature Machine Intelligence 2, 56-67 (TreeSHAP, mean |SHAP|).
Molnar, C. (2022). Interpretable Machine Learning, 2nd ed., chapter "Permutation Feature
Importance".
scikit-learn user guide, "Permutation feature importance" (section 4.2), including "Misleading
values on strongly correlated features".
Efron, B., Hastie, T., Johnstone, I. & Tibshirani, R. (2004). Least angle regression. Annals of
Statistics 32(2), 407-499 (the diabetes data).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Question, as_array, as_float, close,
                                        correct, incorrect)
from xaikit.primers import Primer, choice_check

#: Permutation importances recomputed with the same model, rows, scorer and seed are identical;
#: this only absorbs float64 summation order.
TOL_EXACT = 1e-9
#: i3 computed with another permutation stream (another seed or generator), progression points:
#: over 10 seeds the group importance has a standard deviation of about 1 point; the mistakes
#: i3 recognises are at least 4 points away.
TOL_GROUP = 2.5
#: A group importance this close to 0 means nothing was shuffled (index alignment).
TOL_NO_OP = 1e-9

#: The columns the primer adds to the diabetes data, and what they are.
ADDED = ("bmi_self", "record_id", "clinic")


@dataclass
class ImportanceContext:
    """The primer's data and model, and the self-checks' settings.

    Attributes
    ----------
    X_train, X_test : pandas.DataFrame
        309 and 133 patients, 13 columns: the ten diabetes columns in original units, then
        ``ADDED`` (``train_test_split(test_size=0.3, random_state=0)``).
    y_train, y_test : pandas.Series
        Disease progression one year after baseline (a score, 25 to 346; no unit).
    model : sklearn.ensemble.RandomForestRegressor
        ``n_estimators=50, max_features=0.5, random_state=0``, fitted on the training rows.
    X_pi_train, y_pi_train : pandas.DataFrame, pandas.Series
        133 training rows (as many as the test rows), for permutation importance on training
        data.
    n_repeats, seed : int
        Repeats and ``random_state`` of every permutation importance here.
    group : list of str
        ``["bmi", "bmi_self"]``, i3's group.
    """

    X_train: object
    X_test: object
    y_train: object
    y_test: object
    model: object
    X_pi_train: object
    y_pi_train: object
    n_repeats: int = 5
    seed: int = 0
    group: list = field(default_factory=lambda: ["bmi", "bmi_self"])
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def feature_names(self):
        return list(self.X_train.columns)

    def perm(self, where: str, scoring: str) -> np.ndarray:
        """Mean permutation importance per column, shape (13,): ``where`` is ``"test"``,
        ``"pi_train"`` or ``"train"``; the context's ``n_repeats`` and ``seed``."""
        key = ("perm", where, scoring)
        if key not in self._cache:
            from sklearn.inspection import permutation_importance

            X, y = {"test": (self.X_test, self.y_test),
                    "pi_train": (self.X_pi_train, self.y_pi_train),
                    "train": (self.X_train, self.y_train)}[where]
            r = permutation_importance(self.model, X, y, scoring=scoring,
                                       n_repeats=self.n_repeats, random_state=self.seed)
            self._cache[key] = np.asarray(r.importances_mean, dtype=float)
        return self._cache[key]

    def group_importance(self, cols, where: str = "test", seed: int | None = None) -> float:
        """Mean MAE increase (progression points) when ``cols`` are shuffled together with one
        row order per repeat: ``rng = np.random.default_rng(seed)``, per repeat
        ``idx = rng.permutation(n)`` and ``X_perm[cols] = X[cols].to_numpy()[idx]``."""
        seed = self.seed if seed is None else seed
        key = ("group", tuple(cols), where, seed)
        if key not in self._cache:
            X, y = {"test": (self.X_test, self.y_test),
                    "pi_train": (self.X_pi_train, self.y_pi_train),
                    "train": (self.X_train, self.y_train)}[where]
            self._cache[key] = group_importance(self.model, X, y, list(cols), self.n_repeats,
                                                seed)
        return self._cache[key]


def _mae(model, X, y) -> float:
    return float(np.mean(np.abs(np.asarray(y, dtype=float) - model.predict(X))))


def group_importance(model, X, y, cols, n_repeats: int, seed: int) -> float:
    """Permutation importance of the columns ``cols`` shuffled together (one row order for all
    of them per repeat), as the mean increase of the MAE over ``n_repeats`` repeats."""
    rng = np.random.default_rng(seed)
    base = _mae(model, X, y)
    drops = []
    for _ in range(n_repeats):
        idx = rng.permutation(len(X))
        X_perm = X.copy()
        X_perm[cols] = X[cols].to_numpy()[idx]
        drops.append(_mae(model, X_perm, y) - base)
    return float(np.mean(drops))


def build_context() -> ImportanceContext:
    """Diabetes (original units) plus the three added columns, the split and the forest
    (~0.2 s)."""
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import train_test_split

    d = load_diabetes(as_frame=True, scaled=False)
    X = d.data.copy()
    rng = np.random.default_rng(1)
    X["bmi_self"] = np.round(X["bmi"] + rng.normal(0, 1.0, len(X)), 1)  # kg/m²
    X["record_id"] = (rng.permutation(len(X)) + 1001).astype(float)     # unique, random
    X["clinic"] = rng.integers(1, 5, len(X)).astype(float)              # random code 1-4
    X_train, X_test, y_train, y_test = train_test_split(X, d.target, test_size=0.3,
                                                        random_state=0)
    model = RandomForestRegressor(n_estimators=50, max_features=0.5,
                                  random_state=0).fit(X_train, y_train)
    pick = np.random.default_rng(2).choice(len(X_train), size=len(X_test), replace=False)
    return ImportanceContext(X_train=X_train, X_test=X_test, y_train=y_train, y_test=y_test,
                             model=model, X_pi_train=X_train.iloc[np.sort(pick)],
                             y_pi_train=y_train.iloc[np.sort(pick)])


# --- checks --------------------------------------------------------------------------------------

def check_i2(a, ctx):
    """``perm_r2``: held-out permutation importance with ``scoring="r2"``, one value per column."""
    n = len(ctx.feature_names)
    v = a["perm_r2"]
    arr = as_array("perm_r2", v, None)
    if arr.ndim == 2 and arr.shape == (n, ctx.n_repeats):  # the importances of every repeat
        arr = arr.mean(axis=1)
    arr = as_array("perm_r2", arr, (n,))
    ref = ctx.perm("test", "r2")
    if close(arr, ref, TOL_EXACT):
        return correct("Correct: the drop in R² on the held-out rows when each column is "
                       "shuffled.")
    if close(arr, -ref, TOL_EXACT):
        return incorrect("The signs are flipped.",
                         "permutation_importance reports score before minus score after "
                         "shuffling; with scoring='r2' an important column has a positive "
                         "importance. Store importances_mean as it is.")
    for where in ("pi_train", "train"):
        if close(arr, ctx.perm(where, "r2"), TOL_EXACT):
            return incorrect("These importances are computed on training rows.",
                             "Use the held-out rows X_test, y_test: on training rows the forest "
                             "also gets credit for what it memorised.")
    if close(arr, ctx.perm("test", "neg_mean_absolute_error"), TOL_EXACT):
        return incorrect("These are the MAE-based importances (progression points).",
                         "Pass scoring='r2': the importance is then a drop in R², no unit.")
    return incorrect("`perm_r2` does not match the held-out permutation importance with "
                     "scoring='r2'.",
                     "permutation_importance(model, X_test, y_test, scoring='r2', "
                     "n_repeats=N_REPEATS, random_state=SEED).importances_mean")


def check_i3(a, ctx):
    """``group_importance``: ``bmi`` and ``bmi_self`` shuffled together on the held-out rows."""
    v = a["group_importance"]
    arr = as_array("group_importance", v, None)
    g = float(arr.mean()) if arr.ndim == 1 and arr.size == ctx.n_repeats else \
        as_float("group_importance", v)
    ref = ctx.group_importance(ctx.group)
    singles = [ctx.group_importance([c]) for c in ctx.group]
    if abs(g - ref) <= TOL_GROUP and g > max(singles):
        return correct("Correct: shuffled together, the two BMI columns cost much more accuracy "
                       "than either alone, and more than their sum.")
    if abs(g) <= TOL_NO_OP:
        return incorrect("Your group importance is exactly 0: nothing was shuffled.",
                         "Assigning a DataFrame aligns it by index label, so "
                         "X_perm[GROUP] = X_test[GROUP].iloc[idx] puts every row back in place. "
                         "Assign a numpy array: X_test[GROUP].to_numpy()[idx].")
    if abs(g + ref) <= TOL_GROUP:
        return incorrect("The sign is flipped.",
                         "Importance = MAE after shuffling minus MAE before: a loss grows when "
                         "information is destroyed.")
    if abs(g - sum(singles)) <= 0.3:
        return incorrect("This is the sum of the two single importances.",
                         "Shuffle both columns with ONE row order (the same idx) and measure the "
                         "MAE increase once per repeat.")
    if any(abs(g - s) <= 0.3 for s in singles):
        return incorrect("This equals one column's importance alone: only one column moved.",
                         "Give both bmi and bmi_self the shuffled rows: "
                         "X_perm[GROUP] = X_test[GROUP].to_numpy()[idx].")
    if abs(g - ctx.group_importance(ctx.group, "pi_train")) <= TOL_GROUP / 2 or \
            abs(g - ctx.group_importance(ctx.group, "train")) <= TOL_GROUP / 2:
        return incorrect("This looks like a group importance on training rows.",
                         "Shuffle and measure on the held-out rows X_test, y_test.")
    return incorrect("The group importance does not match the protocol.",
                     "rng = np.random.default_rng(SEED); per repeat idx = "
                     "rng.permutation(len(X_test)); both columns take "
                     "X_test[GROUP].to_numpy()[idx]; MAE(shuffled) - MAE(original), averaged "
                     "over N_REPEATS.")


QUESTIONS = (
    Question(
        id="i1", title="why MDI credits a random ID", kind="auto", points=1, level="junior",
        minutes=1, answers=("answer_i1",),
        check=choice_check("answer_i1", "c", {
            "a": "record_id was drawn at random: it cannot carry information about progression "
                 "(its held-out permutation importance is about 0).",
            "b": "Normalising to a sum of 1 rescales all columns alike; it cannot favour one.",
            "d": "Bootstrap samples are drawn for every column alike; the difference between "
                 "record_id and clinic is their number of distinct values.",
        }),
        hints=("Count the split points each column offers a tree, and ask on which rows MDI is "
               "measured.",)),
    Question(
        id="i2", title="held-out permutation importance, another scorer", kind="auto",
        points=1, level="junior", minutes=2, answers=("perm_r2",), check=check_i2,
        hints=("permutation_importance(model, X_test, y_test, scoring='r2', "
               "n_repeats=N_REPEATS, random_state=SEED).importances_mean",)),
    Question(
        id="i3", title="a correlated pair permuted together", kind="auto", points=1,
        level="mid", minutes=4, answers=("group_importance",), check=check_i3,
        hints=("One row order for both columns, assigned as a numpy array (.to_numpy()[idx]); "
               "MAE increase on X_test, mean over N_REPEATS.",)),
    Question(
        id="i4", title="drop two correlated columns?", kind="auto", points=1, level="mid",
        minutes=1, answers=("answer_i4",),
        check=choice_check("answer_i4", "d", {
            "a": "Each column looks unimportant only because the other stands in for it when it "
                 "is shuffled alone; your group importance shows what losing both costs.",
            "b": "MDI splits the credit between the twins just as permutation does, and it is "
                 "measured on training data.",
            "c": "Keeping the one with higher MDI may be fine, but the reason is that they are "
                 "interchangeable, not the MDI ranking; and the claim needs a retrained model.",
        }),
        hints=("What happened when you shuffled both together?",)),
    Question(
        id="i5", title="the sign of an importance from a loss", kind="auto", points=1,
        level="junior", minutes=1, answers=("answer_i5",),
        check=choice_check("answer_i5", "b", {
            "a": "A column that helps the model makes the loss *grow* when shuffled, so "
                 "loss_base - loss_perm is negative for it.",
            "c": "The sign does not depend on the data set size; it depends on whether the "
                 "number is a score (higher is better) or a loss (lower is better).",
            "d": "The values are not wrong, only flipped: the ranking is reversed, not random.",
        }),
        hints=("Does log loss go up or down when the model gets worse?",)),
)

PRIMER = Primer(
    id="importance",
    title="Feature importance: MDI, permutation, SHAP",
    exercise="feature_importance",
    notebook="importance.ipynb",
    minutes=15,
    questions=QUESTIONS,
    build_context=build_context,
)
