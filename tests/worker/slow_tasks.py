"""A task that holds the worker until the test lets it go, for the lease tests: each run
notes its start in `<folder>/starts`, then waits for `<folder>/release` to exist."""

import os
import time
from pathlib import Path

from django.tasks import task


@task
def hold(folder: str) -> int:
    """Returns how many runs have started so far."""
    path = Path(folder)
    with (path / "starts").open("a") as starts:
        starts.write(f"{os.getpid()}\n")
    while not (path / "release").exists():
        time.sleep(0.05)
    return len((path / "starts").read_text().split())
