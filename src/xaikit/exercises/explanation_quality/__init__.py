"""``explanation_quality``: is this explanation faithful?

Three explainers, presented as A, B and C (TreeSHAP, LIME and a model-free attribution that
ignores the model, in a per-variant order), are judged on a generated data set with a known
sparse support and on German credit: deletion and insertion curves (Petsiuk, Das & Saenko
2018, RISE), stability under small input noise (Alvarez-Melis & Jaakkola 2018) and the model
and data randomisation sanity checks (Adebayo et al. 2018).
"""
