"""Exercise ``reason_codes``: adverse-action reason codes from grouped SHAP values, with a
monotone-constrained XGBoost model on German credit (public part in ``public.py``, checks and
references in ``grader/``)."""
