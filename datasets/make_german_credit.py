"""Rebuild ``german_credit.csv`` from the UCI Statlog file with its A-codes.

Provenance record for the bundled data, not run at run time. Usage::

    python datasets/make_german_credit.py RAW_DIR

where RAW_DIR holds ``german_credit.csv`` (UCI A-codes, SHA-256
659b9350fa46a8dab7e73daa167c28a488d0714aa39d643295347d1f82b3696f) and
``german_credit_codes.json`` (UCI's german.doc as JSON). Writes
``datasets/german_credit.csv`` beside this script with readable labels; row order unchanged.
"""
import json
import sys
from pathlib import Path

import pandas as pd

RENAME = {
    "status_of_existing_checking_account": ("checking_status", "status"),
    "duration_in_month": ("duration_months", None),
    "credit_history": ("credit_history", "credit_history"),
    "purpose": ("purpose", "purpose"),
    "credit_amount": ("credit_amount_dm", None),
    "savings_account/bonds": ("savings", "savings"),
    "present_employment_since": ("employment_since", "present_employment"),
    "installment_rate_in_percentage_of_disposable_income": ("installment_rate", None),
    "personal_status_and_sex": ("personal_status_sex", "status_sex"),
    "other_debtors/guarantors": ("other_debtors", "other_debtors"),
    "present_residence_since": ("residence_since", None),
    "property": ("property", "property"),
    "age_in_years": ("age_years", None),
    "other_installment_plans": ("other_installment_plans", "installment_plans"),
    "housing": ("housing", "housing"),
    "number_of_existing_credits_at_this_bank": ("existing_credits", None),
    "job": ("job", "job"),
    "number_of_people_being_liable_to_provide_maintenance_for": ("num_dependents", None),
    "telephone": ("telephone", "telephone"),
    "foreign_worker": ("foreign_worker", "foreign_worker"),
    "credit_risk": ("credit_risk", "credit"),
}


# Hand-written short labels where UCI's text is hard to read ("0 <= ... < 200 DM").
OVERRIDES = {
    "status": {"A11": "< 0 DM", "A12": "0-200 DM", "A13": ">= 200 DM or salary assignment",
               "A14": "no checking account"},
    "savings": {"A61": "< 100 DM", "A62": "100-500 DM", "A63": "500-1000 DM",
                "A64": ">= 1000 DM", "A65": "unknown or none"},
    "present_employment": {"A71": "unemployed", "A72": "< 1 year", "A73": "1-4 years",
                           "A74": "4-7 years", "A75": ">= 7 years"},
}


def tidy(label) -> str:
    if isinstance(label, bool):
        return "yes" if label else "no"
    text = " ".join(str(label).replace("...", "").replace("..", "").split())
    return text.replace("( ", "(").strip(" /")


def main(raw_dir: str) -> None:
    raw = Path(raw_dir)
    codes = json.loads((raw / "german_credit_codes.json").read_text())
    df = pd.read_csv(raw / "german_credit.csv")
    out = pd.DataFrame()
    for old, (new, code_key) in RENAME.items():
        col = df[old]
        if code_key is not None:
            mapping = {k: tidy(v) for k, v in codes[code_key].items()}
            mapping.update(OVERRIDES.get(code_key, {}))
            col = col.astype(str).map(mapping)
            if col.isna().any():
                raise ValueError(f"unmapped code in {old}")
        out[new] = col
    out.to_csv(Path(__file__).with_name("german_credit.csv"), index=False)


if __name__ == "__main__":
    main(sys.argv[1])
