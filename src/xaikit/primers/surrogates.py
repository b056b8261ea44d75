"""Primer ``surrogates``: global surrogates, distilling a black box into a tree.

Prepares for the exercise ``distillation`` (``exercises/05_distillation.ipynb``) on other data
and other teachers: scikit-learn's bundled **diabetes** data (442 patients, Efron et al. 2004)
in raw units, its target a disease-progression score one year after baseline (25 to 346, no
unit). The rows are split 60/40 (``random_state=0``): 265 **fit rows** (the teachers learn
from them with the observed scores; the surrogates learn from them with the teacher's
predictions) and 177 held-out **evaluation rows**. Two teachers:

- ``teacher``: ``GradientBoostingRegressor(n_estimators=150, max_depth=3, learning_rate=0.05,
  subsample=0.8, random_state=0)``, the worked example's black box;
- ``rf``: ``RandomForestRegressor(n_estimators=100, min_samples_leaf=5, random_state=0)``,
  the second black box of self-check s1.

A surrogate is ``DecisionTreeRegressor(max_depth=d, random_state=0)`` fit on the fit rows to
the teacher's predictions; its **fidelity** is ``r2_score(teacher_pred, surrogate_pred)`` on
the evaluation rows, both in progression points.

The self-checks (``s1`` ... ``s5``) recompute their answers from this context; their feedback
never shows the expected value.

References
----------
Craven, M. W. & Shavlik, J. W. (1996). Extracting tree-structured representations of trained
networks. NIPS 8.
Molnar, C. (2022). Interpretable Machine Learning, 2nd ed., ch. "Global Surrogate".
Efron, B., Hastie, T., Johnstone, I. & Tibshirani, R. (2004). Least angle regression. Annals
of Statistics 32(2) (the diabetes data).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from xaikit.exercises.framework import AnswerFormatError, Question, as_float, correct, incorrect
from xaikit.primers import Primer, choice_check

#: readable names of the diabetes columns s1..s6
RENAME = {"s1": "tc", "s2": "ldl", "s3": "hdl", "s4": "tch", "s5": "ltg", "s6": "glu"}
#: unit of each feature (raw values, ``load_diabetes(scaled=False)``)
UNITS = {"age": "years", "sex": "code 1 or 2", "bmi": "kg/m²", "bp": "mmHg",
         "tc": "mg/dL", "ldl": "mg/dL", "hdl": "mg/dL", "tch": "ratio tc/hdl",
         "ltg": "log units", "glu": "mg/dL"}
DEPTHS = tuple(range(1, 9))
SEED = 0
#: depth of the surrogates of self-checks s1 and s3, and of the rules of s4
CHECK_DEPTH = 3
RULES_DEPTH = 2
#: the patient whose depth-2 rule the learner reads in s4 (other features at the median)
NEW_PATIENT = {"ltg": 4.9, "bmi": 27.5}
#: |answer - reference| fidelity (R²): the same tree refit on the same rows is identical
TOL_FIDELITY = 0.005


def age_band(age) -> np.ndarray:
    """``"under 40"``, ``"40-59"`` or ``"60+"`` for each age in years."""
    a = np.asarray(age, dtype=float)
    return np.where(a < 40, "under 40", np.where(a < 60, "40-59", "60+"))


def bmi_band(bmi) -> np.ndarray:
    """``"up to 25"``, ``"25 to 30"`` or ``"over 30"`` for each BMI in kg/m²."""
    b = np.asarray(bmi, dtype=float)
    return np.where(b <= 25, "up to 25", np.where(b <= 30, "25 to 30", "over 30"))


@dataclass
class SurrogatePrimerContext:
    """The primer's rows and teachers.

    Attributes
    ----------
    X_fit, X_eval : pandas.DataFrame
        Raw features (265 and 177 rows, 10 columns); index = row of ``load_diabetes``.
    y_fit, y_eval : pandas.Series
        Observed progression scores (the labels).
    teacher, rf : fitted regressors
        The two black boxes, trained on ``X_fit, y_fit``; predictions in progression points.
    """

    X_fit: pd.DataFrame
    X_eval: pd.DataFrame
    y_fit: pd.Series
    y_eval: pd.Series
    teacher: object
    rf: object

    depths = DEPTHS
    seed = SEED
    units = UNITS

    @property
    def age_bands(self) -> np.ndarray:
        """Age band of each evaluation row, in order (worked example)."""
        return age_band(self.X_eval["age"])

    @property
    def bmi_bands(self) -> np.ndarray:
        """BMI band of each evaluation row, in order (self-check s3)."""
        return bmi_band(self.X_eval["bmi"])

    @property
    def new_patient(self) -> pd.DataFrame:
        """One row: the median evaluation patient with ``NEW_PATIENT``'s values (s4)."""
        row = self.X_eval.median().to_frame().T
        for f, v in NEW_PATIENT.items():
            row[f] = v
        return row.reset_index(drop=True)

    # --- references of the self-checks (computed, never shown) ---------------------------

    @cached_property
    def teacher_fit(self):
        return self.teacher.predict(self.X_fit)

    @cached_property
    def teacher_eval(self):
        return self.teacher.predict(self.X_eval)

    @cached_property
    def rf_fit(self):
        return self.rf.predict(self.X_fit)

    @cached_property
    def rf_eval(self):
        return self.rf.predict(self.X_eval)

    def surrogate(self, depth, target="teacher"):
        """A tree of ``depth`` fit on the fit rows to ``target``: "teacher", "rf" or
        "labels"."""
        from sklearn.tree import DecisionTreeRegressor

        y = {"teacher": self.teacher_fit, "rf": self.rf_fit,
             "labels": self.y_fit.to_numpy(float)}[target]
        return DecisionTreeRegressor(max_depth=int(depth), random_state=SEED).fit(self.X_fit, y)


def build_context() -> SurrogatePrimerContext:
    """Load the diabetes data, split it 60/40 (seed 0) and fit both teachers (about 0.4 s)."""
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
    from sklearn.model_selection import train_test_split

    data = load_diabetes(scaled=False, as_frame=True)
    X = data.data.rename(columns=RENAME).astype(float)
    y = data.target.rename("progression")
    X_fit, X_eval, y_fit, y_eval = train_test_split(X, y, test_size=0.4, random_state=0)
    teacher = GradientBoostingRegressor(n_estimators=150, max_depth=3, learning_rate=0.05,
                                        subsample=0.8, random_state=0).fit(X_fit, y_fit)
    rf = RandomForestRegressor(n_estimators=100, min_samples_leaf=5, random_state=0,
                               n_jobs=1).fit(X_fit, y_fit)
    return SurrogatePrimerContext(X_fit, X_eval, y_fit, y_eval, teacher, rf)


# --- checks --------------------------------------------------------------------------------

def _r2(reference, prediction) -> float:
    """``r2_score(reference, prediction)``: fidelity when the reference is the teacher."""
    from sklearn.metrics import r2_score

    return float(r2_score(np.asarray(reference, float), np.asarray(prediction, float)))


def check_rf_fidelity(a, ctx):
    """s1: held-out fidelity of the depth-3 surrogate of the random forest."""
    v = as_float("rf_fidelity", a["rf_fidelity"])
    s = ctx.surrogate(CHECK_DEPTH, "rf")
    pred = s.predict(ctx.X_eval)
    if abs(v - _r2(ctx.rf_eval, pred)) <= TOL_FIDELITY:
        return correct(f"Correct: {v:.3f}.")
    wrong = [
        (_r2(ctx.rf_fit, s.predict(ctx.X_fit)),
         "That is the fidelity on the rows the surrogate was fit on (in-sample).",
         "Measure on the held-out rows `X_eval`: in-sample fidelity is optimistic."),
        (_r2(ctx.y_eval, pred),
         "That compares the surrogate with the observed scores (its accuracy).",
         "Fidelity compares it with the TEACHER's predictions: r2_score(rf.predict(X_eval), "
         "surrogate.predict(X_eval))."),
        (_r2(ctx.rf_eval, ctx.surrogate(CHECK_DEPTH, "labels").predict(ctx.X_eval)),
         "That tree was fit to the observed scores, not to the teacher's predictions.",
         "Fit the surrogate to `rf.predict(X_fit)`: it must learn the model, not the data."),
        (_r2(pred, ctx.rf_eval),
         "The arguments of r2_score are swapped: R² is not symmetric.",
         "The teacher's predictions are the reference: r2_score(teacher, surrogate)."),
        (_r2(ctx.teacher_eval, ctx.surrogate(CHECK_DEPTH, "teacher").predict(ctx.X_eval)),
         "That is the gradient-boosting teacher of the worked example.",
         "This self-check distils the random forest `rf`."),
    ]
    for value, feedback, hint in wrong:
        if abs(v - value) <= TOL_FIDELITY:
            return incorrect(feedback, hint)
    return incorrect(f"{v:.3f} is not the held-out fidelity of the depth-3 surrogate of rf.",
                     "Fit DecisionTreeRegressor(max_depth=3, random_state=0) on X_fit to "
                     "rf.predict(X_fit); R² against rf.predict(X_eval) on X_eval.")


def _band_fidelity(ctx):
    pred = ctx.surrogate(CHECK_DEPTH, "teacher").predict(ctx.X_eval)
    bands = ctx.bmi_bands
    t = ctx.teacher_eval
    r2 = {str(b): _r2(t[bands == b], pred[bands == b]) for b in sorted(set(bands))}
    rmse = {b: float(np.sqrt(np.mean((t[bands == b] - pred[bands == b]) ** 2))) for b in r2}
    return r2, rmse


def check_worst_band(a, ctx):
    """s3: the BMI band where the depth-3 surrogate of the teacher is least faithful (R²)."""
    v = a["worst_bmi_band"]
    r2, rmse = _band_fidelity(ctx)
    if not isinstance(v, str) or v.strip() not in r2:
        raise AnswerFormatError(f"`worst_bmi_band` should be one of the labels "
                                f"{', '.join(repr(b) for b in r2)}.")
    v = v.strip()
    if v == min(r2, key=r2.get):
        return correct("Correct. Look at its RMSE and the teacher's spread there too: a low R² "
                       "can mean small errors against a teacher that varies little.")
    if v == max(rmse, key=rmse.get):
        return incorrect("That band has the largest error in points (RMSE), not the lowest R².",
                         "Compute r2_score(teacher, surrogate) within each band and take the "
                         "smallest.")
    return incorrect("Not the band with the lowest fidelity.",
                     "Within each band of `BMI_BANDS`: r2_score of the teacher's predictions "
                     "against the depth-3 surrogate's, on the held-out rows.")


def check_leaf_value(a, ctx):
    """s4: the depth-2 surrogate's prediction for the new patient, read from its rules."""
    v = as_float("leaf_value", a["leaf_value"])
    s = ctx.surrogate(RULES_DEPTH, "teacher")
    ref = float(s.predict(ctx.new_patient)[0])
    if abs(v - ref) <= 0.5:
        return correct()
    tree = s.tree_
    leaves = tree.value[tree.children_left == -1].ravel()
    if np.any(np.abs(leaves - v) <= 0.5):
        return incorrect("That is the value of another leaf.",
                         "Start at the top split; go to the `<=` branch when the patient's value "
                         "is at most the threshold, else to `>`; the leaf you reach is the "
                         "answer.")
    if abs(v - float(ctx.teacher.predict(ctx.new_patient)[0])) <= 0.5:
        return incorrect("That is the teacher's prediction, not the rule's.",
                         "Read the value of the leaf the patient reaches in the printed rules.")
    return incorrect(f"{v:.4g} is not a leaf value of the depth-2 surrogate.",
                     "The answer is one of the four `value:` lines of the printed rules.")


QUESTIONS = (
    Question("s1", "fidelity of a surrogate of another teacher", "auto", 1, "mid", 3,
             answers=("rf_fidelity",), check=check_rf_fidelity,
             hints=("Fit to the teacher's predictions on X_fit, measure R² against the "
                    "teacher on X_eval.",)),
    Question("s2", "depth against fidelity", "auto", 1, "junior", 1, answers=("answer_s2",),
             check=choice_check("answer_s2", "b", {
                 "a": "0.99 is measured on the rows the tree was fit on. Held out, the depth-8 "
                      "tree is LESS faithful than depth 3 or 4, and 143 rules explain nothing "
                      "to a manager.",
                 "c": "Depth 1 reproduces only about a third of the teacher's variation; "
                      "accuracy against the labels is not the criterion.",
                 "d": "R² against the observed scores measures the tree as a model of the "
                      "world, not as a description of the teacher."}),
             hints=("Judge by held-out fidelity, and pay for each level of depth with "
                    "readability.",)),
    Question("s3", "the least faithful subgroup", "auto", 1, "mid", 2,
             answers=("worst_bmi_band",), check=check_worst_band,
             hints=("R² against the teacher within each BMI band, depth-3 surrogate, "
                    "held-out rows.",)),
    Question("s4", "reading a rule", "auto", 1, "junior", 2, answers=("leaf_value",),
             check=check_leaf_value,
             hints=("Follow the printed rules from the top for the patient's ltg and bmi.",)),
    Question("s5", "the rule in plain words", "auto", 1, "mid", 1, answers=("answer_s5",),
             check=choice_check("answer_s5", "b", {
                 "a": "The leaf value is an average of the TEACHER's predictions, not of the "
                      "patients' observed outcomes.",
                 "c": "A surrogate describes the model's predictions, not cause and effect; "
                      "and the teacher may not even move that way for a real patient.",
                 "d": "`value` is the predicted score; the number of rows in a leaf is "
                      "`samples` (plot_tree shows it)."}),
             hints=("A surrogate's rule is a statement about the model, with a fidelity.",)),
)

PRIMER = Primer(
    id="surrogates",
    title="Global surrogates: distilling a black box into a tree",
    exercise="distillation",
    notebook="surrogates.ipynb",
    minutes=15,
    questions=QUESTIONS,
    build_context=build_context,
)
