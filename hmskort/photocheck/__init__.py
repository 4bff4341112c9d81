"""Automatic checks of card photos and ID documents at upload (issue 6).

    from hmskort.photocheck import check_photo, check_id_document

A pure library (no database): `check_photo(data) -> PhotoReport` and
`check_id_document(data, document_type, person) -> IdReport`. Finding codes and
their texts are in `findings.py`, every threshold in `thresholds.py`, the labelled
test set in `testset/`. The heavy modules (OpenCV, the OCR engine) are imported on
first use, not when Django loads the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from hmskort.photocheck.iddoc import IdReport, check_id_document
    from hmskort.photocheck.photo import PhotoReport, check_photo

__all__ = ["IdReport", "PhotoReport", "check_id_document", "check_photo", "finding_text"]


def __getattr__(name: str):
    if name in ("check_photo", "PhotoReport"):
        from hmskort.photocheck import photo

        return getattr(photo, name)
    if name in ("check_id_document", "IdReport"):
        from hmskort.photocheck import iddoc

        return getattr(iddoc, name)
    if name == "finding_text":
        from hmskort.photocheck.findings import finding_text

        return finding_text
    raise AttributeError(name)
