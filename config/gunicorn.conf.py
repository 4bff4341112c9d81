"""Gunicorn configuration: `gunicorn -c config/gunicorn.conf.py config.wsgi:application ...`
(docs/operations.md; the load benchmarks start it the same way).

One change to how gunicorn writes answers: a small answer's headers and body go
out in one `sendall`, so in one TCP segment, instead of two. Gunicorn 27 sends
the header block as soon as the first body chunk is written and the chunk right
after it. For the API's answers (a few hundred bytes) that doubled the system
calls, the loopback or network deliveries and the client's wake-ups per
request: sampling a loaded worker with py-spy put about half of its CPU in those
two `sendall` calls, the header one the costlier. The same coalescing is what
aiohttp does for small answers. Bodies over `COALESCE_MAX_BYTES`, streamed
bodies after their first chunk, files sent with sendfile and answers without a
body are written exactly as gunicorn writes them. `HMSKORT_GUNICORN_COALESCE=0` turns
it off.
"""

import os

from config.server import install_coalescing_response

# HMSKORT_GUNICORN_COALESCE=0: gunicorn's own writes (for comparison).
_OFF = {"0", "false", "no", "off"}
if os.environ.get("HMSKORT_GUNICORN_COALESCE", "1").strip().lower() not in _OFF:
    install_coalescing_response()
