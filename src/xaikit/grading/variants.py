"""Per-candidate variants: derive them, read them back, and decide which one to grade against.

A take-home pack gives each candidate one variant per exercise (which applicants to explain,
which rows, planted column names...: whatever the exercise's ``build_context(variant)`` draws
from the variant seed). The variant is recorded three times:

- in the pack's ``MANIFEST.json`` (the interviewer keeps the pack zip or this file);
- in the notebook's metadata, ``metadata.xaikit.variant`` (with ``metadata.xaikit.candidate``);
- in the notebook's setup call ``open_exercise("<id>", variant=N, mode="take-home")``, which is
  what the candidate's code actually computes with.

``xaikit grade`` grades against the metadata variant; with ``--manifest`` it grades against the
manifest's variant. Any disagreement between the three (or a missing metadata variant) becomes a
``variant_*`` flag in the report, whatever the score. The grader never rewrites the
submission's ``open_exercise`` call: a notebook copied from another candidate still computes
with that candidate's variant and fails against its own.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import zipfile
from pathlib import Path

MANIFEST_NAME = "MANIFEST.json"
#: Variants of take-home packs lie in [1, VARIANT_RANGE]; 0 is the repository default (the
#: published solutions and practice notebooks), never given to a candidate.
VARIANT_RANGE = 99_999

_CALL = re.compile(r"open_exercise\(\s*(['\"])(?P<id>[\w-]+)\1(?P<args>[^)]*)\)")
_VARIANT_ARG = re.compile(r"variant\s*=\s*(?P<v>-?\d+)")


class ManifestError(ValueError):
    """A pack manifest is missing, unreadable or not an xaikit pack manifest."""


def derive_seed(candidate: str, exercise_id: str, salt: str) -> str:
    """Hex HMAC-SHA256 of ``candidate:exercise_id`` keyed by the pack ``salt``."""
    msg = f"{candidate}\x1f{exercise_id}".encode()
    return hmac.new(salt.encode(), msg, hashlib.sha256).hexdigest()


def derive_variant(candidate: str, exercise_id: str, salt: str) -> int:
    """The candidate's variant of ``exercise_id``: an int in ``[1, VARIANT_RANGE]``.

    Deterministic in (candidate, exercise, salt); without the salt the variant of another
    candidate cannot be predicted from their id.
    """
    seed = derive_seed(candidate, exercise_id, salt)
    return 1 + int(seed[:12], 16) % VARIANT_RANGE


def opened_variants(nb) -> list[tuple[str, int | None]]:
    """``(exercise id, variant)`` of every ``open_exercise(...)`` call in the code cells.

    ``variant`` is None when the call passes no literal ``variant=N`` (the default 0 applies,
    or the value is computed).
    """
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for m in _CALL.finditer(cell.source):
            v = _VARIANT_ARG.search(m.group("args"))
            found.append((m.group("id"), int(v.group("v")) if v else None))
    return found


def load_manifest(path) -> dict:
    """Read a pack manifest from ``MANIFEST.json``, a folder holding it, or the pack zip.

    Raises
    ------
    ManifestError
    """
    p = Path(path)
    try:
        if p.is_dir():
            hits = sorted(p.rglob(MANIFEST_NAME))
            if not hits:
                raise ManifestError(f"{p} holds no {MANIFEST_NAME}")
            text = hits[0].read_text()
        elif zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                names = [n for n in z.namelist() if n.rsplit("/", 1)[-1] == MANIFEST_NAME]
                if not names:
                    raise ManifestError(f"{p} holds no {MANIFEST_NAME}")
                text = z.read(sorted(names, key=len)[0]).decode()
        else:
            text = p.read_text()
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, zipfile.BadZipFile) as e:
        raise ManifestError(f"cannot read the manifest {p}: {e}") from None
    if not isinstance(data, dict) or "exercises" not in data or "candidate" not in data:
        raise ManifestError(f"{p} is not an xaikit pack manifest (no candidate/exercises)")
    return data


def manifest_variant(manifest: dict, exercise_id: str) -> int | None:
    """The variant the manifest gives ``exercise_id``, or None if the pack does not hold it."""
    for e in manifest.get("exercises", []):
        if e.get("id") == exercise_id:
            return int(e["variant"])
    return None


def resolve_variant(nb, meta: dict, exercise_id: str, manifest: dict | None = None):
    """Which variant to grade a submission against, and the integrity flags.

    Parameters
    ----------
    nb : NotebookNode
        The submission.
    meta : dict
        Its ``metadata.xaikit``.
    exercise_id : str
    manifest : dict, optional
        The candidate's pack manifest (:func:`load_manifest`).

    Returns
    -------
    variant : int
        The manifest's variant if the manifest lists the exercise, else the metadata's, else 0.
    flags : list of dict
        ``{"kind": ..., "detail": ...}``: ``variant_missing`` (no metadata variant),
        ``variant_mismatch`` (metadata, manifest and the ``open_exercise`` call disagree),
        ``candidate_mismatch`` (metadata candidate differs from the manifest's),
        ``not_in_manifest`` (the pack did not hold this exercise), ``definition_changed``
        (the exercise's files differ from those the pack was built from: scores may differ
        from what the candidate's pack implied).
    """
    flags = []
    raw = meta.get("variant")
    try:
        meta_variant = None if raw is None or isinstance(raw, bool) else int(raw)
    except (TypeError, ValueError):
        meta_variant = None
    if meta_variant is None:
        flags.append({"kind": "variant_missing",
                      "detail": "the notebook's metadata.xaikit.variant is missing or not an "
                                f"integer ({raw!r})" + ("" if manifest else
                                                        "; graded as variant 0")})
    variant = meta_variant if meta_variant is not None else 0
    if manifest is not None:
        expected = manifest_variant(manifest, exercise_id)
        if expected is None:
            flags.append({"kind": "not_in_manifest",
                          "detail": f"the pack of {manifest.get('candidate')!r} does not hold "
                                    f"{exercise_id}; graded against the notebook's metadata"})
        else:
            if meta_variant is not None and meta_variant != expected:
                flags.append({"kind": "variant_mismatch",
                              "detail": f"metadata says variant {meta_variant}, the pack "
                                        f"manifest {expected}: graded against the manifest"})
            variant = expected
            changed = definition_changes(manifest, exercise_id)
            if changed:
                flags.append({"kind": "definition_changed",
                              "detail": f"{exercise_id} has changed since the pack was built "
                                        f"(xaikit {manifest.get('xaikit_version')}): "
                                        + "; ".join(changed[:6])})
        who, says = manifest.get("candidate"), meta.get("candidate")
        if says is not None and who is not None and str(says) != str(who):
            flags.append({"kind": "candidate_mismatch",
                          "detail": f"the notebook was packed for {says!r}, the manifest is "
                                    f"{who!r}'s"})
    calls = [v for eid, v in opened_variants(nb) if eid == exercise_id]
    opened = {0 if v is None else v for v in calls}
    if calls and opened != {variant}:
        flags.append({"kind": "variant_mismatch",
                      "detail": f"the notebook opens variant {sorted(opened)} in "
                                f"open_exercise(...) but is graded against variant {variant}"})
    return variant, flags


def definition_changes(manifest: dict, exercise_id: str) -> list[str]:
    """What differs between the exercise's definition recorded in ``manifest`` and the one
    installed here (:func:`xaikit.boundary.exercise_definition`): one line per file added,
    removed or changed; empty when they agree or the manifest records none."""
    from xaikit.boundary import exercise_definition

    entry = next((e for e in manifest.get("exercises", []) if e.get("id") == exercise_id), None)
    recorded = (entry or {}).get("definition")
    if not isinstance(recorded, dict):
        return []
    here = exercise_definition(exercise_id)
    out = []
    for f in sorted(set(recorded) | set(here)):
        if f not in here:
            out.append(f"{f} removed")
        elif f not in recorded:
            out.append(f"{f} added")
        elif recorded[f] != here[f]:
            out.append(f"{f} changed")
    return out
