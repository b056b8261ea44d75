"""The dataset type, the data folder and the SHA-256 check every loader goes through."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = "MANIFEST.sha256"


class DatasetError(RuntimeError):
    """A bundled data file is missing, altered or unreadable."""


@dataclass(frozen=True)
class FeatureInfo:
    """Metadata of one feature.

    Attributes
    ----------
    name : str
        Column name in both ``Dataset.frame`` and ``Dataset.X``.
    kind : {"numeric", "ordinal", "nominal", "binary"}
        ``ordinal``/``nominal``/``binary`` features are integer-coded in ``X`` in the order of
        ``categories``.
    description : str
        What the column means.
    unit : str
        Unit of the raw value ("months", "DM", "years", "" for categories).
    categories : tuple of str or None
        Category labels; the code of a label is its position.
    mutable : bool
        Whether an applicant could change it (for recourse / counterfactuals).
    direction : {"any", "increase", "decrease", "none"}
        The direction of change allowed for recourse.
    range : tuple of float or None
        Plausible ``(low, high)`` of the raw value.
    """

    name: str
    kind: str
    description: str
    unit: str = ""
    categories: tuple[str, ...] | None = None
    mutable: bool = True
    direction: str = "any"
    range: tuple[float, float] | None = None

    @property
    def is_categorical(self) -> bool:
        return self.categories is not None


@dataclass
class Dataset:
    """A loaded dataset.

    Attributes
    ----------
    name : str
    frame : pandas.DataFrame, shape (n_samples, n_features + 1)
        Readable values, as in the CSV (categories as text), target included.
    X : pandas.DataFrame, shape (n_samples, n_features)
        Numeric design matrix (categories integer-coded, float64).
    y : pandas.Series, shape (n_samples,)
        Target, integer-coded (see ``target_names``) or numeric.
    target_name : str
    target_names : tuple of str or None
        For classification, the label of each class code (``target_names[1]`` is class 1).
    features : dict of str to FeatureInfo
    path : pathlib.Path
        The CSV file that was verified and read.
    sha256 : str
        Its SHA-256, also part of every model cache key.
    card : pathlib.Path
        The data card (Markdown) beside the CSV.
    """

    name: str
    frame: "object"
    X: "object"
    y: "object"
    target_name: str
    target_names: tuple[str, ...] | None
    features: dict[str, FeatureInfo]
    path: Path
    sha256: str
    card: Path
    extra: dict = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return list(self.features)

    @property
    def categorical_indices(self) -> list[int]:
        """Column positions (in ``X``) of integer-coded categorical features."""
        return [i for i, f in enumerate(self.features.values()) if f.is_categorical]

    @property
    def categorical_names(self) -> dict[int, list[str]]:
        """``{column position: [label of code 0, label of code 1, ...]}``, as LIME expects."""
        return {i: list(f.categories) for i, f in enumerate(self.features.values())
                if f.is_categorical}

    def describe_row(self, X_row) -> dict[str, str]:
        """Readable values of one encoded row: ``{feature: "label" or "value unit"}``."""
        out = {}
        for name, f in self.features.items():
            v = X_row[name]
            if f.is_categorical:
                out[name] = f.categories[int(v)]
            else:
                out[name] = f"{v:g} {f.unit}".strip()
        return out


def data_dir() -> Path:
    """The folder holding the bundled data and its ``MANIFEST.sha256``.

    Raises
    ------
    DatasetError
        If no such folder can be found.
    """
    env = os.environ.get("XAIKIT_DATA_DIR")
    if env:
        p = Path(env)
        if not (p / MANIFEST_NAME).is_file():
            raise DatasetError(f"XAIKIT_DATA_DIR={env} has no {MANIFEST_NAME}: point it at the "
                               "project's datasets/ folder.")
        return p
    for parent in [Path.cwd(), *Path.cwd().parents]:
        cand = parent / "datasets"
        if (cand / MANIFEST_NAME).is_file():
            return cand
    cand = Path(__file__).resolve().parents[3] / "datasets"  # the source checkout's
    if (cand / MANIFEST_NAME).is_file():
        return cand
    raise DatasetError("cannot find the datasets/ folder (with MANIFEST.sha256): run from the "
                       "project folder or set XAIKIT_DATA_DIR to it.")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(directory: Path) -> dict[str, str]:
    """``{file name: sha256}`` from ``MANIFEST.sha256`` (``sha256sum`` format)."""
    out = {}
    for line in (directory / MANIFEST_NAME).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            out[name.lstrip("*")] = digest
    return out


def verified_path(filename: str) -> tuple[Path, str]:
    """Path and SHA-256 of a bundled file, after checking it against the manifest.

    Raises
    ------
    DatasetError
        If the file is missing, not in the manifest, or its SHA-256 differs.
    """
    directory = data_dir()
    path = directory / filename
    manifest = read_manifest(directory)
    if filename not in manifest:
        raise DatasetError(f"{filename} is not listed in {directory / MANIFEST_NAME}.")
    if not path.is_file():
        raise DatasetError(f"{path} is missing. Restore it from the project "
                           f"(git checkout -- datasets/{filename}) or re-download the pack.")
    digest = _sha256(path)
    if digest != manifest[filename]:
        raise DatasetError(
            f"{path} has been altered: its SHA-256 is {digest}, the manifest says "
            f"{manifest[filename]}. Restore the original file (git checkout -- "
            f"datasets/{filename}); results on altered data cannot be graded.")
    return path, digest


def _encode(frame, features):
    import pandas as pd

    X = pd.DataFrame(index=frame.index)
    for name, f in features.items():
        col = frame[name]
        if f.is_categorical:
            codes = {c: i for i, c in enumerate(f.categories)}
            mapped = col.map(codes)
            if mapped.isna().any():
                bad = sorted(set(col[mapped.isna()].astype(str)))[:3]
                raise DatasetError(f"unknown category in {name}: {bad}")
            X[name] = mapped.astype("float64")
        else:
            X[name] = col.astype("float64")
    return X


# --- German credit ---------------------------------------------------------------------
