"""Sent (on commit) when a caseworker decides a case.

Receivers: `sender=Case`, `case` (the decided Case), `approved` (bool). The
app that opened a kind of case listens and acts (e.g. lets an order continue).
"""

from django.dispatch import Signal

case_decided = Signal()
