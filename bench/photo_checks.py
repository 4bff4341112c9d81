"""Bench: the automatic photo and ID checks on the project's labelled test set.

    .venv/bin/python bench/photo_checks.py [--verbose]

Runs `check_photo` on every photo in hmskort/photocheck/testset/labels.json and
prints a confusion matrix per rule (a photo is "positive" for a rule when its label
says it breaks that rule), then the passports / ID documents, then, last:

    bad_caught_pct: N    share of bad photos refused for (at least) a rule they break
    good_refused_pct: N  share of good photos refused for any rule

Targets (issue 6): bad_caught_pct >= 95 and good_refused_pct <= 5. No database
or other process is needed: the checks are a pure library.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main(verbose: bool = False) -> int:
    import django

    django.setup()
    from hmskort.photocheck import check_id_document, check_photo
    from hmskort.photocheck.findings import PHOTO_RULES
    from hmskort.photocheck.testset import TESTSET, labels, person_record

    data = labels()
    photos = {k: v for k, v in data.items() if k.startswith("photos/")}
    counts = {rule: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for rule in PHOTO_RULES}
    bad = caught = good = good_refused = 0
    misses, timings = [], []
    for name, meta in sorted(photos.items()):
        truth = set(meta["breaks"])
        started = time.perf_counter()
        report = check_photo((TESTSET / name).read_bytes())
        timings.append(time.perf_counter() - started)
        flagged = set(report.codes)
        for rule in PHOTO_RULES:
            key = ("t" if (rule in truth) == (rule in flagged) else "f") + (
                "p" if rule in flagged else "n"
            )
            counts[rule][key] += 1
        if truth:
            bad += 1
            caught += bool(truth & flagged)
            if not truth & flagged:
                misses.append((name, sorted(truth), sorted(flagged)))
        else:
            good += 1
            good_refused += bool(flagged)
            if flagged:
                misses.append((name, [], sorted(flagged)))
        if verbose:
            mark = "ok " if (bool(truth & flagged) if truth else not flagged) else "XX "
            print(mark, name, sorted(truth), sorted(flagged), report.metrics)

    print(f"{'rule':<20} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4}")
    for rule, c in counts.items():
        print(f"{rule:<20} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4} {c['tn']:>4}")
    for name, truth, flagged in misses:
        print(f"miss: {name} breaks={truth} flagged={flagged}")

    person = person_record()
    today = dt.date(2026, 6, 1)
    docs_ok = docs = 0
    for name, meta in sorted(data.items()):
        if not name.startswith("documents/"):
            continue
        docs += 1
        started = time.perf_counter()
        report = check_id_document(
            (TESTSET / name).read_bytes(), meta["document_type"], person, today=today
        )
        took = time.perf_counter() - started
        codes = report.codes + report.review_codes
        expect = meta["expect"]
        right = (report.ok and not report.review_codes) if expect == "accepted" else expect in codes
        docs_ok += right
        print(
            f"document: {name} expect={expect} refused={report.codes} "
            f"manual_review={report.review_codes} {'ok' if right else 'WRONG'} ({took:.1f} s)"
        )

    print(f"photos: {len(photos)} ({good} good, {bad} bad)")
    print(f"photo_check_ms_median: {sorted(timings)[len(timings) // 2] * 1000:.0f}")
    print(f"documents_right: {docs_ok}/{docs}")
    print(f"bad_caught_pct: {100 * caught / max(bad, 1):.1f}")
    print(f"good_refused_pct: {100 * good_refused / max(good, 1):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(verbose="--verbose" in sys.argv))
