"""`curate split` and `curate release …`: frozen splits and versioned releases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from curation.cli_common import RootOption, console, user_errors
from curation.errors import CurationError
from curation.paths import ProjectPaths


def _params(root: Path):
    from curation.params import load_params

    return load_params(ProjectPaths(root).params_file)


@user_errors
def split(root: RootOption = Path(".")) -> None:
    """Assign accepted items to train/dev/test: data/split.parquet, reports/splits.json.

    The split of an item is a salted hash of its duplicate cluster (near-duplicates share a
    split; adding data never moves an item); items of published releases keep their split and
    clusters in a released test set stay in test. Only items with a final accepting review are
    eligible. Parameters: params.yaml, section `split`.
    """
    from curation.commands.release import run_split

    report = run_split(ProjectPaths(root), _params(root))
    console.print(
        f"{report['items_in']} reviewed items → {report['eligible']} eligible "
        f"({report['splits']}), {report['held_back']} held back "
        f"{report['held_back_by_status']}; {len(report['strata_off_target'])} strata off target"
    )


@user_errors
def release(
    action_or_version: Annotated[
        str, typer.Argument(metavar="VERSION | verify VERSION | publish VERSION")
    ],
    version: Annotated[str | None, typer.Argument(show_default=False)] = None,
    root: RootOption = Path("."),
    output: Annotated[
        Path | None,
        typer.Option(help="Build into this folder instead of releases/VERSION (rebuild checks)."),
    ] = None,
) -> None:
    """Build, verify or publish a versioned benchmark release.

    `curate release 1.0.0` checks the gates (every item reviewed and accepted, no residual PHI,
    no train/test or cross-release near-duplicates, valid items, compatible licenses, no item
    moved split) and writes releases/1.0.0/: data per config and split (parquet + JSONL), the
    dataset card, the specialty plot, croissant.json, manifest.json, CHANGELOG.md and exports
    (lm-eval, OpenCompass, MedS-Bench). A published version is never overwritten.

    `curate release verify 1.0.0` checks manifest.json against manifest.sha256, recomputes every
    checksum and row count, and every manifest field the files determine (version, configs,
    sources, counts per split, changes).
    `curate release publish 1.0.0` runs `dvc add` + `dvc push` and tags v1.0.0 in git.
    """
    from curation.commands.release import check_version, publish, run_release
    from curation.release.manifest import verify

    paths = ProjectPaths(root)
    if action_or_version in ("verify", "publish"):
        if version is None:
            raise CurationError(f"`curate release {action_or_version}` needs a VERSION")
        check_version(version)
        if action_or_version == "verify":
            target = output or paths.releases / version
            problems = verify(target, version)
            for problem in problems:
                console.print(f"[red]✗[/] {problem}")
            if problems:
                raise typer.Exit(1)
            console.print(f"release {version}: the manifest and every file match")
            return
        for step in publish(paths, _params(root), version):
            console.print(f"✓ {step}")
        return
    if version is not None:
        raise CurationError("give one VERSION (or `verify VERSION` / `publish VERSION`)")
    manifest = run_release(paths, _params(root), action_or_version, output)
    where = output or paths.releases / action_or_version
    console.print(
        f"release {action_or_version} written to {where}: {manifest['counts']} items in "
        f"{len(manifest['configs'])} configs, {sum(manifest['task_counts'].values())} task "
        f"instances in {len(manifest['task_configs'])} task configs; changes vs "
        f"{manifest['previous'] or 'nothing'}: {manifest['changes']}"
    )
