"""Build the labelled test set of the automatic photo and ID checks (deterministic).

    .venv/bin/python -m hmskort.photocheck.testset.build

Sources (in `base/`, public domain, both shipped inside Python wheels so nothing is
fetched): `astronaut.png` is a crop of `skimage/data/astronaut.png` from
scikit-image 0.26.0 (NASA portrait of Eileen Collins) and `grace_hopper.jpg` is
`matplotlib/mpl-data/sample_data/grace_hopper.jpg` from Matplotlib 3.11 (US Navy
portrait of Grace Hopper, who wears glasses and a cap in front of a flag).

From the astronaut every photo is derived with Pillow/OpenCV: good photos (framing,
light background, size, format varied a little), and bad ones per rule: glasses
drawn on, dark / busy / shadowed backgrounds, shadows and blown-out light on the
face, blur, two faces, no face, rotation and a turned head, too small / too large
a face, off-centre, closed eyes, low resolution and wrong formats. Passports are
rendered with a monospace font from the machine (DejaVu Sans Mono or Liberation
Mono) with ICAO 9303 TD3 machine-readable zones: valid, broken check digits,
expired, and unreadable.

Writes `photos/*.{jpg,png,heic,...}`, `documents/*.jpg` and `labels.json`
({file: {"breaks": [rule codes]}}; an empty list is a good photo). Random numbers
come from fixed seeds; the output is committed so that tests and the bench need
none of the sources' packages.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from hmskort.photocheck import findings as F
from hmskort.photocheck.mrz import mrz_td3

HERE = Path(__file__).resolve().parent
BASE = HERE / "base"
PHOTOS = HERE / "photos"
DOCUMENTS = HERE / "documents"
OUT = (360, 480)  # the usual photo size of the set (width, height)

# The astronaut's face in base/astronaut.png (a Haar box) and eye centres.
FACE = (81, 66, 95, 95)
EYES = ((106, 101), (151, 103))
SKIN = (226, 170, 150)

#: The test person whose passport the documents show (a synthetic identity).
PERSON = {
    "fornavn": "KARI",
    "mellomnavn": "",
    "etternavn": "NORDMANN",
    "foedselsdato": dt.date(1985, 4, 17),
    "passport_number": "PA1234567",
}
#: The documents' "today" is the build's, so expiry is set relative to a fixed year.
VALID_UNTIL = dt.date(2034, 6, 30)
EXPIRED_ON = dt.date(2021, 3, 31)


def _base() -> np.ndarray:
    return np.asarray(Image.open(BASE / "astronaut.png").convert("RGB")).copy()


def _person_mask(base: np.ndarray) -> np.ndarray:
    """Foreground (the astronaut) by GrabCut from a rectangle, feathered."""
    mask = np.zeros(base.shape[:2], np.uint8)
    rect = (40, 8, 180, 330)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(7)
    cv2.grabCut(base[:, :, ::-1].copy(), mask, rect, bgd, fgd, 6, cv2.GC_INIT_WITH_RECT)
    fg = np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    # The person continues below the frame: keep the bottom rows foreground where they were.
    fg = cv2.GaussianBlur(fg, (7, 7), 0)
    return fg.astype(np.float32) / 255.0


def _composite(base: np.ndarray, mask: np.ndarray, background: np.ndarray) -> np.ndarray:
    m = mask[:, :, None]
    return (base * m + background * (1 - m)).clip(0, 255).astype(np.uint8)


def _flat(colour, shape=(340, 256)) -> np.ndarray:
    return np.full((*shape, 3), colour, np.float32)


def _gradient(left, right, shape=(340, 256)) -> np.ndarray:
    h, w = shape
    t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    return np.broadcast_to(np.array(left) * (1 - t) + np.array(right) * t, (h, w, 3)).copy()


def _busy(seed: int, shape=(340, 256)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (shape[1], shape[0]), (200, 200, 200))
    draw = ImageDraw.Draw(img)
    for _ in range(60):
        x, y = rng.integers(0, shape[1]), rng.integers(0, shape[0])
        w, h = rng.integers(10, 70), rng.integers(10, 70)
        colour = tuple(int(c) for c in rng.integers(30, 255, 3))
        draw.rectangle((x, y, x + w, y + h), fill=colour)
    return np.asarray(img, np.float32)


def _stripes(shape=(340, 256)) -> np.ndarray:
    h, w = shape
    img = np.full((h, w, 3), 225, np.float32)
    for x in range(0, w, 24):
        img[:, x : x + 10] = (90, 110, 150)
    return img


def _frame(
    img: np.ndarray,
    *,
    share: float = 0.46,
    cx: float = 0.5,
    cy: float = 0.42,
    out: tuple[int, int] = OUT,
    face=FACE,
) -> np.ndarray:
    """Crop `img` so that the face box is `share` of the width and its centre at
    (cx, cy) of the frame, padding by reflection where the crop leaves the image."""
    fx, fy, fw, fh = face
    crop_w = fw / share
    crop_h = crop_w * out[1] / out[0]
    left = fx + fw / 2 - cx * crop_w
    top = fy + fh / 2 - cy * crop_h
    scale = out[0] / crop_w
    matrix = np.array([[scale, 0, -left * scale], [0, scale, -top * scale]], np.float32)
    return cv2.warpAffine(img, matrix, out, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _glasses(img: np.ndarray, style: str) -> np.ndarray:
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil, "RGBA")
    (lx, ly), (rx, ry) = EYES
    colour, width, fill = {
        "thin": ((25, 25, 25, 255), 2, None),
        "thick": ((10, 10, 10, 255), 5, None),
        "brown": ((110, 60, 30, 255), 3, None),
        "silver": ((170, 170, 175, 255), 2, None),
        "sun": ((15, 15, 15, 255), 3, (20, 20, 25, 235)),
    }[style]
    rw, rh = 19, 14
    for cx, cy in ((lx, ly), (rx, ry)):
        draw.rounded_rectangle(
            (cx - rw, cy - rh, cx + rw, cy + rh), radius=7, outline=colour, width=width, fill=fill
        )
    bridge_y = (ly + ry) / 2 - 4
    draw.line((lx + rw, bridge_y, rx - rw, bridge_y), fill=colour, width=width)
    draw.line((lx - rw, ly - 4, lx - rw - 14, ly - 2), fill=colour, width=width)
    draw.line((rx + rw, ry - 4, rx + rw + 14, ry - 2), fill=colour, width=width)
    return np.asarray(pil).copy()


def _eyes_closed(img: np.ndarray) -> np.ndarray:
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    for cx, cy in EYES:
        draw.ellipse((cx - 12, cy - 8, cx + 12, cy + 7), fill=SKIN)
        draw.arc((cx - 12, cy - 10, cx + 12, cy + 5), 20, 160, fill=(70, 40, 35), width=2)
    out = np.asarray(pil.filter(ImageFilter.GaussianBlur(0.6))).copy()
    # Only the eye areas are softened.
    for cx, cy in EYES:
        img_region = (slice(cy - 14, cy + 14), slice(cx - 18, cx + 18))
        img = img.copy()
        img[img_region] = out[img_region]
    return img


def _face_shadow(img: np.ndarray, mask: np.ndarray, strength=0.45) -> np.ndarray:
    """A shadow over the right half of the person (not over the background)."""
    h, w = img.shape[:2]
    fx, fy, fw, fh = FACE
    x = np.arange(w, dtype=np.float32)
    ramp = np.clip((x - (fx + fw / 2)) / 6, 0, 1)[None, :] * mask
    shade = 1 - strength * ramp
    out = img.astype(np.float32) * shade[:, :, None]
    return out.clip(0, 255).astype(np.uint8)


def _hotspot(img: np.ndarray, gain=190.0, sigma=22.0) -> np.ndarray:
    h, w = img.shape[:2]
    fx, fy, fw, fh = FACE
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = fx + fw / 2, fy + fh * 0.55
    blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma**2))
    return (img.astype(np.float32) + gain * blob[:, :, None]).clip(0, 255).astype(np.uint8)


def _bg_shadow(left_dark: bool = False) -> np.ndarray:
    bg = _flat((222, 222, 222))
    h, w = bg.shape[:2]
    x = np.arange(w, dtype=np.float32)
    edge = 150 if not left_dark else 100
    ramp = np.clip((x - edge) / 25, 0, 1) if not left_dark else np.clip((edge - x) / 25, 0, 1)
    return bg * (1 - 0.55 * ramp)[None, :, None]


def _rotate(img: np.ndarray, angle: float) -> np.ndarray:
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)


def _yaw(img: np.ndarray, amount: float) -> np.ndarray:
    """A head turned to one side, crudely: inside the head, the features (eyes,
    nose, mouth) are shifted sideways while the outline stays where it was."""
    h, w = img.shape[:2]
    fx, fy, fw, fh = FACE
    x0, x1 = fx - 0.15 * fw, fx + 1.15 * fw
    xs = np.arange(w, dtype=np.float32)
    inside = (xs > x0) & (xs < x1)
    shift = np.where(inside, amount * fw * np.sin(np.pi * (xs - x0) / (x1 - x0)), 0)
    map_x = np.broadcast_to(xs - shift, (h, w)).astype(np.float32)
    rows = np.arange(h, dtype=np.float32)
    vertical = np.clip(1 - np.abs(rows - (fy + fh / 2)) / (fh * 1.1), 0, 1)[:, None]
    map_x = (xs[None, :] * (1 - vertical) + map_x * vertical).astype(np.float32)
    map_y = np.broadcast_to(rows[:, None], (h, w)).astype(np.float32)
    return cv2.remap(img, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _save(img, name: str, fmt: str = "JPEG", **kw) -> bytes:
    pil = img if isinstance(img, Image.Image) else Image.fromarray(img)
    buffer = io.BytesIO()
    if fmt == "JPEG":
        kw.setdefault("quality", 86)
    pil.save(buffer, format=fmt, **kw)
    data = buffer.getvalue()
    (PHOTOS / name).write_bytes(data)
    return data


def _font(size: int) -> ImageFont.FreeTypeFont:
    for path in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    ):
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    raise SystemExit("No monospace TrueType font found (apt-get install fonts-dejavu-core)")


def _passport(mrz_lines: tuple[str, str], *, portrait: np.ndarray, expiry: dt.date) -> Image.Image:
    """A TD3 data page (125 x 88 mm) at about 7 px/mm."""
    page = Image.new("RGB", (880, 620), (236, 232, 222))
    draw = ImageDraw.Draw(page)
    small, label = _font(20), _font(15)
    draw.text((30, 22), "NORGE / NORWAY   PASS / PASSPORT", font=small, fill=(60, 40, 80))
    photo = Image.fromarray(portrait).resize((210, 280))
    page.paste(photo, (30, 70))
    fields = [
        ("Etternavn / Surname", PERSON["etternavn"]),
        ("Fornavn / Given names", PERSON["fornavn"]),
        ("Fødselsdato / Date of birth", PERSON["foedselsdato"].strftime("%d.%m.%Y")),
        ("Passnr. / Passport No.", PERSON["passport_number"]),
        ("Utløpsdato / Date of expiry", expiry.strftime("%d.%m.%Y")),
    ]
    for i, (name, value) in enumerate(fields):
        draw.text((270, 75 + i * 56), name, font=label, fill=(110, 100, 120))
        draw.text((270, 93 + i * 56), value, font=small, fill=(20, 20, 20))
    mrz_font = _font(27)
    for i, line in enumerate(mrz_lines):
        draw.text((24, 486 + i * 46), line, font=mrz_font, fill=(10, 10, 10))
    return page


def _save_doc(img: Image.Image, name: str) -> None:
    img.save(DOCUMENTS / name, format="JPEG", quality=88)


def _bank_card() -> Image.Image:
    card = Image.new("RGB", (856, 540), (30, 70, 140))
    draw = ImageDraw.Draw(card)
    font = _font(44)
    draw.rounded_rectangle((80, 180, 200, 270), radius=12, fill=(210, 180, 90))
    draw.text((80, 320), "5412 7512 3412 3452", font=font, fill=(240, 240, 240))
    draw.text((80, 420), "KARI NORDMANN   12/29", font=_font(32), fill=(240, 240, 240))
    draw.text((600, 60), "BANK", font=font, fill=(240, 240, 240))
    return card


def build() -> dict:
    for folder in (PHOTOS, DOCUMENTS):
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
    labels: dict[str, dict] = {}

    def add(name: str, img, breaks=(), fmt="JPEG", **kw):
        _save(img, name, fmt, **kw)
        labels[f"photos/{name}"] = {"breaks": sorted(breaks)}

    base = _base()
    mask = _person_mask(base)
    backgrounds = {
        "studio": base.astype(np.float32),
        "white": _flat((246, 246, 244)),
        "grey": _flat((214, 216, 218)),
        "blue": _flat((205, 220, 235)),
    }
    scenes = {
        k: (base if k == "studio" else _composite(base, mask, bg)) for k, bg in backgrounds.items()
    }

    # --- good photos ------------------------------------------------------
    good = [
        ("studio", {}),
        ("white", {}),
        ("grey", {}),
        ("blue", {}),
        ("white", {"share": 0.40}),
        ("grey", {"share": 0.52}),
        ("blue", {"share": 0.56, "cy": 0.45}),
        ("white", {"cx": 0.47}),
        ("grey", {"cx": 0.53, "cy": 0.38}),
        ("studio", {"share": 0.42, "cy": 0.44}),
        ("white", {"out": (300, 400)}),
        ("grey", {"out": (600, 800)}),
        ("blue", {"out": (420, 560), "share": 0.48}),
        ("studio", {"out": (450, 600), "share": 0.50}),
    ]
    for i, (scene, frame) in enumerate(good):
        add(f"good_{i:02d}_{scene}.jpg", _frame(scenes[scene], **frame))
    add("good_flipped.jpg", _frame(scenes["white"])[:, ::-1].copy())
    add("good_tilt_2deg.jpg", _rotate(_frame(scenes["grey"]), 2))
    add("good_brighter.jpg", cv2.convertScaleAbs(_frame(scenes["grey"]), alpha=1.08, beta=8))
    add("good_darker.jpg", cv2.convertScaleAbs(_frame(scenes["white"]), alpha=0.92))
    add("good_quality_60.jpg", _frame(scenes["blue"]), quality=60)
    add("good_png.png", _frame(scenes["white"]), fmt="PNG", optimize=True)
    try:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        add("good_heic.heic", _frame(scenes["grey"]), fmt="HEIF", quality=80)
    except ImportError:  # pragma: no cover
        pass

    # --- bad: glasses -----------------------------------------------------
    for style in ("thin", "thick", "brown", "silver"):
        add(f"bad_glasses_{style}.jpg", _frame(_glasses(scenes["white"], style)), [F.GLASSES])
    add(
        "bad_glasses_sun.jpg",
        _frame(_glasses(scenes["grey"], "sun")),
        [F.GLASSES],
    )
    hopper = np.asarray(Image.open(BASE / "grace_hopper.jpg").convert("RGB"))
    add(
        "bad_glasses_hopper.jpg",
        cv2.resize(hopper, (384, 450), interpolation=cv2.INTER_AREA),
        [F.GLASSES, F.BACKGROUND_DARK, F.BACKGROUND_UNEVEN],
    )

    # --- bad: background --------------------------------------------------
    for name, colour in (
        ("black", (18, 18, 20)),
        ("darkgrey", (80, 80, 84)),
        ("navy", (30, 40, 90)),
    ):
        add(
            f"bad_background_{name}.jpg",
            _frame(_composite(base, mask, _flat(colour))),
            [F.BACKGROUND_DARK],
        )
    add(
        "bad_background_busy.jpg",
        _frame(_composite(base, mask, _busy(3))),
        [F.BACKGROUND_UNEVEN],
    )
    add(
        "bad_background_stripes.jpg",
        _frame(_composite(base, mask, _stripes())),
        [F.BACKGROUND_UNEVEN],
    )
    add(
        "bad_background_shadow_right.jpg",
        _frame(_composite(base, mask, _bg_shadow())),
        [F.BACKGROUND_UNEVEN],
    )
    add(
        "bad_background_shadow_left.jpg",
        _frame(_composite(base, mask, _bg_shadow(left_dark=True))),
        [F.BACKGROUND_UNEVEN],
    )
    add(
        "bad_background_gradient.jpg",
        _frame(_composite(base, mask, _gradient((235, 235, 235), (95, 95, 95)))),
        [F.BACKGROUND_UNEVEN],
    )

    # --- bad: light on the face --------------------------------------------
    add("bad_face_shadow.jpg", _frame(_face_shadow(scenes["white"], mask)), [F.FACE_UNEVEN_LIGHT])
    add(
        "bad_face_shadow_strong.jpg",
        _frame(_face_shadow(scenes["grey"], mask, 0.65)),
        [F.FACE_UNEVEN_LIGHT],
    )
    add(
        "bad_face_dark.jpg",
        cv2.convertScaleAbs(_frame(scenes["white"]), alpha=0.38),
        [F.FACE_UNEVEN_LIGHT, F.BACKGROUND_DARK],
    )
    add("bad_face_hotspot.jpg", _frame(_hotspot(scenes["white"])), [F.FACE_OVEREXPOSED])
    add(
        "bad_face_overexposed.jpg",
        cv2.convertScaleAbs(_frame(scenes["grey"]), alpha=1.6, beta=40),
        [F.FACE_OVEREXPOSED],
    )

    # --- bad: blur ----------------------------------------------------------
    for sigma in (2.5, 4.0):
        add(
            f"bad_blur_{sigma:.1f}.jpg",
            cv2.GaussianBlur(_frame(scenes["white"]), (0, 0), sigma),
            [F.BLURRED],
        )
    kernel = np.zeros((15, 15), np.float32)
    kernel[7, :] = 1 / 15
    add("bad_blur_motion.jpg", cv2.filter2D(_frame(scenes["grey"]), -1, kernel), [F.BLURRED])

    # --- bad: faces ---------------------------------------------------------
    left = _frame(scenes["white"], share=0.5, out=(240, 320))
    right = _frame(scenes["grey"], share=0.5, out=(240, 320))[:, ::-1]
    add("bad_two_faces.jpg", np.hstack([left, right]), [F.SEVERAL_FACES])
    two = _frame(scenes["white"], share=0.42).copy()
    small = _frame(scenes["blue"], share=0.5, out=(130, 173))
    two[300:473, 225:355] = small
    add("bad_two_faces_behind.jpg", two, [F.SEVERAL_FACES])
    add("bad_no_face_wall.jpg", np.full((480, 360, 3), 228, np.uint8), [F.NO_FACE])
    suit = cv2.resize(base[200:340, 40:220], OUT, interpolation=cv2.INTER_CUBIC)
    add("bad_no_face_suit.jpg", suit, [F.NO_FACE])
    add(
        "bad_no_face_pattern.jpg",
        cv2.resize(_busy(11).astype(np.uint8), OUT, interpolation=cv2.INTER_NEAREST),
        [F.NO_FACE],
    )

    # --- bad: pose ----------------------------------------------------------
    add(
        "bad_rotated_90.jpg",
        cv2.rotate(_frame(scenes["white"]), cv2.ROTATE_90_CLOCKWISE),
        [F.NOT_FRONTAL],
    )
    add("bad_rotated_180.jpg", cv2.rotate(_frame(scenes["grey"]), cv2.ROTATE_180), [F.NOT_FRONTAL])
    add("bad_rotated_30.jpg", _frame(_rotate(scenes["white"], 30)), [F.NOT_FRONTAL])
    add("bad_tilted_12.jpg", _frame(_rotate(scenes["blue"], -12)), [F.NOT_FRONTAL])
    add("bad_turned.jpg", _frame(_yaw(scenes["white"], 0.18)), [F.NOT_FRONTAL])
    add("bad_turned_more.jpg", _frame(_yaw(scenes["grey"], -0.25)), [F.NOT_FRONTAL])

    # --- bad: framing -------------------------------------------------------
    add("bad_face_small_20.jpg", _frame(scenes["white"], share=0.20), [F.FACE_TOO_SMALL])
    add("bad_face_small_27.jpg", _frame(scenes["grey"], share=0.27), [F.FACE_TOO_SMALL])
    add("bad_face_large_75.jpg", _frame(scenes["white"], share=0.75), [F.FACE_TOO_LARGE])
    add("bad_face_large_90.jpg", _frame(scenes["blue"], share=0.90, cy=0.5), [F.FACE_TOO_LARGE])
    add("bad_off_centre_left.jpg", _frame(scenes["white"], cx=0.33), [F.NOT_CENTRED])
    add("bad_off_centre_right.jpg", _frame(scenes["grey"], cx=0.68), [F.NOT_CENTRED])
    add("bad_off_centre_low.jpg", _frame(scenes["white"], cy=0.68, share=0.4), [F.NOT_CENTRED])

    # --- bad: eyes ------------------------------------------------------------
    add("bad_eyes_closed.jpg", _frame(_eyes_closed(scenes["white"])), [F.EYES])
    add("bad_eyes_closed_grey.jpg", _frame(_eyes_closed(scenes["grey"])), [F.EYES])

    # --- bad: resolution and format ------------------------------------------
    add("bad_low_res_240.jpg", _frame(scenes["white"], out=(240, 320)), [F.RESOLUTION])
    add("bad_low_res_150.png", _frame(scenes["grey"], out=(150, 200)), [F.RESOLUTION], fmt="PNG")
    good_img = Image.fromarray(_frame(scenes["white"]))
    add("bad_format_gif.jpg", good_img.convert("P"), [F.FORMAT], fmt="GIF")
    add("bad_format_bmp.png", good_img.resize((150, 200)), [F.FORMAT], fmt="BMP")
    add("bad_format_webp.jpg", good_img, [F.FORMAT], fmt="WEBP", quality=80)
    add("bad_format_tiff.jpg", good_img, [F.FORMAT], fmt="TIFF", compression="jpeg")
    (PHOTOS / "bad_format_pdf.jpg").write_bytes(
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    )
    labels["photos/bad_format_pdf.jpg"] = {"breaks": [F.FORMAT]}
    (PHOTOS / "bad_format_truncated.jpg").write_bytes(_save(good_img, "tmp.jpg")[:4000])
    (PHOTOS / "tmp.jpg").unlink()
    labels["photos/bad_format_truncated.jpg"] = {"breaks": [F.FORMAT]}

    # --- documents ------------------------------------------------------------
    portrait = _frame(scenes["grey"], out=(240, 320))
    birth = PERSON["foedselsdato"]
    common = {
        "surname": PERSON["etternavn"],
        "given_names": PERSON["fornavn"],
        "number": PERSON["passport_number"],
        "nationality": "NOR",
        "birth_date": birth,
        "sex": "F",
        "issuing_state": "NOR",
    }
    docs: dict[str, dict] = {}
    valid = mrz_td3(**common, expiry=VALID_UNTIL)
    _save_doc(_passport(valid, portrait=portrait, expiry=VALID_UNTIL), "passport_valid.jpg")
    docs["passport_valid.jpg"] = {"document_type": "passport", "expect": "accepted"}
    line2 = valid[1]
    broken = (valid[0], line2[:9] + str((int(line2[9]) + 3) % 10) + line2[10:])
    _save_doc(
        _passport(broken, portrait=portrait, expiry=VALID_UNTIL), "passport_bad_check_digit.jpg"
    )
    docs["passport_bad_check_digit.jpg"] = {
        "document_type": "passport",
        "expect": F.REVIEW_MRZ_CHECK_DIGITS,
    }
    expired = mrz_td3(**common, expiry=EXPIRED_ON)
    _save_doc(_passport(expired, portrait=portrait, expiry=EXPIRED_ON), "passport_expired.jpg")
    docs["passport_expired.jpg"] = {"document_type": "passport", "expect": F.ID_EXPIRED}
    blurred = _passport(valid, portrait=portrait, expiry=VALID_UNTIL).filter(
        ImageFilter.GaussianBlur(6)
    )
    _save_doc(blurred, "passport_unreadable.jpg")
    docs["passport_unreadable.jpg"] = {
        "document_type": "passport",
        "expect": F.REVIEW_MRZ_UNREADABLE,
    }
    _save_doc(_bank_card(), "bank_card.jpg")
    docs["bank_card.jpg"] = {"document_type": "bank_card", "expect": F.ID_BANK_CARD}
    for name, meta in docs.items():
        labels[f"documents/{name}"] = meta
    labels["_person"] = {
        "fornavn": PERSON["fornavn"],
        "mellomnavn": PERSON["mellomnavn"],
        "etternavn": PERSON["etternavn"],
        "foedselsdato": PERSON["foedselsdato"].isoformat(),
    }
    (HERE / "labels.json").write_text(json.dumps(labels, indent=1, sort_keys=True) + "\n")
    return labels


if __name__ == "__main__":
    built = build()
    photos = [k for k in built if k.startswith("photos/")]
    good = sum(1 for k in photos if not built[k]["breaks"])
    size = sum(p.stat().st_size for d in (PHOTOS, DOCUMENTS) for p in d.iterdir())
    print(
        f"photos: {len(photos)} ({good} good), documents: {sum(1 for k in built if k.startswith('documents/'))}"
    )
    print(f"bytes: {size}")
