"""References of ``interactions``: the generated data with its planted truth
(:func:`materialise`, :func:`roles`) and the grader's context (:class:`References`).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from xaikit.exercises.framework import ReferenceContext

from .hstat import h2_pairs

#: rows of each variant's generated data
N_ROWS = 2000
#: the generated columns
NAMES = ("x1", "x2", "x3", "x4", "x5", "x6")
#: standard deviation of the generated target's noise
NOISE_SD = 0.3


def roles(variant: int) -> dict:
    """The variant's planted truth: ``{"planted": (a, b), "decoy": (c, d), "other": (e, f)}``,
    each pair in column order (the first draws of ``default_rng(80_000 + variant)``)."""
    rng = np.random.default_rng(80_000 + int(variant))
    perm = rng.permutation(len(NAMES))
    pick = lambda ix: tuple(NAMES[i] for i in sorted(ix))  # noqa: E731
    return {"planted": pick(perm[:2]), "decoy": pick(perm[2:4]), "other": pick(perm[4:]),
            "_rng": rng}


def materialise(variant: int) -> dict:
    """The variant's generated data: ``{"planted": DataFrame (2000, 7)}`` (``x1`` ... ``x6``,
    ``y``).

    Data card
    ---------
    - **Rows**: 2000 independent draws; index 0 ... 1999.
    - **Features** ``x1`` ... ``x6``: standard normal, unitless. Four are independent of
      everything else. Two (the *decoy pair*) are correlated: ``x_d = r x_c + sqrt(1 - r^2) e``
      with ``|r|`` uniform in [0.75, 0.85] and a random sign.
    - **Target** ``y`` (unitless) is a constant plus a sum of one-feature terms plus **one**
      pairwise product: ``y = 3 + 0.3 x_a + 0.3 x_b + beta x_a x_b`` (the *planted pair*, ``beta`` uniform in
      [0.8, 1.2])
      ``+ s_c sin(1.5 x_c) + s_d x_d`` (the decoy pair: strong but additive, ``s`` uniform in
      [0.8, 1.2])
      ``+ u_e x_e + u_f (x_f^2 - 1) / 2`` (the other two, ``u`` uniform in [0.3, 0.6])
      ``+ N(0, 0.3^2)`` noise.
    - **Which** columns play which role is drawn per variant (:func:`roles`, seed
      ``80_000 + variant``): the names say nothing.
    - **Known issue** (on purpose): the decoy pair is correlated, so each of its features
      predicts the other's term; a model may split the credit between them, and naive
      statistics that mix correlation with interaction will flag it.
    """
    import pandas as pd

    r = roles(variant)
    rng = r["_rng"]
    ix = {n: i for i, n in enumerate(NAMES)}
    Z = rng.standard_normal((N_ROWS, len(NAMES)))
    (a, b), (c, d), (e, f) = r["planted"], r["decoy"], r["other"]
    rho = rng.uniform(0.75, 0.85) * rng.choice([-1.0, 1.0])
    Z[:, ix[d]] = rho * Z[:, ix[c]] + np.sqrt(1 - rho ** 2) * Z[:, ix[d]]
    x = {n: Z[:, ix[n]] for n in NAMES}
    beta = rng.uniform(0.8, 1.2)
    s_c, s_d = rng.uniform(0.8, 1.2, size=2)
    u_e, u_f = rng.uniform(0.3, 0.6, size=2)
    y = (3.0 + 0.3 * x[a] + 0.3 * x[b] + beta * x[a] * x[b]
         + s_c * np.sin(1.5 * x[c]) + s_d * x[d]
         + u_e * x[e] + u_f * (x[f] ** 2 - 1) / 2
         + rng.normal(0.0, NOISE_SD, N_ROWS))
    frame = pd.DataFrame(Z, columns=list(NAMES))
    frame["y"] = y
    return {"planted": frame.round(6)}


def pd_2d(model, X, pair, **kw) -> np.ndarray:
    """``sklearn.inspection.partial_dependence(model, X, [pair], kind="average",
    method="brute", **kw)["average"][0]``: shape (n_grid_j, n_grid_k), model units."""
    from sklearn.inspection import partial_dependence

    r = partial_dependence(model, X, features=list(pair), kind="average", method="brute",
                           **kw)
    return np.asarray(r["average"][0], dtype=float)


def _h2_uncentred(predict, X, pairs) -> np.ndarray:
    """Eq. 44 with uncentred partial dependences (a typical mistake, recognised by q2)."""
    from .hstat import pd_at_rows

    one = {c: pd_at_rows(predict, X, [c]) for c in {c for p in pairs for c in p}}
    out = []
    for j, k in pairs:
        fjk = pd_at_rows(predict, X, [j, k])
        out.append(float(np.sum((fjk - one[j] - one[k]) ** 2) / np.sum(fjk ** 2)))
    return np.array(out)



def on_disk(name: str, key: bytes, compute) -> np.ndarray:
    """``compute()``, kept in the model cache as ``.npy`` (no pickle) under a hash of ``key``.

    The references are deterministic functions of the model, the rows and this grader's code, so
    ``key`` holds the model's content-hash cache key, the rows' bytes and the hash of the grader
    files: a practice run then does not compute SHAP interactions and H² twice (the candidate's
    cells already do once)."""
    import hashlib
    import os
    from pathlib import Path

    from xaikit.models import cache_dir

    code = b"".join(f.read_bytes() for f in sorted(Path(__file__).parent.glob("*.py")))
    digest = hashlib.sha256(key + hashlib.sha256(code).digest()).hexdigest()[:24]
    path = cache_dir() / "interactions_refs" / f"{name}-{digest}.npy"
    if path.is_file():
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            pass
    out = np.asarray(compute(), dtype=float)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npy")
        np.save(tmp, out, allow_pickle=False)
        os.replace(tmp, path)  # atomic
    except OSError:
        pass  # a read-only cache only costs the recomputation
    return out


class References(ReferenceContext):
    """The public context plus the grader's references (computed once, on first use; the
    expensive ones also kept on disk, see :func:`on_disk`)."""

    def _key(self, trained, X, *extra) -> bytes:
        rows = np.ascontiguousarray(np.asarray(X, dtype=float))
        return "|".join([trained.card.cache_key, *map(str, extra)]).encode() + rows.tobytes()

    @cached_property
    def truth(self) -> dict:
        r = roles(self.variant)
        return {k: r[k] for k in ("planted", "decoy", "other")}

    @cached_property
    def _explainer(self):
        import shap

        return shap.TreeExplainer(self.model)

    @cached_property
    def ref_shap_interaction(self) -> np.ndarray:
        """TreeSHAP interaction values of the H sample, shape (200, 6, 6), model units."""
        return on_disk("shap_interaction", self._key(self.trained, self.X_h), lambda: np.asarray(
            self._explainer.shap_interaction_values(self.X_h), dtype=float))

    @cached_property
    def ref_shap_values(self) -> np.ndarray:
        """TreeSHAP values of the H sample, shape (200, 6)."""
        return on_disk("shap_values", self._key(self.trained, self.X_h), lambda: np.asarray(
            self._explainer.shap_values(self.X_h), dtype=float))

    @cached_property
    def ref_h2(self) -> np.ndarray:
        """H^2 of every pair (``ctx.pairs`` order) on the H sample, shape (15,)."""
        return on_disk("h2", self._key(self.trained, self.X_h, self.pairs),
                       lambda: h2_pairs(self.model.predict, self.X_h, self.pairs))

    @cached_property
    def ref_h2_uncentred(self) -> np.ndarray:
        """q2's typical mistake: eq. 44 with uncentred partial dependences, shape (15,)."""
        return _h2_uncentred(self.model.predict, self.X_h, self.pairs)

    def h2_of(self, pair) -> float:
        key = tuple(sorted(pair, key=self.feature_names.index))
        return float(self.ref_h2[self.pairs.index(key)])

    @cached_property
    def ref_pd_planted(self) -> np.ndarray:
        """2-D partial dependence of the planted pair on the H sample, shape (10, 10)."""
        return pd_2d(self.model, self.X_h, self.truth["planted"], grid_resolution=self.pd_grid)

    @cached_property
    def ref_bike_h2(self) -> np.ndarray:
        """H^2 of ``BIKE_PAIRS`` on the bike H sample, shape (3,)."""
        return on_disk("bike_h2", self._key(self.bike, self.X_bike_h, self.bike_pairs),
                       lambda: h2_pairs(self.bike_model.predict, self.X_bike_h, self.bike_pairs))

    @cached_property
    def ref_bike_pd(self) -> np.ndarray:
        """2-D PD of hr x workingday on the bike H sample, shape (24, 2), rentals per hour."""
        return pd_2d(self.bike_model, self.X_bike_h, ("hr", "workingday"),
                     custom_values={"hr": np.arange(24.0), "workingday": np.array([0.0, 1.0])})


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
