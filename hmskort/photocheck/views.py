"""Live feedback while the uploader picks a photo (htmx): the same checks as at
upload, nothing stored. For a logged-in user or the holder of a valid upload link."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hmskort.photocheck import check_photo
from hmskort.portal.uploads.services import UploadLinkInvalid, upload_link_resolve
from hmskort.portal.uploads.validation import read_upload


def _allowed(request: HttpRequest) -> bool:
    if request.user.is_authenticated:
        return True
    try:
        upload_link_resolve(request.GET.get("lenke", ""))
    except UploadLinkInvalid:
        return False
    return True


@never_cache
@require_POST
def live_check(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(status=403)
    upload = request.FILES.get("photo")
    if upload is None:
        return HttpResponse("")
    try:
        report = check_photo(read_upload(upload))
        messages = report.messages
    except ValidationError as exc:
        messages = exc.messages
    return render(request, "photocheck/_live.html", {"messages": messages})
