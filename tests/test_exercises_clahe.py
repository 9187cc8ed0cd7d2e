"""Chapter 11's exercises: each checker accepts the reference and rejects typical mistakes."""

import numpy as np
import pytest

from stylegan_edu import clahe as C
from stylegan_edu.exercises import Outcome
from stylegan_edu.exercises import clahe as ex
from stylegan_edu.metrics import ssim


@pytest.mark.parametrize("problem", ex.PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check().outcome is Outcome.NOT_ATTEMPTED


def test_clipped_histogram_reference_is_the_package_function():
    np.testing.assert_allclose(ex.clipped_histogram.reference, C.clip_histogram(ex.HIST, ex.CLIP))


@pytest.mark.parametrize("answer, message", [
    ([1, 4, 0, 4], "did not redistribute"),
    ([1 + 7 / 2, 4, 7 / 2, 4], "only to the bins that were not clipped"),
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


def test_tile_clip_reference_matches_skimage():
    """Independent: skimage's own kernel for the cat photo's 64-pixel tiles, and its clim = int(c n)."""
    from skimage.exposure import equalize_adapthist  # noqa: F401  (the formula below is its _clahe's)

    h, w = ex.TILE_PHOTO_SHAPE
    rows, cols = max(1, round(h / 64)), max(1, round(w / 64))
    assert C.load_photos(["cat"])["cat"].shape == ex.TILE_PHOTO_SHAPE
    assert ex.tile_clip.reference == int(np.clip(ex.TILE_CLIP * (h // rows) * (w // cols), 1, None)) == 38


@pytest.mark.parametrize("answer, message", [
    (40, "64 x 64 tile"), (38.4, "whole pixels"), (1353, "whole photo"), (12, "not it"), ("many", "one number"),
])
def test_tile_clip_rejects(answer, message):
    r = ex.tile_clip.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message, r.message


def test_opencv_clip_reference_matches_the_package():
    assert ex.opencv_clip.reference == pytest.approx(C.opencv_clip_limit(0.02))


@pytest.mark.parametrize("answer, message", [(0.02, "not normalised"), (0.02 / 256, "other way round"), (3, "not it")])
def test_opencv_clip_rejects(answer, message):
    r = ex.opencv_clip.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message


def test_tone_grid_pixel_reference_matches_the_package_layout():
    from stylegan_edu.clahe.tone_grid import tile_layout

    lay = tile_layout((64, 4 * ex.GRID_TILE))  # one row of four 64-pixel tiles
    idx, wts = lay["index"][1][:, ex.GRID_X], lay["weight"][1][:, ex.GRID_X]
    value = sum(w * ex.GRID_CURVES[i] for i, w in zip(idx, wts))
    assert ex.tone_grid_pixel.reference == pytest.approx(value, abs=1e-4)


@pytest.mark.parametrize("answer, message", [
    (0.4, "tile's edge"), (0.7, "nearest tile"), (0.5, "plain average"), (0.9, "not it"), ("half", "one number"),
])
def test_tone_grid_pixel_rejects(answer, message):
    r = ex.tone_grid_pixel.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message, r.message


def test_curve_rule_reference_is_the_chapters_clipping_then_a_running_sum():
    h = np.array([10, 0, 3, 7, 22, 2, 0, 4])
    want = np.cumsum(C.clip_histogram(h, 8)) / h.sum()  # the package's clipping, taught in the chapter
    np.testing.assert_allclose(ex.curve_rule.reference(h, 8), want)
    assert ex.curve_rule.reference(h, 8)[-1] == pytest.approx(1.0)


def _no_spread(h, beta):
    h = np.asarray(h, float)
    return np.cumsum(np.minimum(h, beta)) / h.sum()


def _ahe(h, beta):
    h = np.asarray(h, float)
    return np.cumsum(h) / h.sum()


def _exclusive(h, beta):
    full = ex.curve_rule.reference(h, beta)
    return np.concatenate([[0.0], full[:-1]])


def _unnormalised(h, beta):
    return ex.curve_rule.reference(h, beta) * np.sum(h)


@pytest.mark.parametrize("answer, message", [
    (_no_spread, "not 1"), (_ahe, "plain equalisation"), (_exclusive, "off by one"), (_unnormalised, "wrong scale"),
    (lambda h, b: np.zeros(3), "one value per bin"), (lambda h, b: 1 / 0, "ZeroDivisionError"),
    (lambda h, b: np.linspace(0, 1, len(h)), "differs from CLAHE's"), ("f", "pass your function"),
])
def test_curve_rule_rejects(answer, message):
    r = ex.curve_rule.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message, r.message
