"""The pixel optimiser's two descriptions of style (Gram, mean/std) and its AdaIN content target."""

import contextlib
import io

import numpy as np
import pytest

from stylegan_edu import pixel_optimisation as po
from stylegan_edu.features import vgg16_extractor
from stylegan_edu.losses import MixedLossWeights

LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1"]


@pytest.fixture(scope="module")
def vgg():
    with contextlib.redirect_stdout(io.StringIO()):  # the random-weights notice
        return vgg16_extractor(LAYERS, vgg_weights=None, seed=3)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    content = rng.uniform(0, 1, (40, 48, 3)).astype("float32")  # (H, W, 3)
    yy, xx = np.mgrid[0:40, 0:48] / 8.0
    style = np.stack([0.5 + 0.4 * np.sin(xx + yy), 0.5 + 0.3 * np.cos(2 * xx), 0.3 + 0.2 * np.sin(3 * yy)], -1)
    return content, style.astype("float32")


def _config(**kw):
    base = dict(content_layers=("block3_conv1",), style_layers=("block1_conv1", "block2_conv1"), size=None,
                steps=5, vgg_weights=None)
    return po.StyleTransferConfig(**{**base, **kw})


def _numpy_stats(f):  # (1, h, w, c) -> (c,), (c,): population mean and std
    f = np.asarray(f, np.float64)[0]
    return f.mean(axis=(0, 1)), f.std(axis=(0, 1))


def test_mean_std_style_part_is_the_relative_error_of_the_statistics(vgg, images):
    content, style = images
    optimiser = po.PixelOptimiser(content, style, _config(style_statistic="mean_std"), extractor=vgg)
    got = optimiser.measure(content)["style"]["raw"]
    fc, fs = vgg(content[None]), vgg(style[None])
    per_layer = []
    for layer in ("block1_conv1", "block2_conv1"):
        (mc, sc), (ms, ss) = _numpy_stats(fc[layer]), _numpy_stats(fs[layer])
        per_layer.append(np.sum((mc - ms) ** 2 + (sc - ss) ** 2) / np.sum(ms**2 + ss**2))
    assert got == pytest.approx(np.mean(per_layer), rel=1e-3)


def test_gram_style_part_is_unchanged_by_the_new_settings(vgg, images):
    content, style = images
    gram = po.PixelOptimiser(content, style, _config(), extractor=vgg).measure(content)["style"]["raw"]
    fc, fs = vgg(content[None]), vgg(style[None])

    def g(f):
        f = np.asarray(f, np.float64)[0].reshape(-1, f.shape[-1])
        return f.T @ f / len(f)

    want = np.mean([np.mean((g(fc[l]) - g(fs[l])) ** 2) / np.mean(g(fs[l]) ** 2) for l in ("block1_conv1", "block2_conv1")])
    assert gram == pytest.approx(want, rel=1e-3)


def test_the_style_image_itself_has_zero_mean_std_loss(vgg, images):
    _, style = images
    optimiser = po.PixelOptimiser(style, style, _config(style_statistic="mean_std"), extractor=vgg)
    assert optimiser.measure(style)["style"]["raw"] < 1e-6  # float32 and epsilon; a real mismatch is ~0.1


def test_adain_content_target_matches_a_numpy_adain(vgg, images):
    content, style = images
    P, A = po.feature_targets(vgg, content, style, ["block3_conv1"], ["block1_conv1"], "mean_std", "adain")
    (mc, sc), (ms, ss) = _numpy_stats(vgg(content[None])["block3_conv1"]), _numpy_stats(vgg(style[None])["block3_conv1"])
    f = np.asarray(vgg(content[None])["block3_conv1"], np.float64)
    want = (f - mc) / np.sqrt(sc**2 + 1e-5) * np.sqrt(ss**2 + 1e-5) + ms
    np.testing.assert_allclose(P["block3_conv1"], want, rtol=1e-3, atol=1e-3 * np.abs(want).max())
    m, s = _numpy_stats(vgg(style[None])["block1_conv1"])
    np.testing.assert_allclose(A["block1_conv1"][0, 0], m, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(A["block1_conv1"][0, 1], np.sqrt(s**2 + 1e-5), rtol=1e-4, atol=1e-5)


def test_adain_target_moves_the_start_away_from_the_content(vgg, images):
    content, style = images
    plain = po.PixelOptimiser(content, style, _config(), extractor=vgg)
    adain = po.PixelOptimiser(content, style, _config(content_target="adain"), extractor=vgg)
    assert plain.measure(content)["content"]["raw"] == 0.0
    assert adain.measure(content)["content"]["raw"] > 1e-3  # the target has the style's statistics


def test_mean_std_optimisation_lowers_its_loss(vgg, images):
    content, style = images
    optimiser = po.PixelOptimiser(content, style, _config(style_statistic="mean_std", steps=15), extractor=vgg)
    history = optimiser.run(weights=MixedLossWeights(content=0.0, style=1.0, tv=0.0), learning_rate=0.05).history
    assert history["style"][-1] < 0.7 * history["style"][0]


@pytest.mark.parametrize("field,value,expected", [("style_statistic", "gramm", "'gram', 'mean_std'"),
                                                  ("style_statistic", None, "'gram', 'mean_std'"),
                                                  ("content_target", "style", "'features', 'adain'")])
def test_bad_settings_are_rejected(field, value, expected):
    with pytest.raises(ValueError, match=f"argument `{field}`.*{expected}"):
        po.StyleTransferConfig(**{field: value})
    with pytest.raises(ValueError, match=f"argument `{field}`"):
        po.feature_targets(None, None, None, [], [], **{field: value})
