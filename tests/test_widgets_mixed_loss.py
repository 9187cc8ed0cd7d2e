"""The mixed-loss panel and the engine it views, in chapter 7's units: driven programmatically, on a shallow random VGG16."""

import numpy as np
import pytest

from stylegan_edu.losses import MixedLossWeights
from stylegan_edu.pixel_optimisation import PixelOptimiser, StyleTransferConfig
from stylegan_edu.widgets import mixed_loss_panel

LAYERS = dict(content_layers=["block2_conv1"], style_layers=["block1_conv1", "block2_conv1"])
#: Chapter 7's units: the article's raw sums and weights, the images as they come.
RAW = StyleTransferConfig(weights=MixedLossWeights(), normalise=False, size=None, steps=3, **LAYERS)


@pytest.fixture(scope="module")
def vgg():
    from stylegan_edu.features import vgg16_extractor

    return vgg16_extractor(["block1_conv1", "block2_conv1"], vgg_weights=None)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    content = np.clip(np.linspace(0, 1, 32)[None, :, None] + 0.1 * rng.normal(size=(32, 32, 3)), 0, 1).astype("float32")
    style = rng.uniform(size=(40, 40, 3)).astype("float32")
    return content, style


def _optimiser(images, vgg, **settings):
    return PixelOptimiser(*images, RAW.replace(**settings), extractor=vgg)


def test_panel_redraws_when_a_slider_moves_and_on_run(vgg, images):
    panel = mixed_loss_panel(_optimiser(images, vgg), steps=3)
    first_png, first = panel.image.value, panel.array.copy()
    assert first.shape == (32, 32, 3) and first_png
    panel.sliders["style"].value = 1e3  # auto_run: redraws synchronously
    assert panel.weights == MixedLossWeights(content=1.0, style=1e3, tv=1e-6)
    assert np.abs(panel.array - first).max() > 1e-3 and panel.image.value != first_png
    second = panel.array.copy()
    panel.run()  # same weights: the same result (Adam restarts from the content image)
    np.testing.assert_allclose(panel.array, second, atol=1e-5)
    assert "style" in panel.status.value


def test_panel_shows_the_engines_result(vgg, images):
    optimiser = _optimiser(images, vgg)
    panel = mixed_loss_panel(optimiser, steps=2, learning_rate=0.05)
    expected = optimiser.run(weights=RAW.weights, steps=2, learning_rate=0.05)
    np.testing.assert_array_equal(panel.array, expected.image)
    assert panel.history == expected.history


def test_panel_without_auto_run_waits_for_run(vgg, images):
    panel = mixed_loss_panel(_optimiser(images, vgg), steps=2, auto_run=False)
    before = panel.array.copy()
    panel.sliders["tv"].value = 1e2
    np.testing.assert_array_equal(panel.array, before)
    panel.button.click()
    assert np.abs(panel.array - before).max() > 1e-3


def test_tv_weight_smooths_and_parts_decrease(vgg, images):
    from stylegan_edu.losses import total_variation_loss

    opt = _optimiser(images, vgg)
    smooth, hist = opt.run(weights=MixedLossWeights(content=1e-8, style=1e-8, tv=1.0), steps=10, learning_rate=0.02)
    assert hist["tv"][-1] < hist["tv"][0]
    assert float(total_variation_loss(smooth)) < 0.8 * float(total_variation_loss(images[0]))
    assert smooth.min() >= 0.0 and smooth.max() <= 1.0


def test_measure_parts_matches_weights_and_self_content_is_zero(vgg, images):
    content, style = images
    w = MixedLossWeights(content=2.0, style=3.0, tv=0.5)
    m = _optimiser(images, vgg, weights=w).measure(content)
    assert m["content"]["raw"] == 0.0 and m["content"]["grad_raw"] == 0.0  # image vs itself: no signal
    for k in ("style", "tv"):
        assert m[k]["raw"] > 0 and m[k]["grad_raw"] > 0
        assert m[k]["weighted"] == pytest.approx(getattr(w, k) * m[k]["raw"])
    shifted = np.clip(content + 0.1, 0, 1)
    assert _optimiser(images, vgg).measure(shifted)["content"]["grad_raw"] > 0


@pytest.mark.parametrize(
    "kwargs,argument",
    [(dict(weights=(1, 100, 1e-6)), "weights"), (dict(steps=0), "steps"),
     (dict(weights=MixedLossWeights(tv=0.0)), "weights.tv"), (dict(content_layers=["block5_conv3"]), "extractor"),
     (dict(normalise=True), "normalise")],
)
def test_panel_bad_input(vgg, images, kwargs, argument):
    with pytest.raises(ValueError, match=f"Invalid value for argument `{argument}`"):
        layers = {k: kwargs.pop(k) for k in list(kwargs) if k.endswith("_layers")}
        mixed_loss_panel(_optimiser(images, vgg, **layers), **kwargs)


def test_bad_images(vgg, images):
    with pytest.raises(ValueError, match="Invalid value for argument `content`.*in \\[0, 1\\]"):
        PixelOptimiser(images[0] * 255, images[1], RAW, extractor=vgg)
    with pytest.raises(ValueError, match="Invalid value for argument `style`.*\\(H, W, 3\\) RGB"):
        PixelOptimiser(images[0], images[1][None], RAW, extractor=vgg)
    with pytest.raises(ValueError, match="Invalid value for argument `optimiser`"):
        mixed_loss_panel(RAW)
