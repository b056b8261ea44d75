"""The digits data and the small multilayer perceptron of ``neural_attribution`` (public).

Data card: scikit-learn's bundled handwritten digits (``sklearn.datasets.load_digits``), a copy
of the test part of the UCI "Optical Recognition of Handwritten Digits" data set (optdigits;
Alpaydin & Kaynak 1998, CC BY 4.0): 1797 images of 8x8 pixels, each pixel a count 0-16 of the
"on" pixels of a 4x4 block of the original 32x32 bitmap, 43 writers; target = the digit 0-9.
Here the model input is the **intensity** = pixel count / 16, in [0, 1], flattened row by row
(pixel ``(r, c)`` is input ``8 r + c``). Known issues: low resolution, writers shared between
the train and test split, a few ambiguous digits (1/7, 5/9, 8/1).

The model is a scikit-learn ``MLPClassifier`` (two ReLU hidden layers of 32 units, softmax
output), trained once with a fixed seed and cached as its ``coefs_`` / ``intercepts_`` arrays in
an ``.npz`` file (numbers, no pickle). Nothing here computes an attribution map: the only
perturbation helper, :func:`occlude_patch`, hides ONE patch of ONE image and predicts.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Image side, pixels.
SIDE = 8
#: Settings of the digits MLP (part of the cache key).
DIGITS_MLP_PARAMS = {"hidden_layer_sizes": [32, 32], "activation": "relu", "alpha": 1e-3,
                     "learning_rate_init": 1e-3, "max_iter": 400, "random_state": 0}
#: The split: 30 % held out, stratified, ``random_state=0``.
TEST_SIZE, SPLIT_SEED = 0.3, 0


@dataclass
class DigitsMLP:
    """The digits model with its exact split.

    Attributes
    ----------
    model : sklearn.neural_network.MLPClassifier
        Fitted (restored from the cached arrays); ``predict_proba`` takes intensities in [0, 1],
        shape (n, 64), and returns probabilities, shape (n, 10).
    X_train, X_test : ndarray of shape (1257, 64), (540, 64)
        Intensities (pixel count / 16).
    y_train, y_test : ndarray of int, digits 0-9
    test_accuracy : float
    """

    model: object
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    test_accuracy: float


def load_digits_split():
    """The intensities and labels, split 70/30 (stratified, ``random_state=0``).

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarrays, shapes (1257, 64), (540, 64), (1257,), (540,)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    X = d.data.astype(float) / 16.0
    return train_test_split(X, d.target, test_size=TEST_SIZE, random_state=SPLIT_SEED,
                            stratify=d.target)


def mlp_from_arrays(coefs, intercepts, classes=tuple(range(10)), activation="relu"):
    """A fitted ``MLPClassifier`` rebuilt from its weight arrays (no pickle).

    Parameters
    ----------
    coefs : list of ndarray, ``coefs[l]`` of shape (n_in_l, n_out_l)
    intercepts : list of ndarray, ``intercepts[l]`` of shape (n_out_l,)
    classes : sequence of int
    activation : str
        Hidden activation, as in scikit-learn.

    Returns
    -------
    sklearn.neural_network.MLPClassifier
        ``predict_proba`` / ``predict`` work as on the original model.
    """
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import LabelBinarizer

    hidden = [c.shape[1] for c in coefs[:-1]]
    m = MLPClassifier(hidden_layer_sizes=hidden, activation=activation)
    m.coefs_ = [np.array(c, dtype=float) for c in coefs]
    m.intercepts_ = [np.array(b, dtype=float) for b in intercepts]
    m.n_layers_ = len(coefs) + 1
    m.n_outputs_ = coefs[-1].shape[1]
    m.out_activation_ = "softmax"
    m.classes_ = np.asarray(classes)
    m._label_binarizer = LabelBinarizer().fit(m.classes_)
    m.n_features_in_ = coefs[0].shape[0]
    m.n_iter_ = 0
    return m


@lru_cache(maxsize=None)
def digits_mlp(retrain: bool = False) -> DigitsMLP:
    """Train the digits MLP once (fixed seed, one thread) or load its cached weight arrays.

    The cache file is ``<cache>/digits_mlp-<key>.npz`` (``xaikit.models.cache_dir``); the key
    hashes the settings, the split and the library versions.
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from xaikit.models import cache_dir, library_versions

    X_train, X_test, y_train, y_test = load_digits_split()
    payload = {"params": DIGITS_MLP_PARAMS, "split": [TEST_SIZE, SPLIT_SEED],
               "data": hashlib.sha256(X_train.tobytes() + y_train.tobytes()).hexdigest(),
               "versions": library_versions()}
    key = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]
    path = cache_dir() / f"digits_mlp-{key}.npz"
    model = None
    if path.is_file() and not retrain:
        try:
            with np.load(path, allow_pickle=False) as z:
                n = int(z["n_layers"])
                model = mlp_from_arrays([z[f"W{i}"] for i in range(n)],
                                        [z[f"b{i}"] for i in range(n)])
        except Exception:  # a corrupt cache file: retrain below
            model = None
    if model is None:
        params = dict(DIGITS_MLP_PARAMS, hidden_layer_sizes=tuple(
            DIGITS_MLP_PARAMS["hidden_layer_sizes"]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted = MLPClassifier(**params).fit(X_train, y_train)
        arrays = {f"W{i}": w for i, w in enumerate(fitted.coefs_)}
        arrays.update({f"b{i}": b for i, b in enumerate(fitted.intercepts_)})
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}.npz")
        np.savez(tmp, n_layers=len(fitted.coefs_), **arrays)
        os.replace(tmp, path)
        model = mlp_from_arrays(fitted.coefs_, fitted.intercepts_)
    acc = float(np.mean(model.predict(X_test) == y_test))
    return DigitsMLP(model=model, X_train=X_train, X_test=X_test, y_train=y_train,
                     y_test=y_test, test_accuracy=acc)


def occlude_patch(image, top: int, left: int, size: int, value: float = 0.0) -> np.ndarray:
    """A copy of one image with one square patch set to ``value``.

    Parameters
    ----------
    image : array-like of shape (64,) or (8, 8)
        Intensities in [0, 1].
    top, left : int
        Row and column of the patch's top-left pixel (0-7); the patch is clipped at the border.
    size : int
        Side of the patch, pixels.
    value : float, default 0.0
        The baseline written into the patch (0 = blank paper).

    Returns
    -------
    ndarray of shape (64,)

    Raises
    ------
    ValueError
        If the image does not have 64 pixels or the patch starts outside the image.

    References
    ----------
    Zeiler, M. D. & Fergus, R. (2014). Visualizing and understanding convolutional networks.
    ECCV (occlusion sensitivity).
    """
    img = np.array(image, dtype=float).reshape(-1)
    if img.size != SIDE * SIDE:
        raise ValueError(f"an image has {SIDE * SIDE} pixels, got {img.size}")
    if not (0 <= top < SIDE and 0 <= left < SIDE) or size < 1:
        raise ValueError("the patch must start inside the 8x8 image and have size >= 1")
    img = img.reshape(SIDE, SIDE)
    img[top:top + size, left:left + size] = value
    return img.reshape(-1)
