"""The ``xaikit`` command: a thin layer over :mod:`xaikit.grading`."""
from __future__ import annotations

import sys
from pathlib import Path

import click


def _root() -> Path:
    """The project folder: the nearest parent of the current folder holding solutions/."""
    for p in [Path.cwd(), *Path.cwd().parents]:
        if (p / "solutions").is_dir() and (p / "exercises").is_dir():
            return p
    return Path.cwd()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xaikit")
def main():
    """xaikit: hands-on ML-interpretability exercises, checks and grading."""


@main.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if exercises/ has drifted "
              "from solutions/.")
@click.option("--solutions", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Solutions folder (default: ./solutions of the project).")
@click.option("--exercises", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Exercises folder (default: ./exercises of the project).")
def build(check, solutions, exercises):
    """Generate exercises/ from solutions/ (the single source)."""
    from xaikit.grading.build import build as do_build
    from xaikit.grading.notebook import MarkerError

    root = _root()
    solutions = solutions or root / "solutions"
    exercises = exercises or root / "exercises"
    try:
        res = do_build(solutions, exercises, check=check)
    except MarkerError as e:
        raise click.ClickException(str(e))
    if check:
        bad = res.drift + res.missing
        for p in res.missing:
            click.echo(f"missing: {p}")
        for p in res.drift:
            click.echo(f"drifted: {p}")
        if bad:
            click.echo("run `xaikit build` to regenerate exercises/ from solutions/", err=True)
            sys.exit(1)
        click.echo("exercises/ is up to date with solutions/")
    else:
        for p in res.written:
            click.echo(f"wrote {p}")
        if not res.written:
            click.echo("exercises/ already up to date")


@main.command()
@click.argument("submissions", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder: one sub-folder per submission, plus summary.csv.")
@click.option("--cell-timeout", default=120, show_default=True, help="Seconds per cell.")
@click.option("--timeout", "total_timeout", default=900, show_default=True,
              help="Seconds per notebook.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
@click.option("--manifest", type=click.Path(exists=True, path_type=Path), default=None,
              help="The candidate's take-home pack (zip) or its MANIFEST.json: grade against "
                   "the pack's variants and flag notebooks whose variant was altered.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Submissions graded in parallel (one process and one kernel each).")
@click.option("--force", is_flag=True, help="Re-grade submissions already graded in OUT "
              "(same SHA-256); by default they are skipped.")
@click.option("--manual", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Interviewer's scores for the written questions (CSV or YAML: "
              "candidate, question, score, comment), merged into the reports and summary.csv; "
              "OUT/manual_scores.csv is the template.")
@click.option("--isolation", type=click.Choice(["auto", "bwrap", "rlimits"]), default="auto",
              show_default=True, help="auto: bubblewrap where it works, else rlimits only.")
@click.option("--memory-mb", default=6144, show_default=True,
              help="Address-space limit of a candidate's kernel.")
@click.option("--disk-mb", default=1024, show_default=True,
              help="Total size a kernel may write in its folder (flag disk_limit beyond).")
@click.option("--trust-submissions", is_flag=True,
              help="Grade even without bubblewrap or a user id of the kernel's own (the kernel "
                   "then runs with your user id): for your own notebooks only; recorded in "
                   "each report.")
def grade(submissions, out, cell_timeout, total_timeout, quiet, manifest, jobs, force, manual,
          isolation, memory_mb, disk_mb, trust_submissions):
    """Grade submitted notebooks (files or folders of .ipynb).

    Each notebook is re-executed in a fresh, sandboxed kernel (bubblewrap where it works, else
    resource limits; the report says which) in a temporary folder; its answers leave the
    kernel as JSON and are checked against the grader's own computations. Writes
    OUT/<name>/report.json, report.md, report.html (with a timeline of the work),
    executed.ipynb, OUT/summary.csv, the dashboard OUT/index.html and the template
    OUT/manual_scores.csv. Exit code 0 whenever grading completed.
    """
    import tempfile

    from xaikit.grading.batch import grade_many
    from xaikit.grading.sandbox import Limits
    from xaikit.grading.variants import load_manifest
    from xaikit.packs import extract_handins

    try:
        pack_manifest = load_manifest(manifest) if manifest else None
        with tempfile.TemporaryDirectory(prefix="xaikit-handin-") as tmp:  # hand-in zips
            reports = grade_many(extract_handins(submissions, Path(tmp)), out,
                                 cell_timeout=cell_timeout, total_timeout=total_timeout,
                                 progress=not quiet, manifest=pack_manifest, jobs=jobs,
                                 force=force, manual=manual, isolation=isolation,
                                 trust=trust_submissions,
                                 limits=Limits(memory_mb=memory_mb, disk_mb=disk_mb,
                                               cpu_s=total_timeout + 300))
    except (ValueError, RuntimeError) as e:
        raise click.ClickException(str(e))
    if not quiet:
        for r in reports:
            flags = ", ".join(f["kind"] for f in r["flags"]) or "none"
            m = r["manual"]
            manual_text = (f"manual {m['max']:g} to score" if m["score"] is None
                           else f"manual {m['score']:g}/{m['max']:g}")
            click.echo(f"{r['candidate']}: {r.get('exercise')} [{r.get('status')}] auto "
                       f"{r['auto']['score']:g}/{r['auto']['max']:g}, {manual_text}; "
                       f"flags: {flags}")
        click.echo(f"summary: {Path(out) / 'summary.csv'}")


@main.command()
@click.option("--candidate", required=True, help="Candidate id (letters, digits, . _ -).")
@click.option("--exercises", required=True, help="Comma-separated exercise ids, e.g. "
              "shap_vs_lime,pdp_ice (see `xaikit plan`).")
@click.option("--level", type=click.Choice(["junior", "mid", "senior"]), default=None,
              help="The role's level, stated in the README.")
@click.option("--minutes", type=int, default=None,
              help="Time budget (default: the sum of the exercises' estimates).")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for xaikit-takehome-<candidate>.zip.")
@click.option("--salt", envvar="XAIKIT_PACK_SECRET", default=None,
              help="Secret mixed into the variant seed (env XAIKIT_PACK_SECRET; default random).")
@click.option("--no-widgets", is_flag=True, help="Leave the interactive explorers (and the "
              "computation they wire) out of the pack; their cells become a note.")
def pack(candidate, exercises, level, minutes, out, salt, no_widgets):
    """Write a take-home pack (zip) for one candidate: take-home notebooks with the
    candidate's variants, data, model, README and MANIFEST.json. Keep the zip: grade the
    hand-in with `xaikit grade HANDIN --manifest PACK.zip`."""
    from xaikit.packs import PackError, build_pack, verify_pack

    try:
        res = build_pack(candidate, exercises.split(","), out, level=level, minutes=minutes,
                         salt=salt, widgets=not no_widgets)
        verify_pack(res.path)
    except PackError as e:
        raise click.ClickException(str(e))
    for e in res.manifest["exercises"]:
        click.echo(f"{e['id']}: variant {e['variant']} ({e['notebook']})")
    need = sum(e["minutes"] for e in res.manifest["exercises"])
    if need > res.manifest["minutes"]:
        click.echo(f"warning: the exercises take about {need} min, the budget is "
                   f"{res.manifest['minutes']} min", err=True)
    click.echo(f"wrote {res.path}")


@main.command()
@click.option("--candidate", help="Candidate id (letters, digits, . _ -).")
@click.option("--exercises", help="Comma-separated exercise ids, e.g. shap_vs_lime.")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to create for the session (default: live/<candidate>).")
@click.option("--checks", type=click.Choice(["recorded", "practice"]), default="recorded",
              show_default=True, help="recorded: ex.check says whether an answer is recorded; "
              "practice: correct / incorrect with a hint (checked outside the kernel).")
@click.option("--port", default=8888, show_default=True, type=click.IntRange(1, 65535))
@click.option("--ip", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; prefer an SSH tunnel).")
@click.option("--salt", envvar="XAIKIT_PACK_SECRET", default=None,
              help="Secret mixed into the variant seed (env XAIKIT_PACK_SECRET).")
@click.option("--trust-candidate", is_flag=True, help="Start even without bubblewrap: the "
              "kernel can then read your files (solutions, guides) and use the network.")
@click.option("--finish", "finish_ws", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="End the session in this workspace: stop its server, grade "
              "its notebooks, merge --manual.")
@click.option("--manual", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="With --finish: the scoring sheet(s) "
              "(manual_scores_<exercise>.csv); repeat for several exercises.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --finish: the report folder (default WORKSPACE/OUT).")
def live(candidate, exercises, workspace, checks, port, ip, salt, trust_candidate, finish_ws,
         manual, out):
    """Live interview: a workspace with the candidate's notebooks (their variant, public files
    only, a sandboxed kernel) in JupyterLab with real-time collaboration; prints the link.
    `--finish WORKSPACE` stops the server and grades the notebook like a hand-in."""
    from xaikit.grading.manual import ManualScoreError
    from xaikit.grading.variants import ManifestError
    from xaikit.live import LiveError, finish, prepare
    from xaikit.live_server import check_port, interviewer_command, start

    try:
        if finish_ws is not None:
            for r in finish(finish_ws, manual, out):
                m = r["manual"]
                man = "to score" if m["score"] is None else f"{m['score']:g}/{m['max']:g}"
                click.echo(f"{r['candidate']}: {r.get('exercise')} [{r['status']}] auto "
                           f"{r['auto']['score']:g}/{r['auto']['max']:g}, manual {man}")
            click.echo(f"reports: {out or Path(finish_ws).absolute() / 'OUT'}")
            return
        if not candidate or not exercises:
            raise click.UsageError("--candidate and --exercises are required (or --finish WS)")
        workspace = workspace or Path("live") / candidate
        check_port(ip, port)  # before anything is written
        session = prepare(workspace, candidate, exercises.split(","), checks=checks, salt=salt,
                          trust=trust_candidate)
        session = start(workspace, port=port, ip=ip)
    except (LiveError, ManualScoreError, ManifestError) as e:
        raise click.ClickException(str(e))
    for e in session["exercises"]:
        click.echo(f"{e['id']}: variant {e['variant']} ({e['notebook']}), checks "
                   f"{session['checks']}")
    if session["isolation"] != "bwrap":
        click.echo("WARNING: no bubblewrap: the candidate's kernel can read your files and use "
                   "the network (--trust-candidate)", err=True)
    srv = session["server"]
    click.echo(f"JupyterLab started in {srv['startup_s']} s (PID {srv['pid']}).")
    click.echo(f"Link for the candidate and for you (same notebook, real-time):\n  {srv['url']}")
    click.echo(f"Your guide and reference, in your own JupyterLab:\n  "
               f"{interviewer_command(session, port + 1)}")
    click.echo(f"At the end: xaikit live --finish {Path(workspace)} "
               f"[--manual manual_scores_<exercise>.csv]")


@main.command()
@click.option("--level", type=click.Choice(["junior", "mid", "senior"]), required=True)
@click.option("--minutes", type=click.IntRange(5, 24 * 60), required=True,
              help="Time budget of the assessment.")
def plan(level, minutes):
    """Propose exercises and discussion items that fit a level and a time budget."""
    from xaikit.plan import plan as make_plan

    click.echo(make_plan(level, minutes).to_text())


if __name__ == "__main__":  # pragma: no cover
    main()


@main.command()
@click.argument("folders", nargs=-1, type=click.Path(exists=True, path_type=Path))
def progress(folders):
    """Self-study progress: for each primer and exercise notebook in FOLDERS (default:
    notebooks/primers and exercises), the self-checks whose last saved result is correct."""
    from xaikit.progress import progress as table

    root = _root()
    folders = folders or [p for p in (root / "notebooks" / "primers", root / "exercises")
                          if p.is_dir()]
    df = table(folders)
    if df.empty:
        click.echo("no primer or exercise notebooks found")
        return
    for r in df.itertuples():
        todo = f"; still to do: {r[7]}" if r[7] else "; all done"
        try:
            where = Path(r.notebook).resolve().relative_to(root)
        except ValueError:
            where = Path(r.notebook)
        click.echo(f"{where}: {r.kind} {r.id}, {r.correct}/{r.questions} correct{todo}")
