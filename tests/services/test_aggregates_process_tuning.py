"""The web process freezes its start-up heap and makes young collections rarer (panel/wsgi.py).

A team-wide list of 1,000 servers creates ~40,000 objects; without this, collections walked the
~160,000 start-up objects in the middle of requests. Checked in a fresh interpreter: the settings
are process-wide and must not leak into the test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import gc, json; import panel.wsgi as w; "
    "print(json.dumps({'frozen': gc.get_freeze_count(), 'threshold': gc.get_threshold(), "
    "'enabled': gc.isenabled(), 'app': callable(w.application)}))"
)


def test_the_web_process_tunes_the_collector_without_turning_it_off() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "panel.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["app"] and found["enabled"]
    assert found["frozen"] > 10_000  # modules, classes, views: the start-up heap
    assert found["threshold"][0] == 10_000
