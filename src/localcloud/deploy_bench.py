"""`make bench-deploy`: how long `bluegreen deploy blue` takes and how much it prints.

On a fresh local cloud and a copy of the project with no build yet (so the repository's own
`.aws-sam` and sources are left alone), times deploys of the blue color: the first one (cold build,
stack created), a redeploy with nothing changed (with and without the records that let it skip SAM), a
redeploy after a source change, and one after a requirements change. Prints the seconds and output
lines of each beside their anchors.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from localcloud.flow import REPO, Commands, StepFailed
from localcloud.launcher import local_cloud

# What a deploy reads: the templates, the samconfig files and the function sources.
PROJECT_PARTS = ("stacks", "samconfig", "src/blue", "src/green")


@dataclass(frozen=True)
class Deploy:
    what: str
    seconds: float
    lines: int
    progress_lines: int  # lines that are upload progress, one per artifact at best
    outcome: str  # the command's last line
    output: str


def copy_project(target: Path) -> Path:
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, target / part, ignore=shutil.ignore_patterns("__pycache__", ".aws-sam"))
    return target


def timed_deploy(commands: Commands, project: Path, what: str, *target: str) -> Deploy:
    argv = ["bluegreen", "--project-dir", str(project), "deploy", *target]
    began = time.monotonic()
    result = subprocess.run(
        argv,
        cwd=REPO,
        env=commands.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - began
    lines = result.stdout.splitlines()
    if result.returncode != 0:
        raise StepFailed(f"`{' '.join(argv)}` exited {result.returncode}:\n" + "\n".join(lines[-15:]))
    progress = sum(1 for line in lines if line.lstrip().startswith(("Uploading to", "Uploaded ")))
    outcome = next((line for line in reversed(lines) if line.strip()), "")
    return Deploy(what, seconds, len(lines), progress, outcome, result.stdout)


def append_line(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{line}\n")


def measure(commands: Commands, project: Path) -> list[Deploy]:
    timed_deploy(commands, project, "data stack", "data")
    runs = [timed_deploy(commands, project, "first deploy (cold build, new stack)", "blue")]
    runs.append(timed_deploy(commands, project, "redeploy, nothing changed", "blue"))
    runs.append(timed_deploy(commands, project, "same, --no-cache", "blue", "--no-cache"))
    append_line(project / "src/blue/app.py", f"# source change {time.time()}")
    runs.append(timed_deploy(commands, project, "redeploy after a source change", "blue"))
    append_line(project / "src/blue/requirements.txt", f"# requirements change {time.time()}")
    runs.append(timed_deploy(commands, project, "redeploy after a requirements change", "blue"))
    return runs


# Before builds were cached and SAM's output folded: this script on the same 2-core machine (seconds,
# lines, progress lines), and the figures the work started from.
ANCHORS = {
    "first deploy (cold build, new stack)": "before 17.8 s, 172 lines, 15 progress",
    "redeploy, nothing changed": "before 8.7 s, 36 lines (was 18 s); goal <= 5 s",
    "same, --no-cache": "SAM's own no-change path: cached build, empty change set",
    "redeploy after a source change": "before 14.9 s, 111 lines, 15 progress (dependencies resolved again)",
    "redeploy after a requirements change": "before 15.6 s, 111 lines, 15 progress",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--show-output", action="store_true", help="print each deploy's whole output too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="localcloud-bench-deploy-") as work:
        project = copy_project(Path(work) / "project")
        with local_cloud(Path(work) / "cloud") as cloud:
            commands = Commands(cloud, quiet=True)
            commands.bootstrap()
            print("timing `bluegreen deploy blue` on a fresh local cloud and a copy of the project...")
            try:
                runs = measure(commands, project)
            except StepFailed as failure:
                print(f"bench-deploy FAILED: {failure}", file=sys.stderr)
                return 1
    for run in runs if args.show_output else []:
        print(f"\n--- {run.what} ---\n{run.output}", end="")
    print(f"\n  {'deploy':38s} {'seconds':>7s} {'lines':>5s} {'progress':>8s}  anchor")
    for run in runs:
        print(
            f"  {run.what:38s} {run.seconds:7.1f} {run.lines:5d} {run.progress_lines:8d}  {ANCHORS[run.what]}"
        )
    print("\n  last line of each:")
    for run in runs:
        print(f"  {run.what}: {run.outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
