"""The WSGI entry point takes what start-up loaded out of the garbage collector's
sight (config/wsgi.py), unless HMSKORT_GC_FREEZE=0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import gc, config.wsgi; "
    "print(gc.get_freeze_count(), gc.get_threshold()[0], "
    "'hmskort.verification.views' in __import__('sys').modules)"
)


@pytest.mark.parametrize(("setting", "frozen"), [("1", True), ("0", False)])
def test_web_workers_freeze_what_start_up_loaded(setting, frozen):
    env = {**os.environ, "HMSKORT_GC_FREEZE": setting, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    count, threshold, views_loaded = int(out[0]), int(out[1]), out[2] == "True"
    if frozen:
        # Every view module is loaded before the freeze, and frozen with the rest.
        assert count > 100_000 and threshold == 7000 and views_loaded
    else:
        assert count == 0 and threshold == 700
