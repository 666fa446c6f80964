"""The production stack's web server: gunicorn on a free loopback port, static files from whitenoise."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def stack_env(tmp_path: Path) -> dict[str, str]:
    # The keys config.settings_test put into this process's environment serve the stack too.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    for name in ("JIXING_TASKS_BACKEND", "DJANGO_ALLOWED_HOSTS"):
        env.pop(name, None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "JIXING_ENV": "development",
        "DJANGO_DEBUG": "false",
        "JIXING_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WEB_CONCURRENCY": "2",
    })
    return env


def test_it_serves_pages_and_hashed_static_files_under_gunicorn(stack_env: dict[str, str], tmp_path: Path) -> None:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=stack_env,
                   check=True, timeout=300)
    port = free_port()
    stack_env["JIXING_BIND"] = f"127.0.0.1:{port}"
    server = subprocess.Popen([str(GUNICORN), "-c", "config/gunicorn.py", "config.wsgi"], cwd=ROOT, env=stack_env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                status, _, body = fetch(f"{base}/healthz")
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(server.stdout.read().decode() if server.stdout else "gunicorn exited") from None
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not answer within 30 s")
        assert (status, body) == (200, b"ok")

        status, headers, page = fetch(f"{base}/accounts/login/")
        assert status == 200
        html = page.decode()
        assert "<form" in html
        css = re.search(r'href="(/static/web/site\.[0-9a-f]{12}\.css)"', html)
        assert css, "the login page links the hashed stylesheet"

        status, headers, body = fetch(base + css.group(1))
        assert status == 200 and b"{" in body
        assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
        assert body == (tmp_path / "static" / css.group(1).removeprefix("/static/")).read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=30)
