"""Public part of ``feature_importance``: the context (forest, samples, seed), the explorer's
data and the questions.

The model is a random forest of rentals per hour on the 12 bike-sharing columns plus three
columns "joined by the operator's data team" (:func:`xaikit.models.bikeshare_rf_planted`;
their names and values depend on the variant). Which of them are noise is the candidate's
question (q3): nothing here says. Nothing here computes an answer either: the references and
checks are in ``grader.py``.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

N_REPEATS = 10
N_PI_ROWS = 300
N_SHAP_ROWS = 100
GROUP = ("temp", "atemp")
#: the explorer (see :func:`explorer_importances`): rows per sample, repeats, SHAP rows
EXPLORE_ROWS = 300
EXPLORE_REPEATS = 5
EXPLORE_SHAP_ROWS = 50


@dataclass
class FeatureImportanceContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        Random forest on the 12 bike-sharing columns + the 3 joined columns; predictions in
        rentals per hour.
    joined : tuple of str
        The three columns the operator's team joined to the UCI data, alphabetical: the
        candidates of q3.
    train_positions, test_positions : ndarray of int, shape (300,)
        Positions in ``X_train`` / ``X_test`` of the questions' permutation-importance samples.
    pi_seed : int
        ``random_state`` of every permutation importance of the questions.
    n_repeats : int
        ``n_repeats`` of every permutation importance of the questions.
    explore_train_positions, explore_test_positions : ndarray of int, shape (300,)
        Positions of the explorer's samples: disjoint from the questions' samples.
    explore_seed : int
        Seed of the explorer's shuffles (not ``pi_seed``).
    """

    variant: int
    trained: object
    joined: tuple
    train_positions: np.ndarray
    test_positions: np.ndarray
    pi_seed: int
    n_repeats: int = N_REPEATS
    explore_train_positions: np.ndarray | None = None
    explore_test_positions: np.ndarray | None = None
    explore_seed: int = 0

    @property
    def X_pi_train(self):
        """The questions' 300 training rows, shape (300, 15)."""
        return self.X_train.iloc[self.train_positions]

    @property
    def y_pi_train(self):
        return self.trained.y_train.iloc[self.train_positions]

    @property
    def X_pi_test(self):
        """The questions' 300 held-out rows, shape (300, 15)."""
        return self.X_test.iloc[self.test_positions]

    @property
    def y_pi_test(self):
        return self.trained.y_test.iloc[self.test_positions]

    @property
    def X_shap(self):
        """The first 100 rows of the held-out sample: the rows of mean |SHAP| (q1)."""
        return self.X_pi_test.iloc[:N_SHAP_ROWS]

    @property
    def original_features(self) -> list:
        """The 12 UCI columns, in the model's column order (the joined ones left out)."""
        return [f for f in self.feature_names if f not in self.joined]


def sample_positions(variant: int, n_train: int, n_test: int) -> dict:
    """Row positions of ``variant``: ``{"train", "test"}`` (the questions' samples, 300 rows
    each, ``default_rng(40_000 + variant)``) and ``{"explore_train", "explore_test"}`` (the
    explorer's, 300 other rows each, ``default_rng(60_000 + variant)``); sorted arrays."""
    variant = int(variant)
    rng = np.random.default_rng(40_000 + variant)
    tr = np.sort(rng.choice(int(n_train), N_PI_ROWS, replace=False))
    te = np.sort(rng.choice(int(n_test), N_PI_ROWS, replace=False))
    other = np.random.default_rng(60_000 + variant)
    ex_tr = np.sort(other.choice(np.setdiff1d(np.arange(int(n_train)), tr), EXPLORE_ROWS,
                                 replace=False))
    ex_te = np.sort(other.choice(np.setdiff1d(np.arange(int(n_test)), te), EXPLORE_ROWS,
                                 replace=False))
    return {"train": tr, "test": te, "explore_train": ex_tr, "explore_test": ex_te}


def explore_seed(variant: int) -> int:
    """Seed of the explorer's shuffles: ``70_000 + variant`` (never a question's seed)."""
    return 70_000 + int(variant)


def build_context(variant: int = 0) -> FeatureImportanceContext:
    """The context of ``variant``: its forest, joined columns, samples
    (:func:`sample_positions`) and seeds."""
    from xaikit.models import bikeshare_rf_planted

    variant = int(variant)
    trained = bikeshare_rf_planted(variant)
    joined = tuple(sorted(set(trained.X_train.columns) - set(trained.dataset.X.columns)))
    pos = sample_positions(variant, len(trained.X_train), len(trained.X_test))
    return FeatureImportanceContext(variant=variant, trained=trained, joined=joined,
                                    train_positions=pos["train"], test_positions=pos["test"],
                                    pi_seed=100 + variant,
                                    explore_train_positions=pos["explore_train"],
                                    explore_test_positions=pos["explore_test"],
                                    explore_seed=explore_seed(variant))


# --- the explorer's data: the model seen on other rows, the 12 UCI columns only --------------

def explorer_importances(ctx, cache: bool = True) -> dict:
    """The importances the notebook's explorer draws: none of them is a question's answer.

    Only the 12 UCI columns (:attr:`~FeatureImportanceContext.original_features`), on rows
    disjoint from the questions' samples, with other protocols than the questions':

    ``"mdi"``
        each tree's impurity importance of the 12 columns rescaled to sum to 1, mean and
        standard deviation over the trees (no unit);
    ``"perm_train"``, ``"perm_test"``
        :func:`xaikit.importance.shuffle_importance` (each column shuffled alone with a numpy
        generator seeded ``ctx.explore_seed``, ``EXPLORE_REPEATS`` repeats) on the explorer's
        300 training / 300 held-out rows: MAE increase, rentals per hour;
    ``"shap"``
        mean |TreeSHAP value| (``shap.TreeExplainer(model)``) over the first
        ``EXPLORE_SHAP_ROWS`` explorer held-out rows, rentals per hour.

    Parameters
    ----------
    ctx : FeatureImportanceContext
    cache : bool, default True
        Read / write the results as JSON in :func:`xaikit.models.cache_dir`, keyed by the
        model's content key and these settings (computing them takes about a second); an
        unwritable cache folder is ignored.

    Returns
    -------
    dict of str to xaikit.importance.ImportanceResult
    """
    import hashlib

    from xaikit.importance import ImportanceResult
    from xaikit.models import cache_dir

    settings = {"model": ctx.trained.card.cache_key, "features": ctx.original_features,
                "train": ctx.explore_train_positions.tolist(),
                "test": ctx.explore_test_positions.tolist(), "seed": ctx.explore_seed,
                "repeats": EXPLORE_REPEATS, "shap_rows": EXPLORE_SHAP_ROWS, "version": 2}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    path = cache_dir() / f"importance-explorer-{ctx.trained.card.cache_key}-{digest}.json"
    if cache and path.is_file():
        try:
            data = json.loads(path.read_text())
            return {k: ImportanceResult.from_dict(v) for k, v in data.items()}
        except (OSError, ValueError, KeyError, TypeError):
            pass  # unreadable: recompute
    results = _compute_explorer(ctx)
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({k: r.to_dict() for k, r in results.items()}))
            os.replace(tmp, path)
        except OSError:  # a read-only cache (the grading kernel): keep it in memory only
            pass
    return results


def _compute_explorer(ctx) -> dict:
    import shap

    from xaikit.importance import ImportanceResult, explorer_rows, shuffle_importance

    X_tr, _, X_te, _, feats = explorer_rows(ctx)  # checks that these are the explorer's rows
    model = ctx.trained.model
    cols = [list(X_tr.columns).index(f) for f in feats]
    per_tree = np.array([t.feature_importances_ for t in model.estimators_])[:, cols]
    share = per_tree / np.maximum(per_tree.sum(axis=1, keepdims=True), 1e-300)
    sv = shap.TreeExplainer(model).shap_values(X_te.iloc[:EXPLORE_SHAP_ROWS])
    return {
        "mdi": ImportanceResult("MDI share among the 12 UCI columns", feats,
                                share.mean(axis=0), share.std(axis=0), None,
                                "share of their impurity reduction"),
        "perm_train": shuffle_importance(ctx, "train"),
        "perm_test": shuffle_importance(ctx, "test"),
        "shap": ImportanceResult(f"mean |SHAP|, {EXPLORE_SHAP_ROWS} other held-out rows",
                                 feats, np.abs(np.asarray(sv)[:, cols]).mean(axis=0), None,
                                 None, "rentals per hour"),
    }


# --- answer formats and the questions' declarations ------------------------------------------

def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    p, names = len(ctx.feature_names), list(ctx.feature_names)
    return {
        "mdi": {"type": "array", "shape": [p], "range": [0, 1]},
        "mean_abs_shap": {"type": "array", "shape": [p], "range": [0, None]},
        "perm_train": {"type": "array", "shape": [p, ctx.n_repeats]},
        "perm_test": {"type": "array", "shape": [p, ctx.n_repeats]},
        "noise_features": {"type": "list", "items": {"type": "str", "choices": names}},
        "group_importance": {"type": "number"},
    }


QUESTIONS = (
    Question("q1", "MDI and mean |SHAP|", "auto", 2, "junior", 8,
             answers=("mdi", "mean_abs_shap")),
    Question("q2", "Permutation importance, train and held-out", "auto", 3, "junior", 12,
             answers=("perm_train", "perm_test")),
    Question("q3", "Which columns are pure noise?", "auto", 2, "mid", 6,
             answers=("noise_features",)),
    Question("q4", "temp and atemp together", "auto", 3, "mid", 10,
             answers=("group_importance",)),
    Question("q5", "Why does MDI like the ID column?", "manual", 2, "mid", 6),
    Question("q6", "Why do temp and atemp split their importance?", "manual", 1, "mid", 5),
    Question("q7", "Reliance or loss of accuracy?", "manual", 2, "mid", 6),
)

EXERCISE = Exercise(
    id="feature_importance", title="Three importances, three answers", level="junior-mid",
    minutes=65, notebook="03_feature_importance.ipynb",
    topics=("feature importance", "visualising explanations (importance, PDP, ICE)"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
