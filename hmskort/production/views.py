"""Staff-only downloads of production files (batch JSON, card faces).

The files hold personal data (names, birth dates, gender), so only staff may
fetch them and every download is audit-logged. They are streamed from the
private media root, never served as static files.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from hmskort.core.audit import audit_record
from hmskort.production import storage
from hmskort.production.models import BatchItem, ProductionBatch


def _file_response(relative: str, *, filename: str, content_type: str) -> FileResponse:
    try:
        path = storage.absolute(relative)
        handle = path.open("rb")
    except (ValueError, FileNotFoundError) as exc:
        raise Http404("Filen finnes ikke (file not found).") from exc
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@staff_member_required
def batch_file(request: HttpRequest, batch_id: int) -> FileResponse:
    batch = get_object_or_404(ProductionBatch, pk=batch_id)
    if not batch.file_path:
        raise Http404("Partiet har ingen fil (the batch has no file).")
    response = _file_response(
        batch.file_path,
        filename=f"hmskort-batch-{batch.pk}.json",
        content_type="application/json",
    )
    audit_record(
        actor_type="staff",
        actor=request.user.get_username(),
        action="download",
        object_type="production.productionbatch",
        object_id=str(batch.pk),
        purpose="production",
    )
    return response


@staff_member_required
def card_face(request: HttpRequest, batch_id: int, card_number: str) -> FileResponse:
    item = get_object_or_404(
        BatchItem.objects.select_related("card"), batch_id=batch_id, card__card_number=card_number
    )
    response = _file_response(
        item.face_path,
        filename=f"hmskort-{card_number}.pdf",
        content_type="application/pdf",
    )
    audit_record(
        actor_type="staff",
        actor=request.user.get_username(),
        action="download",
        object_type="production.batchitem",
        object_id=str(item.pk),
        subject_id=item.card.holder_id,
        purpose="production",
    )
    return response
