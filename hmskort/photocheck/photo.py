"""The automatic photo check: every rule of the card photo that can be measured.

Face, eyes and profile detection use the Haar cascades that ship inside
opencv-python(-headless) (`cv2.data.haarcascades`); nothing is downloaded. All the
numbers are in `thresholds.py`."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from hmskort.photocheck import findings as F
from hmskort.photocheck import thresholds as T
from hmskort.photocheck.findings import Finding
from hmskort.photocheck.sniff import ACCEPTED, decode, sniff


@dataclass(frozen=True)
class PhotoReport:
    """What the checks found. `ok` when no rule is broken."""

    findings: tuple[Finding, ...]
    content_type: str | None = None
    extension: str | None = None
    width: int = 0
    height: int = 0
    #: The measured values behind the decisions (for the bench and for tuning).
    metrics: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    @property
    def messages(self) -> list[str]:
        return [f.text for f in self.findings]


@functools.cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if classifier.empty():  # pragma: no cover - the file ships with OpenCV
        raise RuntimeError(f"OpenCV cascade {name} is missing")
    return classifier


def _detect(gray: np.ndarray, cascade: str, neighbours: int) -> list[tuple[int, int, int, int]]:
    short = min(gray.shape[:2])
    side = max(24, int(short * T.FACE_MIN_FRACTION))
    found = _cascade(cascade).detectMultiScale(
        gray, scaleFactor=T.FACE_SCALE_FACTOR, minNeighbors=neighbours, minSize=(side, side)
    )
    boxes = [tuple(int(v) for v in box) for box in found]
    # Drop boxes nested in a bigger one (the same face found twice).
    boxes.sort(key=lambda b: -b[2])
    kept: list[tuple[int, int, int, int]] = []
    for x, y, w, h in boxes:
        cx, cy = x + w / 2, y + h / 2
        if not any(kx <= cx <= kx + kw and ky <= cy <= ky + kh for kx, ky, kw, kh in kept):
            kept.append((x, y, w, h))
    return kept


def _faces(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Upright frontal faces: the default cascade, then (for faces partly hidden,
    e.g. by glasses) the alt2 cascade with fewer neighbours."""
    return _detect(gray, "haarcascade_frontalface_default.xml", T.FACE_MIN_NEIGHBOURS)


def _partly_hidden_faces(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Faces the default cascade misses, e.g. behind heavy frames: the alt2 cascade
    with fewer neighbours, then a face inferred from a pair of eyes."""
    faces = _detect(gray, "haarcascade_frontalface_alt2.xml", T.FACE_FALLBACK_NEIGHBOURS)
    return faces or _face_from_eye_pair(gray)


def _face_from_eye_pair(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """A face inferred from a level pair of eyes found by the eyeglasses cascade
    (heavy frames can hide a face from the face cascades)."""
    short = min(gray.shape[:2])
    side = max(12, int(short * T.FACE_MIN_FRACTION * 0.22))
    eyes = _cascade("haarcascade_eye_tree_eyeglasses.xml").detectMultiScale(
        gray, scaleFactor=1.05, minNeighbors=T.EYE_PAIR_NEIGHBOURS, minSize=(side, side)
    )
    eyes = sorted((tuple(int(v) for v in e) for e in eyes), key=lambda e: e[0])
    for i, (ax, ay, aw, ah) in enumerate(eyes):
        for bx, by, bw, bh in eyes[i + 1 :]:
            dist = (bx + bw / 2) - (ax + aw / 2)
            if not (0.7 < aw / bw < 1.4 and 2.0 * aw < dist < 4.5 * aw):
                continue
            if abs((by + bh / 2) - (ay + ah / 2)) > 0.15 * dist:
                continue
            w = dist / 0.47
            mid_x = (ax + aw / 2 + bx + bw / 2) / 2
            eye_y = (ay + ah / 2 + by + bh / 2) / 2
            return [(int(mid_x - w / 2), int(eye_y - 0.40 * w), int(w), int(w))]
    return []


def _rotated_face(gray: np.ndarray) -> float | None:
    """The angle at which a face (with an eye) appears when the image is turned."""
    for angle in T.ROTATION_PROBES:
        turned = _rotated(gray, angle)
        for face in _detect(turned, "haarcascade_frontalface_default.xml", T.FACE_MIN_NEIGHBOURS):
            if _eyes(turned, face):
                return angle
    return None


def _rotated(gray: np.ndarray, angle: float) -> np.ndarray:
    if angle in (90, -90, 180):
        code = {
            90: cv2.ROTATE_90_COUNTERCLOCKWISE,
            -90: cv2.ROTATE_90_CLOCKWISE,
            180: cv2.ROTATE_180,
        }[angle]
        return cv2.rotate(gray, code)
    h, w = gray.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)


def _eyes(gray: np.ndarray, face: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """At most one eye per half of the upper face, in image coordinates."""
    x, y, w, h = face
    top, bottom = y + int(0.15 * h), y + int(0.58 * h)
    roi = gray[top:bottom, x : x + w]
    side = max(8, int(w * 0.12))
    found = _cascade("haarcascade_eye.xml").detectMultiScale(
        roi,
        scaleFactor=T.EYE_SCALE_FACTOR,
        minNeighbors=T.EYE_MIN_NEIGHBOURS,
        minSize=(side, side),
        maxSize=(int(w * 0.4), int(w * 0.4)),
    )
    best: dict[str, tuple[int, int, int, int]] = {}
    for ex, ey, ew, eh in found:
        centre = ex + ew / 2
        half = "left" if centre < w / 2 else "right"
        if half in best and best[half][2] >= ew:
            continue
        best[half] = (int(x + ex), int(top + ey), int(ew), int(eh))
    return [best[k] for k in ("left", "right") if k in best]


def _band_edges(gray: np.ndarray) -> np.ndarray:
    return np.abs(cv2.Sobel(gray.astype(np.float32), cv2.CV_32F, 0, 1, ksize=3))


def _glasses_score(gray: np.ndarray, face, eyes) -> float:
    """Evidence of a frame across the nose: the strongest horizontal edge on the
    bridge of the nose at eye height, relative to the face's contrast."""
    x, y, w, h = face
    face_img = gray[y : y + h, x : x + w].astype(np.float32)
    contrast = float(face_img.std()) + 1.0
    if len(eyes) == 2:
        (lx, ly, lw, lh), (rx, ry, rw, rh) = eyes
        eye_y = int((ly + lh / 2 + ry + rh / 2) / 2)
        inner_left, inner_right = lx + lw, rx
    else:  # typical positions in a Haar face box
        eye_y = int(y + 0.40 * h)
        inner_left, inner_right = int(x + 0.40 * w), int(x + 0.60 * w)
    # Bridge: between the inner corners of the eyes, around eye height.
    span = max(4, inner_right - inner_left)
    bx0 = int(inner_left + 0.2 * span)
    bx1 = int(inner_right - 0.2 * span)
    by0, by1 = int(eye_y - 0.10 * h), int(eye_y + 0.06 * h)
    bridge = 0.0
    if bx1 - bx0 >= 3 and by1 - by0 >= 3 and by0 >= 0:
        band = gray[by0:by1, bx0:bx1]
        edges = _band_edges(band)
        bridge = float(edges.mean(axis=1).max()) / contrast
    return bridge


def _head_turn(rgb: np.ndarray, gray: np.ndarray, face, mid_x: float, eye_y: float) -> float | None:
    """How far the eyes' midpoint sits from the middle of the head's outline at eye
    height (x head width): 0 for a frontal head. The outline is where the picture
    stops being background; None when the background is not plain enough to tell."""
    x, y, w, h = face
    H, W = gray.shape[:2]
    band = rgb[max(0, int(eye_y - 0.05 * h)) : int(eye_y + 0.05 * h)].astype(np.float32)
    if band.size == 0:
        return None
    edge_cols = np.concatenate(
        [band[:, : max(2, int(0.04 * W))], band[:, -max(2, int(0.04 * W)) :]], 1
    )
    reference = edge_cols.reshape(-1, 3)
    if reference.std(axis=0).max() > 12:
        return None
    background = reference.mean(axis=0)
    differs = (np.abs(band - background).max(axis=2) > T.HEAD_OUTLINE_DIFF).mean(axis=0) > 0.5
    lo, hi = max(0, int(x - 0.6 * w)), min(W, int(x + w + 0.6 * w))
    columns = np.flatnonzero(differs[lo:hi]) + lo
    if columns.size == 0:
        return None
    left, right = int(columns[0]), int(columns[-1])
    if left <= lo or right >= hi - 1 or right - left < 0.8 * w:
        return None  # the outline is not inside the window: cannot tell
    return (mid_x - (left + right) / 2) / (right - left)


def _background_light(gray: np.ndarray, face) -> float:
    regions = _background_regions(gray, face)
    if not regions:
        return 0.0
    return float(np.concatenate([r.ravel() for r in regions]).mean())


def _background_regions(gray: np.ndarray, face) -> list[np.ndarray]:
    """Beside and above the head, clear of hair and shoulders."""
    H, W = gray.shape[:2]
    x, y, w, h = face
    regions = []
    left_end = int(x - 0.45 * w)
    right_start = int(x + w + 0.45 * w)
    bottom = int(min(H, y + 0.55 * h))
    top_end = int(y - 0.55 * h)
    if left_end > 4:
        regions.append(gray[0:bottom, 0:left_end])
    if right_start < W - 4:
        regions.append(gray[0:bottom, right_start:W])
    if top_end > 4:
        regions.append(gray[0:top_end, :])
    return [r for r in regions if r.size >= 64]


def check_photo(data: bytes) -> PhotoReport:
    """Check a photo for the card; the report lists every rule it breaks."""
    if not data or len(data) > T.MAX_BYTES:
        return PhotoReport(findings=(Finding(F.FORMAT),))
    content_type = sniff(data)
    image = decode(data) if content_type else None
    if image is None:
        return PhotoReport(findings=(Finding(F.FORMAT),))
    width, height = image.size
    found: list[str] = []
    metrics: dict = {"width": width, "height": height}
    if min(width, height) < T.MIN_SHORT_SIDE or max(width, height) < T.MIN_LONG_SIDE:
        found.append(F.RESOLUTION)

    scale = min(1.0, T.ANALYSIS_MAX_SIDE / max(width, height))
    rgb = np.asarray(image)
    if scale < 1.0:
        rgb = cv2.resize(rgb, (round(width * scale), round(height * scale)), cv2.INTER_AREA)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    H, W = gray.shape[:2]

    faces = _faces(gray)
    if not faces:
        hidden = _partly_hidden_faces(gray)
        if len(hidden) == 1 and len(_eyes(gray, hidden[0])) == 2:
            faces = hidden  # upright, with both eyes: not a rotated photo
        else:
            angle = _rotated_face(gray)
            if angle is not None:
                metrics["rotated_face_at"] = angle
                found.append(F.NOT_FRONTAL)
                return _report(found, content_type, width, height, metrics)
            faces = hidden
    metrics["faces"] = len(faces)
    if not faces:
        found.append(F.NO_FACE)
        return _report(found, content_type, width, height, metrics)
    if len(faces) > 1:
        found.append(F.SEVERAL_FACES)
        return _report(found, content_type, width, height, metrics)

    face = faces[0]
    x, y, w, h = face
    # Framing.
    width_share = w / W
    cx, cy = (x + w / 2) / W, (y + h / 2) / H
    metrics.update(face_width=round(width_share, 3), face_cx=round(cx, 3), face_cy=round(cy, 3))
    margin = T.FACE_EDGE_MARGIN * w
    touches = x < margin or y < margin or x + w > W - margin or y + h > H - margin
    if width_share > T.FACE_WIDTH_MAX or (touches and width_share > T.FACE_WIDTH_MIN):
        found.append(F.FACE_TOO_LARGE)
    elif width_share < T.FACE_WIDTH_MIN:
        found.append(F.FACE_TOO_SMALL)
    if abs(cx - 0.5) > T.CENTRE_MAX_X_OFFSET or not (T.CENTRE_Y_MIN <= cy <= T.CENTRE_Y_MAX):
        found.append(F.NOT_CENTRED)

    # Eyes and pose.
    eyes = _eyes(gray, face)
    metrics["eyes"] = len(eyes)
    if len(eyes) == 2:
        (lx, ly, lw, lh), (rx, ry, rw, rh) = eyes
        lc = (lx + lw / 2, ly + lh / 2)
        rc = (rx + rw / 2, ry + rh / 2)
        tilt = math.degrees(math.atan2(rc[1] - lc[1], rc[0] - lc[0]))
        midpoint = ((lc[0] + rc[0]) / 2 - (x + w / 2)) / w
        distance = (rc[0] - lc[0]) / w
        metrics.update(
            eye_tilt=round(tilt, 1), eye_mid=round(midpoint, 3), eye_dist=round(distance, 3)
        )
        turn = _head_turn(rgb, gray, face, (lc[0] + rc[0]) / 2, (lc[1] + rc[1]) / 2)
        if _background_light(gray, face) < T.BACKGROUND_MIN_LIGHT:
            turn = None  # a dark background hides the outline of dark hair
        if turn is not None:
            metrics["head_turn"] = round(turn, 3)
        if (
            abs(tilt) > T.MAX_EYE_TILT_DEG
            or abs(midpoint) > T.MAX_EYE_MIDPOINT_OFFSET
            or distance < T.MIN_EYE_DISTANCE
            or (turn is not None and abs(turn) > T.MAX_HEAD_TURN)
        ):
            found.append(F.NOT_FRONTAL)

    # Glasses.
    bridge = _glasses_score(gray, face, eyes)
    metrics["glasses_bridge"] = round(bridge, 3)
    if bridge >= T.GLASSES_BRIDGE_MIN:
        found.append(F.GLASSES)
    elif len(eyes) < 2:
        # Eyes hidden behind glasses are told as "glasses": taking them off is the fix.
        found.append(F.EYES)

    # Background.
    regions = _background_regions(gray, face)
    if regions:
        pixels = np.concatenate([r.ravel() for r in regions]).astype(np.float32)
        light = float(pixels.mean())
        spread = float(pixels.std())
        edges = float(np.mean([cv2.Canny(r, 60, 160).mean() / 255 for r in regions]))
        means = [float(r.mean()) for r in regions]
        halves = []
        for r in regions:
            half = r.shape[0] // 2
            if half > 2:
                halves.append(abs(float(r[:half].mean()) - float(r[half:].mean())))
        side_diff = max([max(means) - min(means), *halves])
        metrics.update(
            bg_light=round(light, 1),
            bg_std=round(spread, 1),
            bg_edges=round(edges, 3),
            bg_side_diff=round(side_diff, 1),
        )
        if light < T.BACKGROUND_MIN_LIGHT:
            found.append(F.BACKGROUND_DARK)
        if (
            spread > T.BACKGROUND_MAX_STD
            or edges > T.BACKGROUND_MAX_EDGES
            or side_diff > T.BACKGROUND_MAX_SIDE_DIFF
        ):
            found.append(F.BACKGROUND_UNEVEN)

    # Light on the face.
    inner = gray[y + int(0.2 * h) : y + int(0.9 * h), x + int(0.15 * w) : x + int(0.85 * w)]
    half = inner.shape[1] // 2
    face_mean = float(inner.mean())
    side = abs(float(inner[:, :half].mean()) - float(inner[:, half:].mean())) / (face_mean + 1.0)
    clipped = float((inner >= T.FACE_CLIP_LEVEL).mean())
    metrics.update(
        face_light=round(face_mean, 1), face_side=round(side, 3), face_clipped=round(clipped, 3)
    )
    if side > T.FACE_MAX_SIDE_DIFF or face_mean < T.FACE_MIN_LIGHT:
        found.append(F.FACE_UNEVEN_LIGHT)
    if clipped > T.FACE_MAX_CLIPPED:
        found.append(F.FACE_OVEREXPOSED)

    # Sharpness.
    crop = cv2.resize(gray[y : y + h, x : x + w], (T.SHARPNESS_FACE_SIZE,) * 2, cv2.INTER_AREA)
    crop = crop.astype(np.float64)
    crop = (crop - crop.mean()) / (crop.std() + 1.0) * 50.0  # contrast-free
    sharpness = float(cv2.Laplacian(crop, cv2.CV_64F).var())
    metrics["sharpness"] = round(sharpness, 1)
    if sharpness < T.MIN_SHARPNESS:
        found.append(F.BLURRED)
    return _report(found, content_type, width, height, metrics)


def _report(found: list[str], content_type, width, height, metrics) -> PhotoReport:
    order = {code: i for i, code in enumerate(F.PHOTO_RULES)}
    codes = sorted(dict.fromkeys(found), key=lambda c: order.get(c, 99))
    return PhotoReport(
        findings=tuple(Finding(c) for c in codes),
        content_type=content_type,
        extension=ACCEPTED.get(content_type),
        width=width,
        height=height,
        metrics=metrics,
    )
