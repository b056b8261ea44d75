"""The bundled datasets' loaders: German credit, bike sharing 2011, Boston HMDA (one data card
each in the project's ``datasets/`` folder)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from xaikit.datasets.core import Dataset, DatasetError, FeatureInfo, _encode, verified_path


_GERMAN_CATEGORIES = {
    "checking_status": ("< 0 DM", "0-200 DM", ">= 200 DM or salary assignment",
                        "no checking account"),
    "credit_history": ("no credits taken/ all credits paid back duly",
                       "all credits at this bank paid back duly",
                       "existing credits paid back duly till now",
                       "delay in paying off in the past",
                       "critical account/ other credits existing (not at this bank)"),
    "purpose": ("car (new)", "car (used)", "furniture/equipment", "radio/television",
                "domestic appliances", "repairs", "education", "retraining", "business",
                "others"),
    "savings": ("< 100 DM", "100-500 DM", "500-1000 DM", ">= 1000 DM", "unknown or none"),
    "employment_since": ("unemployed", "< 1 year", "1-4 years", "4-7 years", ">= 7 years"),
    "personal_status_sex": ("male : divorced/separated", "female : divorced/separated/married",
                            "male : single", "male : married/widowed"),
    "other_debtors": ("none", "co-applicant", "guarantor"),
    "property": ("real estate", "building society savings agreement / life insurance",
                 "car or other", "unknown / no property"),
    "other_installment_plans": ("bank", "stores", "none"),
    "housing": ("rent", "own", "for free"),
    "job": ("unemployed/ unskilled - non-resident", "unskilled - resident",
            "skilled employee/ official",
            "management/ self-employed/ highly qualified employee/ officer"),
    "telephone": ("no", "yes"),
    "foreign_worker": ("no", "yes"),
}

_GERMAN_FEATURES = [
    # name, kind, description, unit, mutable, direction, range
    ("checking_status", "ordinal", "balance of the applicant's checking account", "", True, "any", None),
    ("duration_months", "numeric", "duration of the requested credit", "months", True, "any", (4, 72)),
    ("credit_history", "nominal", "past repayment behaviour", "", False, "none", None),
    ("purpose", "nominal", "what the credit is for", "", True, "any", None),
    ("credit_amount_dm", "numeric", "requested amount", "DM", True, "any", (250, 18424)),
    ("savings", "ordinal", "savings account / bonds", "", True, "any", None),
    ("employment_since", "ordinal", "time in present employment", "", False, "increase", None),
    ("installment_rate", "numeric", "instalment rate relative to disposable income, a class coded 1-4 (UCI calls it a percentage; Groemping 2019 reports it is binned: see the data card)", "", True, "any", (1, 4)),
    ("personal_status_sex", "nominal", "sex mixed with marital status (protected; see the data card)", "", False, "none", None),
    ("other_debtors", "nominal", "other debtors or guarantors", "", True, "any", None),
    ("residence_since", "numeric", "time at present residence, a class coded 1-4", "", False, "increase", (1, 4)),
    ("property", "nominal", "most valuable property", "", True, "any", None),
    ("age_years", "numeric", "age (protected)", "years", False, "none", (19, 75)),
    ("other_installment_plans", "nominal", "other instalment plans", "", True, "any", None),
    ("housing", "nominal", "housing situation", "", True, "any", None),
    ("existing_credits", "numeric", "number of credits at this bank, a class coded 1-4", "", True, "any", (1, 4)),
    ("job", "ordinal", "job category", "", True, "any", None),
    ("num_dependents", "numeric", "people the applicant is liable to support, a class coded 1-2 (binned, see the data card)", "", False, "none", (1, 2)),
    ("telephone", "binary", "telephone registered in the applicant's name", "", True, "any", None),
    ("foreign_worker", "binary", "foreign worker (protected; see the data card)", "", False, "none", None),
]


@lru_cache(maxsize=None)
def _load_german_credit_cached(path_str: str, digest: str) -> Dataset:
    import pandas as pd

    path = Path(path_str)
    frame = pd.read_csv(path)
    features = {}
    for name, kind, desc, unit, mutable, direction, rng in _GERMAN_FEATURES:
        features[name] = FeatureInfo(name=name, kind=kind, description=desc, unit=unit,
                                     categories=_GERMAN_CATEGORIES.get(name), mutable=mutable,
                                     direction=direction, range=rng)
    X = _encode(frame, features)
    y = (frame["credit_risk"] == "bad").astype("int64").rename("credit_risk")
    return Dataset(name="german_credit", frame=frame, X=X, y=y, target_name="credit_risk",
                   target_names=("good", "bad"), features=features, path=path, sha256=digest,
                   card=path.with_name("german_credit.md"))


def load_german_credit() -> Dataset:
    """Statlog (German Credit Data): 1000 consumer-credit applicants, 20 attributes.

    The target ``y`` is 1 for a **bad** credit risk (300 rows) and 0 for good (700), so a
    classifier's class-1 probability is the estimated risk of default. Categorical features
    are integer-coded in ``X`` in the order of ``FeatureInfo.categories`` (UCI's code order;
    for ``checking_status``, ``savings`` and ``employment_since`` that order is ordinal except
    for the "no account / unknown" level, which comes last).

    Returns
    -------
    Dataset
        ``X`` has shape (1000, 20), ``y`` shape (1000,).

    Raises
    ------
    DatasetError
        If ``datasets/german_credit.csv`` is missing or differs from the manifest.

    References
    ----------
    Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine Learning Repository,
    https://doi.org/10.24432/C5NC77 (CC BY 4.0). See ``datasets/german_credit.md``.
    """
    path, digest = verified_path("german_credit.csv")
    return _load_german_credit_cached(str(path), digest)


# --- Bike sharing ------------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov",
           "Dec")
_BIKE_FEATURES = [
    # name, kind, description, unit, categories, range
    ("season", "ordinal", "season: 1 winter, 2 spring, 3 summer, 4 autumn", "code 1-4", None, (1, 4)),
    ("mnth", "numeric", "month of 2011 (1 = January)", "month", None, (1, 12)),
    ("day", "numeric", "day of the year 2011 (1 = 1 January); also a trend: the scheme grew "
     "during 2011", "day", None, (1, 365)),
    ("hr", "numeric", "hour of the day", "hour", None, (0, 23)),
    ("holiday", "binary", "public holiday", "0/1", None, (0, 1)),
    ("weekday", "numeric", "day of the week (0 = Sunday)", "day", None, (0, 6)),
    ("workingday", "binary", "neither weekend nor holiday", "0/1", None, (0, 1)),
    ("weathersit", "ordinal", "weather situation", "", ("clear", "cloudy/misty",
                                                        "light rain/snow", "heavy rain/snow"), None),
    ("temp", "numeric", "temperature, normalised: (t - (-8 °C)) / 47 °C", "fraction", None, (0, 1)),
    ("atemp", "numeric", "feels-like temperature, normalised: (t - (-16 °C)) / 66 °C", "fraction",
     None, (0, 1)),
    ("hum", "numeric", "relative humidity / 100", "fraction", None, (0, 1)),
    ("windspeed", "numeric", "wind speed / 67", "fraction", None, (0, 1)),
]
#: Columns that are parts of the target (casual + registered = bikers): never features.
BIKESHARE_LEAKS = ("casual", "registered")


@lru_cache(maxsize=None)
def _load_bikeshare_cached(path_str: str, digest: str) -> Dataset:
    import pandas as pd

    path = Path(path_str)
    frame = pd.read_csv(path)
    frame["mnth"] = frame["mnth"].map({m: i + 1 for i, m in enumerate(_MONTHS)})
    if frame["mnth"].isna().any():
        raise DatasetError(f"{path}: unknown month label")
    features = {}
    for name, kind, desc, unit, cats, rng in _BIKE_FEATURES:
        features[name] = FeatureInfo(name=name, kind=kind, description=desc, unit=unit,
                                     categories=cats, mutable=False, direction="none", range=rng)
    X = _encode(frame, features)
    y = frame["bikers"].astype("float64").rename("bikers")
    return Dataset(name="bikeshare_2011_hourly", frame=frame, X=X, y=y, target_name="bikers",
                   target_names=None, features=features, path=path, sha256=digest,
                   card=path.with_name("bikeshare_2011_hourly.md"),
                   extra={"leaks": BIKESHARE_LEAKS})


def load_bikeshare() -> Dataset:
    """Capital Bikeshare (Washington D.C.) hourly rentals in 2011, with weather and calendar.

    The target ``y`` is ``bikers``, the number of rentals in the hour (casual + registered
    users). ``casual`` and ``registered`` stay in ``frame`` but are **not** in ``X``: they sum
    to the target. Temperatures, humidity and wind speed are normalised as the UCI source
    ships them (see ``FeatureInfo.description`` for the scales); ``month`` is numbered 1-12.

    Returns
    -------
    Dataset
        ``X`` has shape (8645, 12), ``y`` shape (8645,) (rentals per hour).

    Raises
    ------
    DatasetError
        If ``datasets/bikeshare_2011_hourly.csv`` is missing or differs from the manifest.

    References
    ----------
    Fanaee-T, H. & Gama, J. (2013). Event labeling combining ensemble detectors and background
    knowledge. Progress in Artificial Intelligence 2, 113-127. UCI ML Repository dataset 275,
    https://doi.org/10.24432/C5W894 (CC BY 4.0). See ``datasets/bikeshare_2011_hourly.md``.
    """
    path, digest = verified_path("bikeshare_2011_hourly.csv")
    return _load_bikeshare_cached(str(path), digest)


# --- Boston HMDA mortgages ----------------------------------------------------------------

_HMDA_FEATURES = [
    # name, kind, description, unit, categories, mutable, direction, range
    ("dir", "numeric", "debt payments to total income ratio (monthly debt service incl. housing "
     "/ monthly income)", "ratio", None, True, "decrease", (0.10, 3.0)),
    ("hir", "numeric", "housing expenses to income ratio", "ratio", None, True, "decrease",
     (0.05, 3.0)),
    ("lvr", "numeric", "loan to assessed property value ratio (lower = larger down payment)",
     "ratio", None, True, "decrease", (0.20, 1.95)),
    ("ccs", "ordinal", "consumer credit score, 1 = no slow payments or delinquencies ... 6 = "
     "serious delinquencies (lower is better)", "score 1-6", None, True, "decrease", (1, 6)),
    ("mcs", "ordinal", "mortgage credit score, 1 = no late mortgage payments ... 4 = more than "
     "two late payments (lower is better)", "score 1-4", None, True, "decrease", (1, 4)),
    ("pbcr", "binary", "public bad credit record (history: immutable)", "", ("no", "yes"), False,
     "none", None),
    ("dmi", "binary", "denied mortgage insurance (a fact of this application: immutable)", "",
     ("no", "yes"), False, "none", None),
    ("self", "binary", "self-employed (protected from recourse: immutable)", "", ("no", "yes"),
     False, "none", None),
    ("single", "binary", "applicant is single (immutable)", "", ("no", "yes"), False, "none",
     None),
    ("uria", "numeric", "1989 Massachusetts unemployment rate in the applicant's industry "
     "(not under the applicant's control: immutable)", "percent", None, False, "none",
     (1.8, 10.6)),
    ("comdominiom", "binary", "the property is a condominium (spelling as in the source; "
     "treated as fixed)", "0/1", None, False, "none", (0, 1)),
    ("black", "binary", "applicant is Black (protected attribute: immutable)", "", ("no", "yes"),
     False, "none", None),
]


@lru_cache(maxsize=None)
def _load_boston_hmda_cached(path_str: str, digest: str) -> Dataset:
    import pandas as pd

    path = Path(path_str)
    raw = pd.read_csv(path, index_col=0)  # first column: the source's row number 1..2381
    # The one row with missing values (pbcr and self) carries column means in every numeric
    # column (an imputed record, not an applicant): drop it. See datasets/boston_hmda.md.
    incomplete = raw.index[raw.isna().any(axis=1)]
    frame = raw.drop(index=incomplete)
    features = {}
    for name, kind, desc, unit, cats, mutable, direction, rng in _HMDA_FEATURES:
        features[name] = FeatureInfo(name=name, kind=kind, description=desc, unit=unit,
                                     categories=cats, mutable=mutable, direction=direction,
                                     range=rng)
    X = _encode(frame, features)
    y = (frame["deny"] == "yes").astype("int64").rename("deny")
    return Dataset(name="boston_hmda", frame=frame, X=X, y=y, target_name="deny",
                   target_names=("approved", "denied"), features=features, path=path,
                   sha256=digest, card=path.with_name("boston_hmda.md"),
                   extra={"dropped_rows": tuple(int(i) for i in incomplete)})


def load_boston_hmda() -> Dataset:
    """Boston HMDA mortgage applications (1990): 2380 applicants, 12 features, target ``deny``.

    The target ``y`` is 1 when the application was **denied** (285 rows), 0 when approved, so a
    classifier's class-1 probability is the estimated probability of denial. The index is the
    source's row number (1-2381). Row 2381, the only one with missing values (``pbcr`` and
    ``self``) and whose numeric columns all equal the column means (an imputed record), is
    dropped (``extra["dropped_rows"]``). Yes/no columns are coded 0/1 in ``X``.

    Feature metadata for recourse: ``dir``, ``hir``, ``lvr`` (ratios), ``ccs`` (1-6) and
    ``mcs`` (1-4) are mutable and may only **decrease** (lower is better); every other
    feature (``pbcr``, ``dmi``, ``self``, ``single``, ``uria``, ``comdominiom``, ``black``) is
    immutable. ``FeatureInfo.range`` gives the plausible raw values.

    Returns
    -------
    Dataset
        ``X`` has shape (2380, 12), ``y`` shape (2380,).

    Raises
    ------
    DatasetError
        If ``datasets/boston_hmda.csv`` is missing or differs from the manifest.

    References
    ----------
    Munnell, A. H., Tootell, G. M. B., Browne, L. E. & McEneaney, J. (1996). Mortgage Lending
    in Boston: Interpreting HMDA Data. American Economic Review 86(1), 25-53. Distributed as
    ``Hdma`` in the R package Ecdat; copied from the pydataset package (MIT). See
    ``datasets/boston_hmda.md``.
    """
    path, digest = verified_path("boston_hmda.csv")
    return _load_boston_hmda_cached(str(path), digest)


# --- UCI Adult (census income, 1994) ------------------------------------------------------

_ADULT_FEATURES = [
    # name, kind, description, unit, mutable, direction, range
    ("age", "numeric", "age (protected)", "years", False, "none", (17, 90)),
    ("workclass", "nominal", "class of worker", "", True, "any", None),
    ("education_num", "ordinal", "highest education level as a number (1 = preschool ... "
     "16 = doctorate); the same information as `education`", "level 1-16", False, "increase",
     (1, 16)),
    ("marital_status", "nominal", "marital status (carries sex through 'Married-civ-spouse')",
     "", False, "none", None),
    ("occupation", "nominal", "occupation (1994 census groups)", "", True, "any", None),
    ("relationship", "nominal", "role in the household; 'Husband' and 'Wife' encode sex",
     "", False, "none", None),
    ("capital_gain", "numeric", "capital gains in 1993", "USD", False, "none", (0, 99999)),
    ("capital_loss", "numeric", "capital losses in 1993", "USD", False, "none", (0, 4356)),
    ("hours_per_week", "numeric", "usual hours worked per week", "hours/week", True, "any",
     (1, 99)),
    ("native_country", "nominal", "country of birth (national origin: sensitive)", "", False,
     "none", None),
]
#: Columns of ``frame`` that are not model features: protected attributes, the sampling
#: weight, the text form of ``education_num``, and the file a row came from.
ADULT_NON_FEATURES = ("sex", "race", "fnlwgt", "education", "source")
#: The label of a missing category (``?`` in the source files, empty in the CSV).
ADULT_MISSING = "(missing)"


@lru_cache(maxsize=None)
def _load_adult_cached(path_str: str, digest: str) -> Dataset:
    import pandas as pd

    path = Path(path_str)
    frame = pd.read_csv(path)
    features = {}
    for name, kind, desc, unit, mutable, direction, rng in _ADULT_FEATURES:
        cats = None
        if kind == "nominal":
            labels = sorted(str(v) for v in frame[name].dropna().unique())
            cats = tuple(labels) + ((ADULT_MISSING,) if frame[name].isna().any() else ())
        features[name] = FeatureInfo(name=name, kind=kind, description=desc, unit=unit,
                                     categories=cats, mutable=mutable, direction=direction,
                                     range=rng)
    coded = frame[list(features)].copy()
    for name, f in features.items():
        if f.is_categorical:
            coded[name] = coded[name].fillna(ADULT_MISSING)
    X = _encode(coded, features)
    y = (frame["income"] == ">50K").astype("int64").rename("income")
    return Dataset(name="adult", frame=frame, X=X, y=y, target_name="income",
                   target_names=("<=50K", ">50K"), features=features, path=path,
                   sha256=digest, card=path.with_name("adult.md"),
                   extra={"non_features": ADULT_NON_FEATURES})


def load_adult() -> Dataset:
    """UCI Adult (census income, 1994 CPS): 48 842 adults, 10 model features, target ``income``.

    The target ``y`` is 1 when the annual income is **above 50K USD** (11 687 rows), 0
    otherwise. ``X`` holds the 10 model features only; ``sex`` and ``race`` (protected),
    ``fnlwgt`` (a sampling weight, not a property of the person), ``education`` (the text form
    of ``education_num``) and ``source`` (``adult.data`` or ``adult.test``, the UCI file of the
    row) stay in ``frame``. Nominal features are integer-coded in the alphabetical order of
    their labels, with the missing label ``"(missing)"`` last where the source has ``?``.

    Returns
    -------
    Dataset
        ``X`` has shape (48842, 10), ``y`` shape (48842,); ``frame`` (48842, 16).

    Raises
    ------
    DatasetError
        If ``datasets/adult.csv.gz`` is missing or differs from the manifest.

    References
    ----------
    Becker, B. & Kohavi, R. (1996). Adult. UCI Machine Learning Repository,
    https://doi.org/10.24432/C5XW20 (CC BY 4.0). See ``datasets/adult.md``.
    """
    path, digest = verified_path("adult.csv.gz")
    return _load_adult_cached(str(path), digest)
