"""References of ``neural_attribution``: every map of the questions under the notebook's
protocol, recomputed from the same weights and digits (:class:`References`)."""
from __future__ import annotations

from functools import cached_property

import numpy as np

from xaikit.exercises.framework import ReferenceContext
from xaikit.exercises.neural_attribution.public import MAPS

from . import methods as M


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    @property
    def W(self):
        return self.model.coefs_

    @property
    def B(self):
        return self.model.intercepts_

    @cached_property
    def ref_forward(self):
        """(logits, probas), each of shape (5, 10)."""
        return M.forward(self.W, self.B, self.X_digits)

    def ref_gradient(self, output="logit", X=None):
        X = self.X_digits if X is None else X
        return M.input_gradient(self.W, self.B, X, self.targets, output=output)

    @cached_property
    def ref_fd(self) -> np.ndarray:
        """Central finite differences of the class logit, (5, 64)."""
        return np.array([M.finite_difference_gradient(self.W, self.B, x, c, self.fd_eps)
                         for x, c in zip(self.X_digits, self.targets)])

    @cached_property
    def ref_fd_error(self) -> float:
        """max |backprop gradient - finite differences| over the 5 x 64 entries."""
        return float(np.max(np.abs(self.ref_gradient() - self.ref_fd)))

    def ref_smoothgrad(self, seed=None, sigma=None, n_samples=None):
        return M.smoothgrad(self.W, self.B, self.X_digits, self.targets,
                            sigma=self.sg_sigma if sigma is None else sigma,
                            n_samples=self.sg_samples if n_samples is None else n_samples,
                            seed=self.sg_seed if seed is None else seed)

    def ref_ig(self, rule="right", steps=None, output="logit", baseline=None):
        return M.integrated_gradients(
            self.W, self.B, self.X_digits, self.targets,
            baseline=0.0 if baseline is None else baseline,
            steps=self.ig_steps if steps is None else steps, rule=rule, output=output)

    def ref_delta(self, output="logit"):
        """F(x) - F(blank image) for each digit, (5,)."""
        f = M.class_output(self.W, self.B, self.X_digits, self.targets, output)
        f0 = M.class_output(self.W, self.B, np.zeros_like(self.X_digits), self.targets, output)
        return f - f0

    def ref_occlusion(self, output="proba", value=None):
        return M.occlusion_map(self.W, self.B, self.X_digits, self.targets,
                               size=self.occ_size, stride=self.occ_stride,
                               value=self.occ_value if value is None else value, output=output)

    def ref_randomisation(self, seed=None, order="cascade") -> dict:
        """Spearman rho of |map| original vs randomised, ``{map: (n_steps, 5)}``.

        ``order="independent"``: each step re-randomises only its layer (the others trained),
        a typical deviation from the cascading protocol."""
        seed = self.rand_seed if seed is None else seed
        steps = M.randomise_cascade(self.W, self.B, seed)
        if order == "independent":
            steps = []
            rng_steps = M.randomise_cascade(self.W, self.B, seed)
            L = len(self.W)
            for s, (Wr, Br) in enumerate(rng_steps):
                layer = L - 1 - s
                W = [w.copy() for w in self.W]
                B = [b.copy() for b in self.B]
                W[layer], B[layer] = Wr[layer], Br[layer]
                steps.append((W, B))
        X, c = self.X_digits, self.targets
        g0 = M.input_gradient(self.W, self.B, X, c)
        orig = {"gradient": g0, "grad_x_input": g0 * X}
        out = {m: np.empty((len(steps), len(X))) for m in MAPS}
        for s, (W, B) in enumerate(steps):
            g = M.input_gradient(W, B, X, c)
            new = {"gradient": g, "grad_x_input": g * X}
            for m in MAPS:
                out[m][s] = [M.spearman_abs(orig[m][i], new[m][i]) for i in range(len(X))]
        return out

    @cached_property
    def ref_rand(self) -> dict:
        return self.ref_randomisation()


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
