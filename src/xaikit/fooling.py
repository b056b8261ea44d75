"""A black-box credit model stored as a table of tree nodes, and the perturbation tools of the
``fooling_explainers`` exercise and the ``fooling`` primer.

:class:`NodeTableModel` evaluates a binary decision tree written as a plain table (one row per
node: the feature tested, the threshold, the children, the leaf's probability). It is how a
take-home pack ships a model without a pickle: the table is a CSV file. Besides the data's own
columns a node may test one derived input, :data:`N_NON_INTEGER` (how many of the row's
values are not whole numbers).

Nothing here computes an exercise answer: the model is only evaluated, and
:func:`record_calls` only records what an explainer asks the model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: derived input a node may test: the number of a row's values that are not whole numbers
N_NON_INTEGER = "n_non_integer"


def non_integer_count(X) -> np.ndarray:
    """Number of values of each row that are not whole numbers (|x - round(x)| > 1e-9).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    numpy.ndarray of shape (n_samples,), float
    """
    A = np.asarray(X, dtype=float)
    return (np.abs(A - np.round(A)) > 1e-9).sum(axis=1).astype(float)


class NodeTableModel:
    """A binary classifier given as a table of tree nodes (scikit-learn-like interface).

    Parameters
    ----------
    nodes : pandas.DataFrame
        One row per node, indexed by node id (root = 0), columns ``feature`` (a column name,
        :data:`N_NON_INTEGER`, or empty / NaN for a leaf), ``threshold`` (go left when
        ``x[feature] <= threshold``), ``left``, ``right`` (child ids, -1 at a leaf) and
        ``p1`` (the leaf's probability of class 1).
    feature_names : list of str
        The input columns, in order.

    Raises
    ------
    ValueError
        If a node tests an unknown feature.
    """

    classes_ = np.array([0, 1])

    def __init__(self, nodes, feature_names):
        self.feature_names = list(feature_names)
        self.n_features_in_ = len(self.feature_names)
        cols = {f: i for i, f in enumerate(self.feature_names + [N_NON_INTEGER])}
        feats = nodes["feature"].fillna("").astype(str)
        unknown = set(feats[feats != ""]) - set(cols)
        if unknown:
            raise ValueError(f"nodes test unknown features: {sorted(unknown)}")
        order = np.asarray(nodes.index, dtype=int)
        if not np.array_equal(order, np.arange(len(order))):
            raise ValueError("node ids must be 0 .. n_nodes - 1 in order")
        self._feature = np.array([cols.get(f, -1) for f in feats])
        self._threshold = nodes["threshold"].fillna(0).to_numpy(float)
        self._left = nodes["left"].to_numpy(int)
        self._right = nodes["right"].to_numpy(int)
        self._p1 = nodes["p1"].fillna(0).to_numpy(float)

    def _inputs(self, X) -> np.ndarray:
        A = np.asarray(X, dtype=float)
        if A.ndim == 1:
            A = A[None, :]
        if A.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} columns, got {A.shape[1]}")
        return np.column_stack([A, non_integer_count(A)])

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities, shape (n_samples, 2): column 1 is P(bad credit risk)."""
        A = self._inputs(X)
        node = np.zeros(len(A), dtype=int)
        for _ in range(len(self._p1)):
            f = self._feature[node]
            inner = f >= 0
            if not inner.any():
                break
            idx = np.flatnonzero(inner)
            go_left = A[idx, f[idx]] <= self._threshold[node[idx]]
            node[idx] = np.where(go_left, self._left[node[idx]], self._right[node[idx]])
        p = self._p1[node]
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        """Decisions at threshold 0.5 (1 = bad risk, declined), shape (n_samples,)."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


@dataclass
class CallRecorder:
    """Wraps a ``predict_proba`` and keeps every array passed to it (rows an explainer made).

    Attributes
    ----------
    calls : list of numpy.ndarray
        One (n_rows, n_features) array per call, in order.
    """

    predict_proba: object
    calls: list = field(default_factory=list)

    def __call__(self, X):
        A = np.array(X, dtype=float, copy=True)
        self.calls.append(A)
        return self.predict_proba(A)

    @property
    def rows(self) -> np.ndarray:
        """All recorded rows stacked, shape (n_total, n_features)."""
        return np.vstack(self.calls) if self.calls else np.empty((0, 0))


def record_calls(predict_proba) -> CallRecorder:
    """A recorder around ``predict_proba``: pass it to an explainer as the classifier function,
    then read ``.rows`` (the perturbation samples the explainer evaluated)."""
    return CallRecorder(predict_proba)
