"""`enhance`: any size, grey or RGB, padding and tiling; the shipped generators."""

import keras
import numpy as np
import pytest

from stylegan_edu import clahe as C
from stylegan_edu.metrics import ssim


def _pointwise():
    """A model whose output is a known pixel-wise function (1 - x): tiling must not change it."""
    inp = keras.Input((None, None, 1))
    return keras.Model(inp, keras.layers.Rescaling(-1.0, offset=1.0)(inp))


@pytest.mark.parametrize("shape", [(37, 51), (16, 16), (101, 77, 1), (45, 33, 3)])
def test_enhance_returns_the_same_shape_and_dtype(shape):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, shape).astype(np.uint8)
    out = C.enhance(img, model=_pointwise())
    assert out.shape == img.shape and out.dtype == np.uint8
    if len(shape) == 2:
        np.testing.assert_array_equal(out, 255 - img)


def test_tiled_and_whole_give_the_same_result_for_a_pointwise_model():
    x = np.random.default_rng(1).uniform(size=(150, 97))
    whole = C.enhance(x, model=_pointwise(), tile=160)
    tiled = C.enhance(x, model=_pointwise(), tile=64, overlap=8, batch_size=3)
    np.testing.assert_allclose(tiled, 1 - x, atol=1e-6)
    np.testing.assert_allclose(whole, 1 - x, atol=1e-6)


def test_border_pixels_get_reflected_context_like_clahe():
    """A 5 x 5 box filter run through enhance equals scipy's filter with mirror (reflect) borders."""
    from scipy.ndimage import uniform_filter

    inp = keras.Input((None, None, 1))
    model = keras.Model(inp, keras.layers.AveragePooling2D(5, strides=1, padding="same")(inp))
    x = np.random.default_rng(3).uniform(size=(37, 50))
    np.testing.assert_allclose(C.enhance(x, model=model, stride=4), uniform_filter(x, 5, mode="mirror"), atol=1e-6)
    tiled = C.enhance(x, model=model, stride=4, tile=16, overlap=4)  # windows: the same, stitched
    np.testing.assert_allclose(tiled, uniform_filter(x, 5, mode="mirror"), atol=1e-6)


def test_enhance_rgb_changes_only_luminance():
    rgb = np.random.default_rng(2).uniform(0.3, 0.7, (40, 40, 3))
    out = C.enhance(rgb, model=_pointwise())
    y, y2 = C.to_luminance(rgb), C.to_luminance(out)
    np.testing.assert_allclose(y2, 1 - y, atol=1e-6)
    np.testing.assert_allclose(out[..., 0] - y2, rgb[..., 0] - y, atol=1e-6)


@pytest.mark.parametrize("image, kwargs, match", [
    (np.zeros((10, 40)), {}, "at least 16 x 16"),
    (np.zeros((40, 40, 4)), {}, "grey image"),
    (np.zeros((2, 40, 40, 1)), {}, "grey image"),
    (np.zeros((40, 40)), {"tile": 40}, "multiple of the model's stride"),
    (np.zeros((40, 40)), {"overlap": 16, "tile": 32}, "overlap"),
    (np.zeros((40, 40)), {"stride": 0}, "stride"),
    (np.zeros((20, 40)), {"stride": 32, "tile": 64, "overlap": 8}, "at least 32 x 32"),
    (np.zeros((20, 40)), {"stride": 32, "tile": 64}, "overlap"),  # the default overlap, 32, leaves no window
])
def test_enhance_rejects_bad_input(image, kwargs, match):
    with pytest.raises(ValueError, match=match):
        C.enhance(image, model=_pointwise(), **kwargs)


def test_the_stride_defaults_to_16_for_other_generators():
    """The stride only concerns generators that are not tone grids (a U-Net); the shipped ones have none."""
    assert not hasattr(C.GENERATOR_CONFIG, "stride")
    x = np.random.default_rng(5).uniform(size=(20, 20))
    np.testing.assert_allclose(C.enhance(x, model=_pointwise()), C.enhance(x, model=_pointwise(), stride=16))


def test_shipped_generators_load_offline_and_enhance_any_size():
    from stylegan_edu import pretrained

    info = pretrained.clahe_generator_info()
    assert set(info["runs"]) == {f"{v}_seed{s}" for v in C.VARIANTS for s in C.SEEDS}
    moon = C.load_photos(["moon"])["moon"]  # (512, 512), as the training script evaluated it
    runs = [(v, s) for v in C.VARIANTS for s in C.SEEDS]
    for variant, seed in runs:
        g = pretrained.clahe_generator(variant, seed=seed)
        assert isinstance(g, C.ToneGridEnhancer) and g.config == C.generator_config_for(variant)
        out = C.enhance(moon, model=g)
        assert out.shape == moon.shape and out.dtype == moon.dtype and 0.0 <= out.min() and out.max() <= 1.0
    odd = C.enhance(moon[:-3, :-5], model=pretrained.clahe_generator())  # odd size in, same size out
    assert odd.shape == (509, 507) and 0.0 <= odd.min() and odd.max() <= 1.0


def test_the_shipped_gan_beats_identity_and_reproduces_its_recorded_metrics():
    from stylegan_edu import pretrained
    from stylegan_edu.metrics import psnr

    moon = C.load_photos(["moon"])["moon"]
    target = C.clahe_target(moon)
    out = C.enhance(moon, model=pretrained.clahe_generator("gan", seed=0))
    got = psnr(target, out, data_range=1.0)
    assert got > psnr(target, moon, data_range=1.0)  # better than doing nothing
    recorded = next(r for r in pretrained.clahe_generator_info()["metrics"]["clean"]
                    if r["method"] == C.METHOD_NAMES["gan"] and r["image"] == "moon" and r["seed"] == 0)
    assert got == pytest.approx(recorded["psnr"], abs=0.05)
    assert ssim(target, out, data_range=1.0) == pytest.approx(recorded["ssim"], abs=2e-3)


@pytest.mark.parametrize("variant", ["l1", "gan", "gan_perceptual"])
def test_every_seed_of_the_ablation_learned_more_than_a_stretch(variant):
    """Each shipped run of the CLAHE task beats doing nothing on the moon (a dead curve network, a fixed ramp, does not)."""
    from stylegan_edu import pretrained
    from stylegan_edu.metrics import psnr

    moon = C.load_photos(["moon"])["moon"]
    target = C.clahe_target(moon)
    floor = psnr(target, moon, data_range=1.0)
    got = {seed: psnr(target, C.enhance(moon, model=pretrained.clahe_generator(variant, seed=seed)), data_range=1.0)
           for seed in C.SEEDS}
    assert min(got.values()) > floor, (floor, got)
