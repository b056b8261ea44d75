"""Bundled data: verified on load, readable errors when missing or altered."""
import shutil

import pytest

from xaikit import datasets as D


def test_german_credit_shape_target_and_metadata():
    ds = D.load_german_credit()
    assert ds.X.shape == (1000, 20) and ds.y.shape == (1000,)
    assert int(ds.y.sum()) == 300 and ds.target_names == ("good", "bad")
    assert ds.X.isna().sum().sum() == 0
    assert ds.card.is_file()
    for i, labels in ds.categorical_names.items():
        col = ds.X.iloc[:, i]
        assert col.min() >= 0 and col.max() < len(labels)
    assert ds.describe_row(ds.X.iloc[0])["checking_status"] == ds.frame.iloc[0]["checking_status"]


def test_every_manifest_file_verifies_and_has_a_card():
    directory = D.data_dir()
    for name in D.read_manifest(directory):
        D.verified_path(name)
        assert (directory / f"{name.split('.')[0]}.md").is_file(), f"no data card for {name}"


def _copy_data(tmp_path, monkeypatch):
    dest = tmp_path / "datasets"
    shutil.copytree(D.data_dir(), dest)
    monkeypatch.setenv("XAIKIT_DATA_DIR", str(dest))
    D._load_german_credit_cached.cache_clear()
    return dest


def test_altered_file_is_refused_with_instructions(tmp_path, monkeypatch):
    dest = _copy_data(tmp_path, monkeypatch)
    with open(dest / "german_credit.csv", "a") as f:
        f.write("tampered\n")
    with pytest.raises(D.DatasetError, match="german_credit.csv has been altered.*git checkout"):
        D.load_german_credit()


def test_missing_file_is_named(tmp_path, monkeypatch):
    dest = _copy_data(tmp_path, monkeypatch)
    (dest / "german_credit.csv").unlink()
    with pytest.raises(D.DatasetError, match="german_credit.csv is missing"):
        D.load_german_credit()


def test_bad_data_dir_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("XAIKIT_DATA_DIR", str(tmp_path))
    with pytest.raises(D.DatasetError, match="MANIFEST.sha256"):
        D.data_dir()
