"""ADR 0051: the benchmark's switch that leaves out the processing log (to measure its
overhead, bench/load.py) can never be switched on in production: the settings refuse it
unless the database is the embedded server's throw-away test database. Every read and
write of personal data is logged otherwise (AVG art. 5 lid 2, art. 30; Wet PGA art. 17)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from casustafel.conf.test_settings import TEST_KEYS

SWITCH = "CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG"
PROBE = "import casustafel.conf.settings as s; print('switch', s.CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG)"


def load_settings(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CASUSTAFEL_", "DJANGO_"))}
    base.update(TEST_KEYS, CASUSTAFEL_DATA_DIR=str(tmp_path), PYTHONPATH=os.pathsep.join(sys.path), **env)
    return subprocess.run([sys.executable, "-c", PROBE], env=base, capture_output=True, text=True, timeout=60)


def test_the_switch_is_off_by_default():
    assert settings.CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG is False


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({"DATABASE_URL": "postgresql://casustafel@db.example.org/test_casustafel"}, "a real installation"),
        (
            {"DATABASE_URL": "postgresql://casustafel@127.0.0.1:5432/casustafel", "CASUSTAFEL_EMBEDDED_DATABASE": "1"},
            "the embedded server's own database, not a throw-away test database",
        ),
        ({}, "no database configured"),
    ],
)
def test_the_switch_is_refused_outside_a_benchmark_database(tmp_path, env, why):
    result = load_settings(tmp_path, **{SWITCH: "true"}, **env)
    assert result.returncode != 0, why
    assert "ImproperlyConfigured" in result.stderr and SWITCH in result.stderr


def test_the_switch_holds_for_the_embedded_test_database_only(tmp_path):
    url = "postgresql://casustafel@127.0.0.1:5432/test_casustafel_bench"
    result = load_settings(tmp_path, **{SWITCH: "true"}, DATABASE_URL=url, CASUSTAFEL_EMBEDDED_DATABASE="1")
    assert result.returncode == 0, result.stderr
    assert "switch True" in result.stdout
