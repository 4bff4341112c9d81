"""Every number the automatic photo and ID checks decide by, in one place.

How they were tuned: on the project's own labelled test set
(`hmskort/photocheck/testset/`, made by `testset/build.py` from two portraits that
ship inside scikit-image's and Matplotlib's wheels). `bench/photo_checks.py` runs the
checks on it and prints, per rule, a confusion matrix plus each measured value, so a
threshold can be moved and the effect seen at once. Each threshold below sits in the
gap between the worst good photo and the mildest bad photo of its rule, nearer the
good side where the rules of the card (seed 001: "light background without strong
shadows", "evenly lit", "no glasses", "straight from the front") leave no room. The
set is small and has one identity for the good photos, so the values are
deliberately conservative where a false refusal would hurt; a photo that passes
here is still looked at by a caseworker.

Measured on the set when the values were set (good photos | bad photos of the rule
-> threshold), from `bench/photo_checks.py --verbose`:

    sharpness            75 .. 111         | 5 .. 19 (blur)         -> 35
    glasses bridge       0.31 .. 0.48      | 1.66 .. 5.6            -> 1.0
    head turn            |x| <= 0.019      | 0.069 .. 0.137         -> 0.05
    eye tilt (degrees)   <= 3.9            | 13.4                   -> 7
    face width           0.41 .. 0.57      | <= 0.28, >= 0.77       -> 0.34 / 0.66
    face centre x        0.469 .. 0.532    | 0.33, 0.68             -> +-0.09
    face centre y        0.378 .. 0.452    | 0.68                   -> 0.28 .. 0.58
    background light     >= 189            | <= 93                  -> 150
    background std       <= 11             | >= 20.6 (busy)         -> 18   (tightest margin)
    background sides     <= 18             | >= 46                  -> 38
    face half difference <= 0.14           | >= 0.55                -> 0.22
    face blown out       <= 0.02           | >= 0.54                -> 0.04

Measures are scale-free where they can be: sizes are fractions of the image or of
the face box, brightness is on the 0..255 luminance scale, sharpness is measured on
the face resized to a fixed size so that it does not depend on the resolution.
"""

# --- file ------------------------------------------------------------------
MAX_BYTES = 10 * 1024 * 1024
#: The photo is analysed on a copy whose longest side is at most this (speed).
ANALYSIS_MAX_SIDE = 800

# --- resolution ------------------------------------------------------------
#: The card prints the photo about 25 x 32 mm at 300 dpi: at least 300 px on the
#: short side and 375 px on the long side.
MIN_SHORT_SIDE = 300
MIN_LONG_SIDE = 375

# --- faces (OpenCV Haar cascades shipped in opencv-python-headless) ----------
FACE_SCALE_FACTOR = 1.1
FACE_MIN_NEIGHBOURS = 6
#: The second detector (alt2 cascade), tried only when the first finds no face.
FACE_FALLBACK_NEIGHBOURS = 3
#: Faces smaller than this fraction of the image's short side are not counted
#: (a face on a poster far behind is not a "second face").
FACE_MIN_FRACTION = 0.12
#: In-plane angles tried when no upright face is found: a face found only when the
#: image is turned means the photo is rotated (not frontal), not that it has no face.
ROTATION_PROBES = (-90, 90, 180, -30, 30)

# --- framing ---------------------------------------------------------------
#: Face box width / image width (the Haar box covers brows to chin, about 80 %
#: of the head's width). ICAO 9303 asks for a head of 50-75 % of the width.
FACE_WIDTH_MIN = 0.34
FACE_WIDTH_MAX = 0.66
#: The face box must not come closer to the image edge than this (x face width).
FACE_EDGE_MARGIN = 0.15
#: Horizontal offset of the face centre from the image centre (x image width).
CENTRE_MAX_X_OFFSET = 0.09
#: Vertical position of the face centre (x image height): eyes in the upper half.
CENTRE_Y_MIN = 0.28
CENTRE_Y_MAX = 0.58

# --- eyes and pose ---------------------------------------------------------
EYE_SCALE_FACTOR = 1.05
EYE_MIN_NEIGHBOURS = 5
#: Tilt of the line through the eyes (degrees) above which the head is not level.
MAX_EYE_TILT_DEG = 7.0
#: Midpoint of the eyes away from the face box centre (x face width): head turned.
MAX_EYE_MIDPOINT_OFFSET = 0.08
#: The eyes' midpoint away from the middle of the head's outline at eye height
#: (x head width): the head is turned to one side.
MAX_HEAD_TURN = 0.05
#: A pixel belongs to the head when it differs this much from the background.
HEAD_OUTLINE_DIFF = 40
#: Neighbours for the eyeglasses cascade when a face is inferred from an eye pair.
EYE_PAIR_NEIGHBOURS = 4
#: Ratio of the two eyes' distance to the face box width: a head turned away
#: shows the eyes closer together.
MIN_EYE_DISTANCE = 0.30

# --- glasses ---------------------------------------------------------------
#: Strength of a horizontal edge across the bridge of the nose at eye height
#: (the bridge of a pair of glasses), relative to the face's contrast.
GLASSES_BRIDGE_MIN = 1.0

# --- background ------------------------------------------------------------
#: Mean luminance of the background beside and above the head.
BACKGROUND_MIN_LIGHT = 150
#: Standard deviation of the background's luminance (busy or patterned).
BACKGROUND_MAX_STD = 18.0
#: Share of edge pixels (Canny) in the background (busy: things behind the person).
BACKGROUND_MAX_EDGES = 0.02
#: Difference of mean luminance between the left and right sides, or between the
#: top and the bottom of the background (a strong shadow or a light from one side).
BACKGROUND_MAX_SIDE_DIFF = 38.0

# --- light on the face -----------------------------------------------------
#: Difference of mean luminance between the left and right half of the face,
#: relative to the face's mean (a shadow over half the face).
FACE_MAX_SIDE_DIFF = 0.22
#: Mean luminance of the face below this: too dark.
FACE_MIN_LIGHT = 70
#: Share of the face's pixels that are blown out (>= FACE_CLIP_LEVEL).
FACE_CLIP_LEVEL = 250
FACE_MAX_CLIPPED = 0.04

# --- sharpness -------------------------------------------------------------
#: The face is resized to SHARPNESS_FACE_SIZE square before the variance of the
#: Laplacian is measured, so the figure does not depend on the resolution.
SHARPNESS_FACE_SIZE = 160
MIN_SHARPNESS = 35.0

# --- ID documents ----------------------------------------------------------
#: Names are compared after transliteration to the MRZ alphabet; this share of the
#: register name's letters must agree (OCR may drop a filler or two).
NAME_MIN_SIMILARITY = 0.85
