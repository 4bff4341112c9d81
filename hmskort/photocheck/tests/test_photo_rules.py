"""Each photo rule on the project's labelled test set (testset/labels.json)."""

from __future__ import annotations

import pytest

from hmskort.photocheck import check_photo
from hmskort.photocheck import findings as F
from hmskort.photocheck.testset import TESTSET, good_photo_bytes, labels, photo_bytes

PHOTOS = {k: v["breaks"] for k, v in labels().items() if k.startswith("photos/")}
GOOD = sorted(k for k, v in PHOTOS.items() if not v)
BAD = sorted(k for k, v in PHOTOS.items() if v)


def test_the_set_covers_every_rule_with_good_and_bad_photos():
    covered = {code for breaks in PHOTOS.values() for code in breaks}
    assert covered == set(F.PHOTO_RULES)
    assert len(GOOD) >= 20 and len(BAD) >= 45
    size = sum(p.stat().st_size for p in (TESTSET / "photos").iterdir())
    assert size < 4 * 1024 * 1024  # kept small in the repo


@pytest.mark.parametrize("name", GOOD)
def test_good_photo_passes(name):
    report = check_photo((TESTSET / name).read_bytes())
    assert report.ok, (report.codes, report.metrics)


@pytest.mark.parametrize("name", BAD)
def test_bad_photo_is_refused_for_the_rule_it_breaks(name):
    report = check_photo((TESTSET / name).read_bytes())
    assert set(report.codes) & set(PHOTOS[name]), (PHOTOS[name], report.codes, report.metrics)


@pytest.mark.parametrize(
    "name, rule",
    [
        ("bad_glasses_thin.jpg", F.GLASSES),
        ("bad_glasses_silver.jpg", F.GLASSES),
        ("bad_background_navy.jpg", F.BACKGROUND_DARK),
        ("bad_background_shadow_right.jpg", F.BACKGROUND_UNEVEN),
        ("bad_background_busy.jpg", F.BACKGROUND_UNEVEN),
        ("bad_face_shadow.jpg", F.FACE_UNEVEN_LIGHT),
        ("bad_face_hotspot.jpg", F.FACE_OVEREXPOSED),
        ("bad_blur_motion.jpg", F.BLURRED),
        ("bad_two_faces_behind.jpg", F.SEVERAL_FACES),
        ("bad_no_face_suit.jpg", F.NO_FACE),
        ("bad_rotated_180.jpg", F.NOT_FRONTAL),
        ("bad_turned.jpg", F.NOT_FRONTAL),
        ("bad_tilted_12.jpg", F.NOT_FRONTAL),
        ("bad_face_small_27.jpg", F.FACE_TOO_SMALL),
        ("bad_face_large_75.jpg", F.FACE_TOO_LARGE),
        ("bad_off_centre_right.jpg", F.NOT_CENTRED),
        ("bad_eyes_closed.jpg", F.EYES),
        ("bad_low_res_240.jpg", F.RESOLUTION),
    ],
)
def test_the_rule_is_named(name, rule):
    assert rule in check_photo(photo_bytes(name)).codes


def test_every_broken_rule_is_told_not_only_the_first():
    report = check_photo(photo_bytes("bad_glasses_hopper.jpg"))
    assert {F.GLASSES, F.BACKGROUND_DARK, F.BACKGROUND_UNEVEN} <= set(report.codes)


def test_each_finding_has_a_text_in_bokmal_and_english():
    from django.utils import translation

    for code in F.PHOTO_RULES:
        with translation.override("nb"):
            nb = F.text(code)
        with translation.override("en"):
            en = F.text(code)
        assert nb and en and nb != code
        assert nb != en, code


@pytest.mark.parametrize("language", ["pl", "lt"])
def test_a_worker_reads_every_finding_in_polish_and_lithuanian(language):
    from django.utils import translation

    for code in F.PHOTO_RULES:
        with translation.override("nb"):
            nb = F.text(code)
        with translation.override(language):
            assert F.text(code) != nb, (language, code)


def test_good_photo_helper_passes_in_both_formats():
    assert check_photo(good_photo_bytes()).ok
    assert check_photo(good_photo_bytes("png")).ok
