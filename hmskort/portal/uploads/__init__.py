"""Photos and ID documents: validation, private storage, self-upload links, review.

validation.validate_image(file) -> ValidatedImage   (JPEG/PNG by content, <= 10 MB)
storage.store(data, *, orgnr, extension) -> relative path under PRIVATE_MEDIA_ROOT
services.upload_set_create / upload_link_create / upload_link_resolve / upload_set_review
"""
