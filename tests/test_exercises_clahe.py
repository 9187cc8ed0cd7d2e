"""Chapter 11's exercises: each checker accepts the reference and rejects typical mistakes."""

import numpy as np
import pytest

from stylegan_edu import clahe as C
from stylegan_edu.exercises import Outcome
from stylegan_edu.exercises import clahe as ex
from stylegan_edu.metrics import ssim
from stylegan_edu.models import unet_valid_size


@pytest.mark.parametrize("problem", ex.PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check().outcome is Outcome.NOT_ATTEMPTED


def test_clipped_histogram_reference_is_the_package_function():
    np.testing.assert_allclose(ex.clipped_histogram.reference, C.clip_histogram(ex.HIST, ex.CLIP))


@pytest.mark.parametrize("answer, message", [
    ([5, 2, 0, 4], "did not redistribute"),
    ([5, 2 + 5 / 3, 5 / 3, 4 + 5 / 3], "only to the bins that were not clipped"),
    ([1, 2, 3], "4 bins"),
    ("many", "list of numbers"),
])
def test_clipped_histogram_rejects(answer, message):
    r = ex.clipped_histogram.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message


def test_cannot_undo_reference_is_what_the_measurement_says():
    photos = C.load_photos(C.EVAL_IMAGES, max_side=256)
    means = {}
    for kind in C.DEGRADATIONS:
        scores = []
        for img in photos.values():
            deg = (np.round(C.low_contrast(img, kind, ex.UNDO_STRENGTH, seed=0) * 255) / 255).astype("float32")
            scores.append(ssim(C.clahe_target(img), C.clahe_target(deg), data_range=1.0))
        means[kind] = np.mean(scores)
    assert min(means, key=means.get) == ex.cannot_undo.reference


@pytest.mark.parametrize("answer, message", [
    ("compress", "stretches"), ("illumination", "made for"), ("haze", "affine"), ("blur", "answer one of"),
])
def test_cannot_undo_rejects(answer, message):
    r = ex.cannot_undo.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message


def test_unet_size_reference_matches_the_package():
    assert ex.unet_size.reference == unet_valid_size(ex.UNET_IN, ex.UNET_DEPTH)


@pytest.mark.parametrize("answer, message", [
    (100, "13"), (128, "not the smallest"), (96, "cropping"), (110, "not a multiple"), ("big", "one integer"),
])
def test_unet_size_rejects(answer, message):
    r = ex.unet_size.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message


def test_opencv_clip_reference_matches_the_package():
    assert ex.opencv_clip.reference == pytest.approx(C.opencv_clip_limit(0.02))


@pytest.mark.parametrize("answer, message", [(0.02, "not normalised"), (0.02 / 256, "other way round"), (3, "not it")])
def test_opencv_clip_rejects(answer, message):
    r = ex.opencv_clip.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message


def test_tone_curve_reference_is_the_package_layer():
    from stylegan_edu.models import ApplyToneCurve, IntensityBins

    x = np.full((1, 1, 1, 1), ex.CURVE_X, "float32")
    logits = np.asarray(ex.CURVE_LOGITS, "float32").reshape(1, 1, 1, -1)
    y = float(np.asarray(ApplyToneCurve()([IntensityBins(len(ex.CURVE_LOGITS) + 1)(x), logits]))[0, 0, 0, 0])
    assert ex.tone_curve.reference == pytest.approx(y, abs=1e-4)


_P = np.exp(ex.CURVE_LOGITS) / np.exp(ex.CURVE_LOGITS).sum()  # the rises p_1, p_2, p_3


@pytest.mark.parametrize("answer, message", [
    (0.5 * (_P[0] + _P[1]), "rises themselves"),
    (_P[0], "interpolate linearly"),
    (_P[0] + _P[1], "interpolate linearly"),
    (1.7, "outside [0, 1]"),
    ("half", "one number"),
])
def test_tone_curve_rejects(answer, message):
    r = ex.tone_curve.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message
