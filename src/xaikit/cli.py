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
def grade(submissions, out, cell_timeout, total_timeout, quiet):
    """Grade submitted notebooks (files or folders of .ipynb).

    Each notebook is re-executed in a fresh kernel in a temporary folder; its answers are
    checked against the grader's own computations. Writes OUT/<name>/report.json, report.md,
    executed.ipynb and OUT/summary.csv. Exit code 0 whenever grading completed.
    """
    from xaikit.grading.pipeline import grade_many

    try:
        reports = grade_many(submissions, out, cell_timeout=cell_timeout,
                             total_timeout=total_timeout, progress=not quiet)
    except ValueError as e:
        raise click.ClickException(str(e))
    if not quiet:
        for r in reports:
            flags = ", ".join(f["kind"] for f in r["flags"]) or "none"
            click.echo(f"{r['candidate']}: {r.get('exercise')} auto {r['auto']['score']:g}/"
                       f"{r['auto']['max']:g}, manual {r['manual']['max']:g} to score; "
                       f"flags: {flags}")
        click.echo(f"summary: {Path(out) / 'summary.csv'}")


if __name__ == "__main__":  # pragma: no cover
    main()
