"""ICAO 9303 machine-readable zones of passports (TD3: two lines of 44 characters):
check digits, parsing from OCR text, and (for the test set) generation."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

LINE = 44
_WEIGHTS = (7, 3, 1)
_ALLOWED = re.compile(r"^[A-Z0-9<]+$")
# Letters OCR confuses with digits, for fields that must be digits.
_TO_DIGIT = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "D": "0",
        "I": "1",
        "L": "1",
        "Z": "2",
        "S": "5",
        "B": "8",
        "G": "6",
        "T": "7",
    }
)
# Digits OCR reads for letters, in fields that hold only letters (names, countries).
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B"})
# Norwegian and other letters written in the MRZ (ICAO 9303 part 3, transliteration).
_TRANSLIT = {"Æ": "AE", "Ø": "OE", "Å": "AA", "Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Þ": "TH"}


def char_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"not an MRZ character: {char!r}")


def check_digit(field: str) -> str:
    """The ICAO 9303 check digit of `field` (weights 7, 3, 1 repeating, modulo 10)."""
    return str(sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)


def transliterate(name: str) -> str:
    """A name as the MRZ writes it: upper case A-Z, other letters transliterated,
    spaces and hyphens as '<'."""
    out = []
    for char in name.upper():
        if char in _TRANSLIT:
            out.append(_TRANSLIT[char])
            continue
        base = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in base if not unicodedata.combining(c))
        if base and "A" <= base <= "Z":
            out.append(base)
        elif char in " -'":
            out.append("<")
    return re.sub("<+", "<", "".join(out)).strip("<")


@dataclass(frozen=True)
class Td3:
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    number: str
    nationality: str
    birth_date: dt.date | None
    sex: str
    expiry: dt.date | None
    personal_number: str
    #: Names of the check digits that do not match (empty: all good).
    failed_checks: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.failed_checks


def _date(yymmdd: str, *, future: bool, today: dt.date) -> dt.date | None:
    if not yymmdd.isdigit():
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if future:  # an expiry: within the next 50 years or the last 50
        year = 2000 + yy if 2000 + yy <= today.year + 50 else 1900 + yy
    else:  # a birth date: never in the future
        year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


def parse_td3(line1: str, line2: str, *, today: dt.date | None = None) -> Td3:
    """Parse two 44-character TD3 lines and verify their five check digits."""
    today = today or dt.date.today()
    if len(line1) != LINE or len(line2) != LINE:
        raise ValueError("a TD3 line has 44 characters")
    name = line1[5:].rstrip("<")
    surname, _, given = name.partition("<<")
    number, number_cd = line2[0:9], line2[9]
    birth, birth_cd = line2[13:19], line2[19]
    expiry, expiry_cd = line2[21:27], line2[27]
    personal, personal_cd = line2[28:42], line2[42]
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    failed = []
    if check_digit(number) != number_cd:
        failed.append("number")
    if check_digit(birth) != birth_cd:
        failed.append("birth_date")
    if check_digit(expiry) != expiry_cd:
        failed.append("expiry")
    if (
        not (personal.strip("<") == "" and personal_cd in "<0")
        and check_digit(personal) != personal_cd
    ):
        failed.append("personal_number")
    if check_digit(composite) != line2[43]:
        failed.append("composite")
    return Td3(
        document_code=line1[0:2].rstrip("<"),
        issuing_state=line1[2:5].rstrip("<"),
        surname=surname.replace("<", " ").strip(),
        given_names=given.replace("<", " ").strip(),
        number=number.rstrip("<"),
        nationality=line2[10:13].rstrip("<"),
        birth_date=_date(birth, future=False, today=today),
        sex=line2[20],
        expiry=_date(expiry, future=True, today=today),
        personal_number=personal.rstrip("<"),
        failed_checks=tuple(failed),
    )


def _clean(text: str) -> str:
    text = text.upper().replace(" ", "").replace("«", "<").replace("‹", "<").replace("く", "<")
    return "".join(c for c in text if c.isalnum() or c == "<")


def _fix_line2(line: str) -> str:
    """Digits where TD3 line 2 must have digits (dates and check digits)."""
    chars = list(line)
    for i in [9, *range(13, 20), *range(21, 28), 43]:
        chars[i] = chars[i].translate(_TO_DIGIT)
    return "".join(chars)


def find_td3(lines: list[str], *, today: dt.date | None = None) -> Td3 | None:
    """The TD3 MRZ among OCR text lines (in reading order), or None if there is none.

    Tolerates what OCR does to MRZ text: lost or extra filler characters at the end
    of line 1, spaces, '<' read as another bracket, and letters read for digits in
    the numeric fields of line 2."""
    cleaned = [_clean(t) for t in lines]
    for i, first in enumerate(cleaned):
        if not first.startswith("P") or len(first) < 30 or "<<" not in first:
            continue
        for second in cleaned[i + 1 : i + 3]:
            if not (LINE - 2 <= len(second) <= LINE + 2):
                continue
            line1 = (first + "<" * LINE)[:LINE] if len(first) <= LINE else first[:LINE]
            line2 = second[:LINE] if len(second) >= LINE else second + "<" * (LINE - len(second))
            if not (_ALLOWED.match(line1) and _ALLOWED.match(line2)):
                continue
            line1 = (
                line1[0] + "<" + line1[2:]
                if line1[1] not in "<ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                else line1
            )
            line1 = line1[:2] + line1[2:].translate(_TO_LETTER)
            line2 = _fix_line2(line2)
            line2 = line2[:10] + line2[10:13].translate(_TO_LETTER) + line2[13:]
            return parse_td3(line1, line2, today=today)
    return None


def mrz_td3(
    *,
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth_date: dt.date,
    sex: str,
    expiry: dt.date,
    issuing_state: str,
    personal_number: str = "",
) -> tuple[str, str]:
    """The two TD3 lines of a passport with correct check digits (for test data)."""
    name = transliterate(surname) + "<<" + transliterate(given_names).replace(" ", "<")
    line1 = ("P<" + issuing_state + name + "<" * LINE)[:LINE]
    num = (number + "<" * 9)[:9]
    birth = birth_date.strftime("%y%m%d")
    exp = expiry.strftime("%y%m%d")
    personal = (personal_number + "<" * 14)[:14]
    personal_cd = check_digit(personal) if personal_number else "<"
    body = (
        num
        + check_digit(num)
        + nationality
        + birth
        + check_digit(birth)
        + sex
        + exp
        + check_digit(exp)
        + personal
        + personal_cd
    )
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1, body + check_digit(composite)
