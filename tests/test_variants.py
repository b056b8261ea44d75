"""Per-candidate variants (issue 7): derivation, the set_variant transform, manifests and the
flags of altered or removed variant metadata. No kernels here (see tests/test_packs.py)."""
from __future__ import annotations

import json
import zipfile

import nbformat
import pytest

from xaikit.grading.notebook import set_mode, set_variant
from xaikit.grading.variants import (VARIANT_RANGE, ManifestError, derive_variant,
                                     load_manifest, manifest_variant, opened_variants,
                                     resolve_variant)


def _nb(call='ex = open_exercise("shap_vs_lime", variant=0, mode="practice")', meta=None):
    nb = nbformat.v4.new_notebook()
    nb.metadata["xaikit"] = {"exercise": "shap_vs_lime", "variant": 0, "mode": "practice"} \
        if meta is None else meta
    nb.cells = [nbformat.v4.new_markdown_cell("# t"),
                nbformat.v4.new_code_cell("from xaikit import open_exercise\n" + call),
                nbformat.v4.new_code_cell("x = None")]
    return nb


MANIFEST = {"candidate": "ada", "exercises": [{"id": "shap_vs_lime", "variant": 4242}]}


def test_derive_variant_is_deterministic_salted_and_never_zero():
    v = derive_variant("ada", "shap_vs_lime", "salt")
    assert v == derive_variant("ada", "shap_vs_lime", "salt")
    assert v != derive_variant("ada", "shap_vs_lime", "other salt")
    assert v != derive_variant("ada", "pdp_ice", "salt")
    vs = {derive_variant(f"c{i}", "shap_vs_lime", "s") for i in range(300)}
    assert min(vs) >= 1 and max(vs) <= VARIANT_RANGE and len(vs) >= 295


def test_set_variant_sets_metadata_and_the_call_and_keeps_the_rest():
    nb = set_variant(_nb(), 77, candidate="ada")
    assert nb.metadata["xaikit"] == {"exercise": "shap_vs_lime", "variant": 77,
                                     "mode": "practice", "candidate": "ada"}
    assert 'open_exercise("shap_vs_lime", variant=77, mode="practice")' in nb.cells[1].source
    assert opened_variants(nb) == [("shap_vs_lime", 77)]
    assert _nb().metadata["xaikit"]["variant"] == 0  # the input is not modified
    nb = set_mode(nb, "take-home")
    assert 'variant=77, mode="take-home"' in nb.cells[1].source


def test_set_variant_adds_a_missing_variant_argument():
    nb = set_variant(_nb('ex = open_exercise("shap_vs_lime")'), 5)
    assert 'open_exercise("shap_vs_lime", variant=5)' in nb.cells[1].source
    assert opened_variants(_nb('ex = open_exercise("shap_vs_lime")')) == [("shap_vs_lime", None)]


def test_consistent_submission_has_no_flags():
    nb = set_variant(_nb(), 4242, candidate="ada")
    assert resolve_variant(nb, nb.metadata["xaikit"], "shap_vs_lime", MANIFEST) == (4242, [])
    assert resolve_variant(nb, nb.metadata["xaikit"], "shap_vs_lime") == (4242, [])


def test_altered_metadata_is_graded_against_the_manifest_and_flagged():
    nb = set_variant(_nb(), 4242, candidate="ada")
    nb.metadata["xaikit"]["variant"] = 17
    v, flags = resolve_variant(nb, nb.metadata["xaikit"], "shap_vs_lime", MANIFEST)
    assert v == 4242
    assert [f["kind"] for f in flags] == ["variant_mismatch"]
    v, flags = resolve_variant(nb, nb.metadata["xaikit"], "shap_vs_lime")  # no manifest
    assert v == 17 and {f["kind"] for f in flags} == {"variant_mismatch"}  # call says 4242


def test_removed_metadata_is_graded_against_the_manifest_and_flagged():
    nb = set_variant(_nb(), 4242, candidate="ada")
    del nb.metadata["xaikit"]["variant"]
    v, flags = resolve_variant(nb, nb.metadata["xaikit"], "shap_vs_lime", MANIFEST)
    assert v == 4242 and [f["kind"] for f in flags] == ["variant_missing"]
    v, flags = resolve_variant(nb, nb.metadata["xaikit"], "shap_vs_lime")
    assert v == 0 and "variant_missing" in {f["kind"] for f in flags}
    nb.metadata["xaikit"]["variant"] = "abc"
    v, flags = resolve_variant(nb, nb.metadata["xaikit"], "shap_vs_lime", MANIFEST)
    assert v == 4242 and "variant_missing" in {f["kind"] for f in flags}


def test_another_candidates_notebook_is_flagged():
    nb = set_variant(_nb(), 999, candidate="ben")  # ben's notebook handed in as ada's
    v, flags = resolve_variant(nb, nb.metadata["xaikit"], "shap_vs_lime", MANIFEST)
    assert v == 4242
    assert {f["kind"] for f in flags} == {"variant_mismatch", "candidate_mismatch"}


def test_exercise_not_in_the_manifest_is_flagged():
    nb = set_variant(_nb(), 3)
    v, flags = resolve_variant(nb, nb.metadata["xaikit"], "shap_vs_lime",
                               {"candidate": "ada", "exercises": []})
    assert v == 3 and [f["kind"] for f in flags] == ["not_in_manifest"]


def test_load_manifest_from_json_folder_and_zip(tmp_path):
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "MANIFEST.json").write_text(json.dumps(MANIFEST))
    assert load_manifest(tmp_path / "pack" / "MANIFEST.json") == MANIFEST
    assert load_manifest(tmp_path / "pack") == MANIFEST
    with zipfile.ZipFile(tmp_path / "p.zip", "w") as z:
        z.writestr("xaikit-takehome-ada/MANIFEST.json", json.dumps(MANIFEST))
    m = load_manifest(tmp_path / "p.zip")
    assert manifest_variant(m, "shap_vs_lime") == 4242 and manifest_variant(m, "x") is None
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ManifestError):
        load_manifest(tmp_path / "bad.json")
    with pytest.raises(ManifestError):
        load_manifest(tmp_path / "nothing-here")
