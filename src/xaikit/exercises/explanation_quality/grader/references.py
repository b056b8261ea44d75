"""References of ``explanation_quality``: the generated data with its planted support
(:func:`materialise`, :func:`truth`) and the grader's context (:class:`References`).
"""
from __future__ import annotations

import hashlib
import os
from functools import cached_property

import numpy as np

from xaikit.exercises.explanation_quality.public import LETTERS, explainer_letters
from xaikit.exercises.framework import ReferenceContext

from . import metrics as M

#: rows of each variant's generated data
N_DATA = 2000
#: the generated columns
NAMES = tuple(f"x{j}" for j in range(1, 9))
#: the intercept of the true log-odds
INTERCEPT = -0.5


def truth(variant: int) -> dict:
    """The variant's planted truth (the first draws of ``default_rng(70_000 + variant)``):
    ``support`` (3 column names, the true function's features, column order), ``linear``
    (the two linear ones), ``nonlinear`` (the one entering as ``|x| - 0.8``), ``decoy`` (a
    feature outside the support correlated with ``linear[0]``), ``betas`` and ``r``."""
    rng = np.random.default_rng(70_000 + int(variant))
    perm = rng.permutation(len(NAMES))
    a, b, c, d = (NAMES[i] for i in perm[:4])
    betas = rng.uniform(1.2, 2.0, 3) * rng.choice([-1.0, 1.0], 3)
    r = float(rng.uniform(0.6, 0.75))
    return {"support": tuple(sorted((a, b, c), key=NAMES.index)), "linear": (a, b),
            "nonlinear": c, "decoy": d, "betas": betas, "r": r, "_rng": rng}


def materialise(variant: int) -> dict:
    """The variant's generated data: ``{"synthetic": DataFrame (2000, 9)}`` (``x1`` ... ``x8``,
    ``y``).

    Data card
    ---------
    - **Rows**: 2000 independent draws; index 0 ... 1999.
    - **Features** ``x1`` ... ``x8``: standard normal, unitless, rounded to 6 decimals. Seven
      are independent; one feature *outside* the support (the decoy) is correlated with a
      support feature: ``x_d = r x_a + sqrt(1 - r^2) e``, ``r`` uniform in [0.6, 0.75].
    - **Target** ``y`` in {0, 1}: Bernoulli with log-odds
      ``-0.5 + b_a x_a + b_b x_b + b_c (|x_c| - 0.8)``, ``|b|`` uniform in [1.2, 2.0] with
      random signs. The **true support** is ``{x_a, x_b, x_c}``: 3 of the 8 features.
    - **Which** columns play which role is drawn per variant (:func:`truth`, seed
      ``70_000 + variant``): the names say nothing.
    - **Known issue** (on purpose): the decoy correlates with ``y`` through ``x_a`` without
      entering the true function; ``x_c`` matters but hardly correlates with ``y``.
    """
    import pandas as pd

    t = truth(variant)
    rng = t["_rng"]
    ix = {n: i for i, n in enumerate(NAMES)}
    Z = rng.standard_normal((N_DATA, len(NAMES)))
    (a, b), c, d = t["linear"], t["nonlinear"], t["decoy"]
    Z[:, ix[d]] = t["r"] * Z[:, ix[a]] + np.sqrt(1 - t["r"] ** 2) * Z[:, ix[d]]
    Z = Z.round(6)
    ba, bb, bc = t["betas"]
    logit = INTERCEPT + ba * Z[:, ix[a]] + bb * Z[:, ix[b]] + bc * (np.abs(Z[:, ix[c]]) - 0.8)
    y = (rng.random(N_DATA) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame(Z, columns=list(NAMES))
    frame["y"] = y
    return {"synthetic": frame}


def _attr_cache_path(tag: str, X) -> "os.PathLike":
    from pathlib import Path

    from xaikit.models import cache_dir

    h = hashlib.sha256(tag.encode() + np.ascontiguousarray(X, dtype=float).tobytes())
    return Path(cache_dir()) / "explanation_quality_attr" / f"{h.hexdigest()[:24]}.npy"


def cached_attributions(explain, model, X, tag: str | None) -> np.ndarray:
    """``explain(model, X)``, kept on disk as ``.npy`` (no pickle) under the model cache when
    ``tag`` (model cache key + explainer method + its training data) is given."""
    if tag is None:
        return explain(model, X)
    path = _attr_cache_path(tag, X)
    if path.is_file():
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            pass
    out = explain(model, X)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npy")
    np.save(tmp, out, allow_pickle=False)
    os.replace(tmp, path)
    return out


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self._attr = {}

    # --- inputs ---------------------------------------------------------------------------
    @property
    def truth(self) -> dict:
        return truth(self.variant)

    @cached_property
    def methods(self) -> dict:
        """``{letter: method}`` of this variant (:func:`explainer_letters`; the public context
        carries no such mapping)."""
        return explainer_letters(self.variant)

    def letter_of(self, method: str) -> str:
        return next(L for L, m in self.methods.items() if m == method)

    @cached_property
    def baseline(self) -> np.ndarray:
        return self.X_train.mean().to_numpy(float)

    @cached_property
    def credit_baseline(self) -> np.ndarray:
        return self.credit.X_train.mean().to_numpy(float)

    @cached_property
    def X_noisy(self) -> np.ndarray:
        """The question rows plus ``N(0, (sigma std_j)^2)`` noise, one ``standard_normal((n, p))``
        draw of ``default_rng(noise_seed)``, ``std_j = X_train[col].std()`` (ddof=1)."""
        X = self.X_rows.to_numpy(float)
        noise = np.random.default_rng(self.noise_seed).standard_normal(X.shape)
        return X + noise * self.sigma * self.X_train.std().to_numpy(float)

    @cached_property
    def X_credit_noisy(self) -> np.ndarray:
        """German credit's question rows plus noise: the same protocol, a fresh
        ``default_rng(noise_seed)`` drawing ``standard_normal((10, 20))``, credit's std."""
        X = self.X_credit_rows.to_numpy(float)
        noise = np.random.default_rng(self.noise_seed).standard_normal(X.shape)
        return X + noise * self.sigma * self.credit.X_train.std().to_numpy(float)

    def _tag(self, letter, model_key, data_key):
        """Disk-cache tag: the method, the model, the rows' role, the LIME settings and the
        explainers' source (a changed explainer never reads stale attributions)."""
        from pathlib import Path

        from xaikit import faithfulness

        src = hashlib.sha256(Path(faithfulness.__file__).read_bytes()).hexdigest()[:16]
        return f"{self.methods[letter]}|{model_key}|{data_key}|{self.lime_seed}|" \
               f"{self.lime_samples}|{src}"

    def attributions(self, letter: str, which: str = "rows") -> np.ndarray:
        """Attributions of explainer ``letter``, shape (n, p), for ``which`` in ``rows``,
        ``noisy``, ``random_model``, ``label_random``, ``credit``, ``credit_noisy``,
        ``credit_random_model``, ``credit_label_random``; cached (memory and disk)."""
        key = (letter, which)
        if key not in self._attr:
            syn_key = self.trained.card.cache_key
            exp, model, X = self.explainers[letter], self.model, self.X_rows.to_numpy(float)
            mkey = syn_key
            if which == "noisy":
                X = self.X_noisy
            elif which == "random_model":
                model, mkey = self.random_model, syn_key + "|randomised-leaves-0"
            elif which == "label_random":
                model, mkey = self.label_random_model, syn_key + "|labels-0"
            elif which.startswith("credit"):
                exp, model = self.credit_explainers[letter], self.credit.model
                X, mkey = self.X_credit_rows.to_numpy(float), self.credit.card.cache_key
                if which == "credit_noisy":
                    X = self.X_credit_noisy
                elif which == "credit_random_model":
                    model = self.credit_random_model
                    mkey += f"|randomised-leaves-{self.credit_randomise_seed}"
                elif which == "credit_label_random":
                    model = self.credit_label_random_model
                    mkey += f"|labels-{self.credit_label_seed}"
                elif which != "credit":
                    raise KeyError(which)
            elif which != "rows":
                raise KeyError(which)
            self._attr[key] = cached_attributions(exp, model, X, self._tag(letter, mkey, which))
        return self._attr[key]

    # --- q1, q2: deletion / insertion ------------------------------------------------------
    def curves(self, letter: str, kind: str, *, credit: bool = False, step0: bool = True,
               baseline=None, **order) -> np.ndarray:
        """Curves (n, p + 1) of ``letter``; ``baseline`` defaults to the training mean;
        ``step0=False`` drops column 0 (a mistake); ``order``: see ``metrics.feature_order``."""
        if credit:
            model, X = self.credit.model, self.X_credit_rows.to_numpy(float)
            base = self.credit_baseline if baseline is None else baseline
            A = self.attributions(letter, "credit")
        else:
            model, X = self.model, self.X_rows.to_numpy(float)
            base = self.baseline if baseline is None else baseline
            A = self.attributions(letter, "rows")
        c = M.perturbation_curves(lambda Z: model.predict_proba(Z)[:, 1], X, A, base, kind=kind,
                                  **order)
        return c if step0 else c[:, 1:]

    def auc(self, kind: str, *, credit: bool = False, mistake: str | None = None) -> dict:
        """``{letter: mean area}`` under the protocol, or under a typical ``mistake``:
        ``signed``, ``ascending``, ``no_step0``, ``steps``, ``zero_baseline``, ``mean``."""
        out = {}
        for L in LETTERS:
            kw = {"signed": {"rank": "signed"}, "ascending": {"descending": False},
                  "no_step0": {"step0": False}, "zero_baseline": {"baseline": 0.0}}.get(mistake, {})
            c = self.curves(L, kind, credit=credit, **kw)
            if mistake == "steps":
                out[L] = float(M.curve_area(c, x="steps").mean())
            elif mistake == "mean":
                out[L] = float(c.mean())
            else:
                out[L] = float(M.curve_area(c).mean())
        return out

    @cached_property
    def ref_deletion_curve_A(self) -> np.ndarray:
        return self.curves("A", "deletion").mean(axis=0)

    # --- q3, q4 (both data sets) ------------------------------------------------------------
    def ref_stability(self, *, absolute: bool = False, credit: bool = False) -> dict:
        rows, noisy = ("credit", "credit_noisy") if credit else ("rows", "noisy")
        return {L: M.stability(self.attributions(L, rows), self.attributions(L, noisy),
                               absolute=absolute) for L in LETTERS}

    def ref_credit_stability_unscaled(self) -> dict:
        """Credit stability with noise ``N(0, SIGMA^2)`` not scaled by each feature's std (a
        typical mistake; computed only when a check needs it, not cached on disk)."""
        X = self.X_credit_rows.to_numpy(float)
        Xn = X + np.random.default_rng(self.noise_seed).standard_normal(X.shape) * self.sigma
        return {L: M.stability(self.attributions(L, "credit"),
                               self.credit_explainers[L](self.credit.model, Xn))
                for L in LETTERS}

    def ref_randomisation(self, which: str, *, absolute: bool = True) -> dict:
        """``which``: ``random_model`` (model randomisation) or ``label_random`` (labels) of
        the generated data; ``credit_random_model`` or ``credit_label_random`` of credit."""
        rows = "credit" if which.startswith("credit") else "rows"
        return {L: M.randomisation_similarity(self.attributions(L, rows),
                                              self.attributions(L, which), absolute=absolute)
                for L in LETTERS}


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
