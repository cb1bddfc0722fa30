"""A second Python process running one of labpubs' modules (`python -m generator.NAME`): the
formatted references (`cite`) and the search entries of generated pages (`indexing`) are made
beside the process that renders the pages. A plain subprocess rather than multiprocessing:
nothing depends on how MkDocs was started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def start(module: str, *args: str, encoding: str | None = None) -> subprocess.Popen:
    """`python -m generator.MODULE ARGS...`, its stdin and stdout piped (text with `encoding`,
    else bytes), its stderr dropped: a worker that fails leaves its work to the main process."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.Popen(
        [sys.executable, "-m", f"generator.{module}", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        encoding=encoding,
    )
