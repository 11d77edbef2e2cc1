"""Project-level checks: migrations complete, Django system checks, the server command."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_checks_pass():
    call_command("check", "--fail-level", "WARNING")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_serve_runs_gunicorn_and_redirects_to_login():
    """`casustafel serve` migrates and serves with several gunicorn workers (not runserver),
    without a ``Server`` banner (casustafel.conf.gunicorn_config) and with the security headers."""
    port = _free_port()
    env = dict(os.environ)  # DATABASE_URL points at the embedded server started for the tests
    process = subprocess.Popen(
        [sys.executable, "-m", "casustafel.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        deadline = time.monotonic() + 90
        status = location = redirect_headers = None
        while time.monotonic() < deadline:
            try:
                opener.open(f"http://127.0.0.1:{port}/", timeout=2)
            except urllib.error.HTTPError as exc:
                status, location, redirect_headers = exc.code, exc.headers.get("Location"), exc.headers
                break
            except OSError:
                time.sleep(0.5)
        assert status == 302 and location.startswith("/inloggen/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/inloggen/", timeout=5) as response:
            login, login_headers = response.read().decode(), response.headers
        assert "Inloggen bij Casustafel" in login
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as response:
            api_headers = response.headers
        for headers in (redirect_headers, login_headers, api_headers):
            assert "Server" not in headers, headers.get("Server")
            assert "Content-Security-Policy" in headers and "Permissions-Policy" in headers
            assert "no-store" in headers["Cache-Control"]
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode()
    assert "Booting worker" in output and "gunicorn" in output.lower()
