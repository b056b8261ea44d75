"""Real datasets bundled in ``datasets/``, verified against a SHA-256 manifest on load.

Each ``load_*`` function returns a :class:`Dataset`: the readable frame, the numeric design
matrix the models use, the target, and per-feature metadata (kind, unit, categories, whether
and how a feature may change). Nothing is downloaded: the files ship with the project.

Where the data lives: ``$XAIKIT_DATA_DIR`` if set; otherwise the first ``datasets/`` folder
holding a ``MANIFEST.sha256``, searched from the current directory upwards; otherwise the
``datasets/`` folder of the source checkout this package was installed from.
"""
from xaikit.datasets.core import (MANIFEST_NAME, Dataset, DatasetError, FeatureInfo, data_dir,
                                  read_manifest, verified_path)
from xaikit.datasets.loaders import (BIKESHARE_LEAKS, _load_german_credit_cached,
                                     load_bikeshare, load_boston_hmda, load_german_credit)

__all__ = ["MANIFEST_NAME", "Dataset", "DatasetError", "FeatureInfo", "data_dir", "read_manifest",
           "verified_path", "BIKESHARE_LEAKS", "load_bikeshare", "load_boston_hmda",
           "load_german_credit", "_load_german_credit_cached"]
