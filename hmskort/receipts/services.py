"""Recording checks, signing receipts, crew reports and retention.

    check_record(*, channel, card_number, card=None, ...) -> check id (str)
    checks_flush() -> int                        # drain the spool into CardCheck
    check_get(check_id) -> CardCheck | None      # also finds a check not yet flushed
    receipt_token(check) -> str                  # signed, typ "hmskort-receipt"
    receipt_verify(token) -> ReceiptVerification
    crew_report_create(*, text=None, numbers=None, api_client=None, user=None) -> CrewReport
    crew_report_lines(report) -> list[CrewLine]  # each with its own signed token
    checks_prune(*, now=None) -> int

A receipt is a compact JWS signed with the product's signing keys (those of the
QR codes, published at /.well-known/jwks.json). Its payload is what the check
answered, at the time it answered it; nothing is re-read from the card.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import uuid
from collections import Counter
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hmskort.cards.models import Card
from hmskort.cards.numbers import is_valid_card_number, normalize_card_number
from hmskort.cards.status import public_status
from hmskort.core import signing
from hmskort.core.errors import ApplicationError
from hmskort.receipts import abuse, recorder
from hmskort.receipts.models import NOT_FOUND, CardCheck, Channel, CrewReport
from hmskort.receipts.record import check_record  # noqa: F401  (re-exported)

logger = logging.getLogger(__name__)

RECEIPT_TYP = "hmskort-receipt"
#: Status of a crew-list line that is not a card number at all (no query made).
MALFORMED = "malformed"
MAX_CREW_LINES = 5000
DEFAULT_RETENTION_DAYS = 365


# --- writing the spool to the database ----------------------------------------------


def _from_record(r: dict) -> CardCheck:
    return CardCheck(
        check_id=uuid.UUID(r["id"]),
        checked_at=dt.datetime.fromisoformat(r["at"]),
        channel=r["ch"],
        card_number=r["cn"][:16],
        status=r["st"],
        reason_codes=r.get("rs") or [],
        card_type=r.get("ct") or "",
        employer_orgnr=r.get("eo") or "",
        employer_name=r.get("en") or "",
        valid_until=dt.date.fromisoformat(r["vu"]) if r.get("vu") else None,
        holder_name=r.get("hn") or "",
        source_key=r.get("src") or "",
        api_client_id=r.get("api"),
        agency=r.get("ag") or "",
        site_name=r.get("site") or "",
    )


_COPY_COLUMNS = recorder.COLUMNS


def _copy_row(r: dict) -> tuple:
    """A record dict as a row of `_COPY_COLUMNS` (text clipped to the columns)."""
    return (
        r["id"],
        r["at"],
        r["ch"][:16],
        r["cn"][:16],
        r["st"][:16],
        json.dumps(r.get("rs") or [], separators=(",", ":")),
        (r.get("ct") or "")[:8],
        (r.get("eo") or "")[:9],
        (r.get("en") or "")[:255],
        r.get("vu") or None,
        (r.get("hn") or "")[:255],
        (r.get("src") or "")[:64],
        r.get("api"),
        (r.get("ag") or "")[:64],
        (r.get("site") or "")[:255],
    )


def _records(lines: list[bytes]) -> list[dict]:
    records = []
    for line in lines:
        record = recorder.decode(line)
        if record is None:
            logger.warning("receipts: skipped an unreadable spool line")
        else:
            records.append(record)
    return records


def _insert_copy_direct(lines: list[bytes]) -> bool:
    """PostgreSQL, the common case: the spool lines are COPY text already, so they
    go straight into the table with no parsing in Python. False if the batch
    cannot go in as is (a replayed chunk whose check ids are there already, or
    a line COPY refuses): nothing of it was written, and `_insert_copy` takes it."""
    table = CardCheck._meta.db_table
    columns = ", ".join(_COPY_COLUMNS)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(b"".join(lines))
    except psycopg.errors.UniqueViolation:
        return False
    except (psycopg.DataError, psycopg.errors.BadCopyFileFormat, psycopg.IntegrityError):
        logger.warning("receipts: a spool chunk needs line-by-line reading")
        return False
    return True


def _insert_copy(records: list[dict]) -> None:
    """PostgreSQL: COPY the batch into a temporary table, then one INSERT ... SELECT
    that skips check ids already written (a drain replayed after a crash). If the
    database still refuses the batch, each record goes in on its own and a record
    it refuses is logged and skipped: one bad line never holds up the spool."""
    try:
        _insert_copy_batch(records)
    except psycopg.Error:
        if len(records) == 1:
            logger.warning("receipts: the database refused a spool record; skipped")
            return
        for record in records:
            _insert_copy([record])


def _insert_copy_batch(records: list[dict]) -> None:
    table = CardCheck._meta.db_table
    columns = ", ".join(_COPY_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS _check_batch "
            f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(f"COPY _check_batch ({columns}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(_copy_row(record))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _check_batch "
            "ON CONFLICT (check_id) DO NOTHING"
        )


def _insert(lines: list[bytes]) -> None:
    """Write one chunk of spool lines; a check id already written (a replayed
    chunk) is skipped, an unreadable line is logged and skipped."""
    if connection.vendor == "postgresql":
        legacy = any(line[:1] == b"{" for line in lines)
        if not legacy and _insert_copy_direct(lines):
            return
        _insert_copy(_records(lines))
        return
    with transaction.atomic():
        CardCheck.objects.bulk_create(
            [_from_record(r) for r in _records(lines)], ignore_conflicts=True
        )


def _sources(lines: list[bytes]) -> set[tuple[bytes, bytes]]:
    """(card number, source) of every line that found a card and names a source."""
    pairs = set()
    not_found, null = NOT_FOUND.encode(), recorder.NULL.encode()
    for line in lines:
        if line[:1] == b"{":
            record = recorder.decode(line) or {}
            parts = [b"", b"", b"", record.get("cn", "").encode(), record.get("st", "").encode()]
            parts += [b""] * 6 + [(record.get("src") or "").encode()]
        else:
            parts = line.split(b"\t", 12)
            if len(parts) < 13:
                continue
        source = parts[11]
        if source and source != null and parts[4] != not_found:
            pairs.add((parts[3], source))
    return pairs


def checks_flush(*, chunk_size: int = recorder.DEFAULT_CHUNK, pause: float = 0.0) -> int:
    """Write every ready spool record (this process's current file included) to the
    database in bulk, then look for cards looked up from many sources. `pause`:
    seconds to wait between chunks (the separate drainer paces itself)."""
    recorder.spool_rotate()
    drained = recorder.spool_drain(insert=_insert, chunk_size=chunk_size, pause=pause)
    if drained:
        numbers = abuse.cards_with_new_sources(_sources(drained))
        if numbers:
            abuse.detect_many_sources(numbers)
    return len(drained)


def check_get(check_id) -> CardCheck | None:
    """A recorded check; one still in the spool is written at once (on demand)."""
    try:
        key = uuid.UUID(str(check_id))
    except ValueError:
        return None
    check = CardCheck.objects.filter(pk=key).first()
    if check is not None:
        return check
    record = recorder.spool_find(str(key))
    if record is None:
        return None
    if connection.vendor == "postgresql":
        _insert_copy([record])
    else:
        with transaction.atomic():
            CardCheck.objects.bulk_create(
                [_from_record(record)], ignore_conflicts=True
            )  # the regular drain will replay it; the id makes that a no-op
    return CardCheck.objects.filter(pk=key).first()


# --- receipts ---------------------------------------------------------------------------


def _max_lifetime_seconds() -> int:
    days = getattr(
        settings,
        "HMSKORT_SIGNING_MAX_TOKEN_LIFETIME_DAYS",
        signing.DEFAULT_MAX_TOKEN_LIFETIME_DAYS,
    )
    return int(days) * 86400


def _issuer() -> str:
    return getattr(settings, "HMSKORT_PUBLIC_BASE_URL", "").rstrip("/")


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def checked_by(check: CardCheck, *, organisations: dict[int, str] | None = None) -> str:
    """Who asked, as the receipt states it: an API client's organisation, an
    inspection authority, a site; "" for the public."""
    if check.channel == Channel.GATE and check.site_name:
        return check.site_name
    if check.api_client_id is not None:
        if organisations is None:
            organisations = api_client_names([check.api_client_id])
        return organisations.get(check.api_client_id, "")
    return check.agency or check.site_name


def api_client_names(ids) -> dict[int, str]:
    from hmskort.api.models import ApiClient

    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(ApiClient.objects.filter(pk__in=ids).values_list("pk", "organisation_name"))


def receipt_claims(check: CardCheck, *, by: str | None = None) -> dict:
    """The signed payload of a check's receipt: what was answered, when, to whom."""
    iat = int(check.checked_at.timestamp())
    claims: dict = {
        "iss": _issuer(),
        "jti": str(check.check_id),
        "kind": "check",
        "iat": iat,
        "exp": iat + _max_lifetime_seconds(),
        "checked_at": _utc(check.checked_at),
        "channel": check.channel,
        "card_number": check.card_number,
        "status": check.status,
        "reasons": list(check.reason_codes or ()),
    }
    if check.card_type:
        claims["card_type"] = check.card_type
        claims["employer"] = {"orgnr": check.employer_orgnr, "name": check.employer_name}
        claims["valid_until"] = check.valid_until.isoformat() if check.valid_until else None
    if check.holder_name:
        claims["holder_name"] = check.holder_name
    by = checked_by(check) if by is None else by
    if by:
        claims["checked_by"] = by
    if check.report_id:
        claims["report_id"] = str(check.report_id)
        claims["line"] = check.line_no
    return claims


def receipt_token(check: CardCheck) -> str:
    return signing.sign_token(receipt_claims(check), typ=RECEIPT_TYP)


def _bulk_signer():
    """Sign many payloads with one key read (5,000 crew lines need not read the key
    5,000 times). Same format as `signing.sign_token`; tests verify it with `verify_token`."""
    key = signing._active_key()
    private = signing._load_private(key.private_key_pem)
    header = signing.b64url_encode(
        signing._json_bytes({"alg": signing.ALG, "kid": key.kid, "typ": RECEIPT_TYP})
    )

    def sign(payload: dict) -> str:
        signing_input = f"{header}.{signing.b64url_encode(signing._json_bytes(payload))}"
        signature = private.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{signing.b64url_encode(signature)}"

    return sign


@dataclass(frozen=True)
class ReceiptVerification:
    valid: bool
    claims: dict | None = None
    expired: bool = False
    reason: str = ""


def receipt_verify(token: str) -> ReceiptVerification:
    """Check a pasted receipt against the published keys (the database is not read
    for the answer itself: a receipt outlives the check record)."""
    try:
        claims = signing.verify_token((token or "").strip(), typ=RECEIPT_TYP)
    except signing.TokenExpired as exc:
        return ReceiptVerification(valid=False, claims=exc.claims, expired=True, reason="expired")
    except signing.TokenInvalid as exc:
        return ReceiptVerification(valid=False, reason=str(exc.extra.get("reason", "invalid")))
    return ReceiptVerification(valid=True, claims=claims)


# --- crew reports -------------------------------------------------------------------------


class CrewListInvalid(ApplicationError):
    code = "crew_list_invalid"
    http_status = 422


_CELL_SPLIT = re.compile(r"[,;\t|]")


def crew_parse(text: str) -> list[str]:
    """Card numbers from pasted text or a CSV: one per line, the first cell that
    holds digits; header lines and blank lines skipped; duplicates dropped."""
    numbers: list[str] = []
    seen: set[str] = set()
    for line in (text or "").splitlines():
        cells = _CELL_SPLIT.split(line) if _CELL_SPLIT.search(line) else [line]
        for cell in cells:
            value = normalize_card_number(cell.strip().strip('"').strip("'"))
            if any(ch.isdigit() for ch in value):
                if value not in seen:
                    seen.add(value)
                    numbers.append(value)
                break
    return numbers


def _lines_digest(lines) -> str:
    text = "\n".join(
        f"{c.check_id},{c.card_number},{c.status},{'|'.join(c.reason_codes or ())}" for c in lines
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_CARD_COLUMNS = (
    "card_number",
    "card_type",
    "state",
    "reason_codes",
    "employer_orgnr",
    "employer_name",
    "valid_until",
)


def crew_report_create(
    *,
    text: str | None = None,
    numbers: list[str] | None = None,
    api_client=None,
    user=None,
    today: dt.date | None = None,
) -> CrewReport:
    """Check a whole crew at once (one query for all cards) and store the report and
    its lines (one check each). Raises CrewListInvalid for an empty list or more
    than `MAX_CREW_LINES` numbers."""
    if numbers is None:
        numbers = crew_parse(text or "")
    else:
        numbers = crew_parse("\n".join(str(n) for n in numbers))
    if not numbers:
        raise CrewListInvalid(
            "Listen inneholder ingen kortnumre. (The list holds no card numbers.)",
            extra={"fields": {"card_numbers": "Ingen kortnumre (no card numbers)."}},
        )
    if len(numbers) > MAX_CREW_LINES:
        raise CrewListInvalid(
            f"Høyst {MAX_CREW_LINES} kortnumre per rapport; listen har {len(numbers)}. "
            f"(At most {MAX_CREW_LINES} card numbers per report.)",
            extra={
                "fields": {"card_numbers": f"Høyst {MAX_CREW_LINES} (at most {MAX_CREW_LINES})."}
            },
        )
    today = today or timezone.localdate()
    now = timezone.now()
    wellformed = [n for n in numbers if is_valid_card_number(n)]
    cards = {
        row["card_number"]: row
        for row in Card.objects.filter(card_number__in=wellformed).values(*_CARD_COLUMNS)
    }
    by = ""
    if api_client is not None:
        by = api_client_names([api_client.client_pk]).get(api_client.client_pk, "")
    report = CrewReport(
        report_id=uuid.uuid4(),
        created_at=now,
        via_api=api_client is not None,
        api_client_id=api_client.client_pk if api_client is not None else None,
        user_id=getattr(user, "pk", None),
        requester_org=by,
        line_count=len(numbers),
    )
    lines = []
    for no, number in enumerate(numbers, start=1):
        row = cards.get(number)
        check = CardCheck(
            check_id=uuid.uuid4(),
            checked_at=now,
            channel=Channel.CREW,
            card_number=number[:16],
            report=report,
            line_no=no,
            api_client_id=report.api_client_id,
            source_key=f"api:{report.api_client_id}" if api_client is not None else "",
        )
        if row is None:
            check.status = NOT_FOUND if number in wellformed else MALFORMED
            check.reason_codes = []
        else:
            status, reasons = public_status(
                state=row["state"],
                reason_codes=tuple(row["reason_codes"] or ()),
                valid_until=row["valid_until"],
                today=today,
            )
            check.status, check.reason_codes = status, list(reasons)
            check.card_type = row["card_type"]
            check.employer_orgnr = row["employer_orgnr"]
            check.employer_name = row["employer_name"]
            check.valid_until = row["valid_until"]
        lines.append(check)
    report.counts = dict(Counter(c.status for c in lines))
    report.lines_sha256 = _lines_digest(lines)
    with transaction.atomic():
        report.save(force_insert=True)
        CardCheck.objects.bulk_create(lines, batch_size=1000)
    return report


def crew_report_claims(report: CrewReport) -> dict:
    iat = int(report.created_at.timestamp())
    claims = {
        "iss": _issuer(),
        "jti": str(report.report_id),
        "kind": "crew",
        "iat": iat,
        "exp": iat + _max_lifetime_seconds(),
        "checked_at": _utc(report.created_at),
        "channel": Channel.CREW.value,
        "lines": report.line_count,
        "counts": dict(sorted(report.counts.items())),
        "lines_sha256": report.lines_sha256,
    }
    if report.requester_org:
        claims["checked_by"] = report.requester_org
    return claims


def crew_report_token(report: CrewReport) -> str:
    return signing.sign_token(crew_report_claims(report), typ=RECEIPT_TYP)


@dataclass(frozen=True)
class CrewLine:
    check: CardCheck
    token: str


def crew_report_lines(report: CrewReport, *, with_tokens: bool = True) -> list[CrewLine]:
    checks = list(report.lines.order_by("line_no"))
    if not with_tokens:
        return [CrewLine(c, "") for c in checks]
    sign = _bulk_signer()
    by = report.requester_org
    return [CrewLine(c, sign(receipt_claims(c, by=by))) for c in checks]


CSV_COLUMNS = (
    "line",
    "card_number",
    "status",
    "status_text",
    "reasons",
    "reason_texts",
    "card_type",
    "employer_orgnr",
    "employer_name",
    "valid_until",
    "checked_at",
    "report_id",
    "check_id",
    "receipt_token",
)


def crew_report_csv(report: CrewReport, *, language: str = "nb") -> str:
    from hmskort.receipts.texts import reason_texts, status_label

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in crew_report_lines(report):
        c = line.check
        writer.writerow(
            [
                c.line_no,
                c.card_number,
                c.status,
                status_label(c.status, c.reason_codes, language=language),
                "|".join(c.reason_codes or ()),
                " | ".join(reason_texts(c.reason_codes, language=language)),
                c.card_type,
                c.employer_orgnr,
                c.employer_name,
                c.valid_until.isoformat() if c.valid_until else "",
                _utc(c.checked_at),
                str(report.report_id),
                str(c.check_id),
                line.token,
            ]
        )
    return out.getvalue()


# --- retention ------------------------------------------------------------------------------


def retention_days() -> int:
    return int(getattr(settings, "HMSKORT_CHECK_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def checks_prune(*, now: dt.datetime | None = None) -> int:
    """Delete check records (and crew reports) older than the retention period;
    how many check records were deleted. Signed receipts stay verifiable offline."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    with transaction.atomic():
        deleted, _ = CardCheck.objects.filter(checked_at__lt=cutoff).delete()
        CrewReport.objects.filter(created_at__lt=cutoff).delete()
    return deleted
