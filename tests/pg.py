"""A throwaway PostgreSQL server for the tests: initdb and pg_ctl from Debian's packages, in a
temporary folder, on a free local port, stopped and removed after the session.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as `nobody` (via
`runuser`), in a folder that belongs to it. Without PostgreSQL the fixture skips, except under
`CI=true`, where it fails: CI installs PostgreSQL (`.ci/run`), so a missing one is a broken setup.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_USER = "nobody"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is needed under CI=true: {reason}")
    pytest.skip(f"no PostgreSQL server to test with: {reason}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a running, empty PostgreSQL server (database `postgres`, user `postgres`, no password)."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        _missing("no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)")
    assert bin_dir is not None
    as_user: list[str] = []
    root = Path(
        tempfile.mkdtemp(prefix="compete-pg-")
    )  # not under pytest's 0700 folders: `nobody` must enter
    root.chmod(0o755)
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            _missing("running as root and there is no runuser to start the server as an unprivileged user")
        as_user = ["runuser", "-u", SERVER_USER, "--"]
        shutil.chown(root, SERVER_USER)
    data, log, port = root / "data", root / "server.log", _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], check=False
        )
        shutil.rmtree(root, ignore_errors=True)
