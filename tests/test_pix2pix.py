"""The U-Net generator, the PatchGAN discriminator and the conditional GAN on the two-player trainer."""

import keras
import numpy as np
import pytest

from stylegan_edu.conditional import L1_ONLY, ConditionalGAN, ConditionalLossConfig, make_perceptual_extractor
from stylegan_edu.models import (
    ApplyToneCurve,
    IntensityBins,
    PatchGANConfig,
    UNetConfig,
    make_patchgan_discriminator,
    make_unet_generator,
    unet_valid_size,
)
from stylegan_edu.training import AdversarialTrainer, TrainConfig

TINY = UNetConfig(base_filters=4, depth=3, max_filters=16)


@pytest.mark.parametrize("shape", [(1, 8, 8, 1), (2, 64, 48, 1), (1, 40, 120, 3)])
@pytest.mark.parametrize("residual", [True, False])
def test_unet_output_shape_equals_input_shape(shape, residual):
    g = make_unet_generator(UNetConfig(channels=shape[-1], base_filters=4, depth=3, residual=residual))
    x = np.random.default_rng(0).uniform(size=shape).astype("float32")
    y = np.asarray(g(x))
    assert y.shape == shape
    assert 0.0 <= y.min() and y.max() <= 1.0
    assert UNetConfig(depth=3).stride == 8  # H, W multiples of it (a config property, not a model attribute)


def test_residual_unet_starts_as_the_identity():
    g = make_unet_generator(TINY)
    x = np.random.default_rng(1).uniform(size=(2, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(g(x)), x, atol=1e-6)


def test_unet_skip_connections_and_depth_show_in_the_layers():
    g = make_unet_generator(TINY)
    names = [layer.name for layer in g.layers]
    assert [n for n in names if n.startswith("skip")] == ["skip2", "skip1", "skip0"]
    assert sum(n.startswith("down") for n in names) == 3


def test_unet_valid_size_matches_what_the_model_accepts():
    assert [unet_valid_size(n, 3) for n in (1, 8, 9, 100)] == [8, 8, 16, 104]
    g = make_unet_generator(TINY)
    assert g(np.zeros((1, 104, 104, 1), "float32")).shape == (1, 104, 104, 1)
    with pytest.raises(Exception):  # 100 -> 50 -> 25 -> 13 -> up 26 != 25: the skip concatenation fails
        g(np.zeros((1, 100, 100, 1), "float32"))


CURVE = UNetConfig(base_filters=4, depth=3, max_filters=16, tone_curve_knots=9, histogram_window=16)


def test_intensity_bins_are_linear_interpolation_weights():
    x = np.random.default_rng(2).uniform(size=(2, 5, 7, 1)).astype("float32")
    m = np.asarray(IntensityBins(9)(x))  # (2, 5, 7, 9)
    assert m.shape == (2, 5, 7, 9) and m.min() >= 0.0
    np.testing.assert_allclose(m.sum(-1), 1.0, atol=1e-6)  # a partition of unity
    knots = np.linspace(0.0, 1.0, 9)
    np.testing.assert_allclose((m * knots).sum(-1), x[..., 0], atol=1e-6)  # they reproduce x itself


def test_tone_curve_equals_numpy_interp_of_the_cumulative_softmax():
    rng = np.random.default_rng(3)
    K = 7
    x = rng.uniform(size=(1, 4, 6, 1)).astype("float32")
    logits = rng.normal(size=(1, 4, 6, K - 1)).astype("float32") * 2
    y = np.asarray(ApplyToneCurve()([IntensityBins(K)(x), logits]))[..., 0]  # (1, 4, 6)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    rises = e / e.sum(-1, keepdims=True)  # (1, 4, 6, K - 1)
    curves = np.concatenate([np.zeros((1, 4, 6, 1)), np.cumsum(rises, -1)], -1)  # (1, 4, 6, K): 0 ... 1
    knots = np.linspace(0.0, 1.0, K)
    expected = np.array([[[np.interp(x[0, i, j, 0], knots, curves[0, i, j]) for j in range(6)] for i in range(4)]])
    np.testing.assert_allclose(y, expected, atol=1e-6)
    assert np.all(np.diff(curves, axis=-1) > 0) and np.allclose(curves[..., -1], 1.0)
    ends = np.asarray(ApplyToneCurve()([IntensityBins(K)(np.array([0.0, 1.0], "float32").reshape(1, 1, 2, 1)),
                                        logits[:, :1, :2]]))
    np.testing.assert_allclose(ends[0, 0, :, 0], [0.0, 1.0], atol=1e-6)  # black stays black, white stays white


def test_tone_curve_unet_shapes_start_and_monotonicity():
    g = make_unet_generator(CURVE)
    names = [layer.name for layer in g.layers]
    assert {"intensity_bins", "local_histograms", "curve_logits", "apply_tone_curve"} <= set(names)
    x = np.random.default_rng(4).uniform(size=(2, 24, 40, 1)).astype("float32")
    y = np.asarray(g(x))
    assert y.shape == x.shape
    np.testing.assert_allclose(y, x, atol=1e-6)  # zero logits: equal rises, the identity
    assert CURVE.stride == 8


def test_local_histograms_are_window_histograms():
    g = make_unet_generator(CURVE)
    rng = np.random.default_rng(6)
    x = rng.uniform(size=(1, 64, 64, 1)).astype("float32")
    sub = keras.Model(g.input, g.get_layer("local_histograms").output)
    h = np.asarray(sub(x))  # (1, 8, 8, 9): stride 8, window 16
    assert h.shape == (1, 8, 8, 9)
    np.testing.assert_allclose(h.sum(-1), 1.0, atol=1e-5)  # normalised histograms
    # 'same' pooling, window 16, stride 8 on 64 pixels pads 4 on each side: cell (i, j) covers rows
    # 8 i - 4 ... 8 i + 11 and the same columns; an interior cell is the window's mean of the hat functions
    window = x[0, 4:20, 12:28, 0]  # cell (1, 2)
    hats = np.maximum(0.0, 1.0 - np.abs(8 * window[..., None] - np.arange(9)))  # (16, 16, 9), numpy reference
    np.testing.assert_allclose(h[0, 1, 2], hats.mean((0, 1)), atol=1e-6)


def test_patchgan_output_grid():
    d = make_patchgan_discriminator(PatchGANConfig(base_filters=4, n_down=3))
    x = np.zeros((2, 64, 32, 1), "float32")
    assert tuple(d([x, x]).shape) == (2, 8, 4, 1)


@pytest.mark.parametrize("cls, kwargs, match", [
    (UNetConfig, {"depth": 0}, "depth"),
    (UNetConfig, {"base_filters": 32, "max_filters": 16}, "max_filters"),
    (UNetConfig, {"output_activation": "tanh"}, "output_activation"),
    (UNetConfig, {"tone_curve_knots": 1}, "tone_curve_knots"),
    (UNetConfig, {"tone_curve_knots": -2}, "tone_curve_knots"),
    (UNetConfig, {"tone_curve_knots": 8, "channels": 3}, "tone_curve_knots"),
    (UNetConfig, {"histogram_window": 64}, "histogram_window"),
    (PatchGANConfig, {"n_down": 0}, "n_down"),
    (ConditionalLossConfig, {"l1": -1.0}, "l1"),
    (ConditionalLossConfig, {"margin": -4}, "margin"),
    (ConditionalLossConfig, {"content_layers": "block1_conv2"}, "content_layers"),
])
def test_configs_reject_bad_values(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def _gan(loss_config=L1_ONLY):
    config = UNetConfig(base_filters=4, depth=2, residual=False)
    d = make_patchgan_discriminator(PatchGANConfig(base_filters=4))
    gan = ConditionalGAN(make_unet_generator(config), d, loss_config=loss_config, size_multiple=config.stride, seed=0)
    gan.compile(TrainConfig(learning_rate=1e-3, beta_1=0.5), jit_compile=False)
    return gan


def test_conditional_gan_is_the_shared_trainer_and_learns():
    assert issubclass(ConditionalGAN, AdversarialTrainer)
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(16, 16, 16, 1)).astype("float32")
    y = 1.0 - x  # a target the identity does not reach
    gan = _gan()
    before = [w.copy() for w in gan.generator.get_weights()]
    hist = gan.fit((x, y), epochs=3, batch_size=8, verbose=0)
    after = gan.generator.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))
    l1 = hist.history["g_l1"]
    assert all(np.isfinite(v) for k in hist.history for v in hist.history[k])
    assert l1[-1] < l1[0]


def test_full_loss_has_all_parts_finite_and_weighted():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(2, 32, 32, 1)).astype("float32")
    y = rng.uniform(size=(2, 32, 32, 1)).astype("float32")
    cfg = ConditionalLossConfig()
    gan = _gan(cfg)
    assert gan.feature_extractor is not None and gan.feature_extractor.is_random
    total, logs = gan.generator_loss_on_batch((x, y))
    assert set(logs) == {"g_adv", "g_l1", "g_content", "g_style", "g_tv"}
    parts = cfg.adversarial * float(logs["g_adv"]) + cfg.l1 * float(logs["g_l1"])
    parts += sum(getattr(cfg, k) * float(logs[f"g_{k}"]) for k in ("content", "style", "tv"))  # every log is raw
    assert float(total) == pytest.approx(parts, rel=1e-5)
    assert make_perceptual_extractor(L1_ONLY) is None


@pytest.mark.parametrize("data, match", [
    (np.zeros((4, 16, 16, 1), "float32"), "tuple"),
    ((np.zeros((4, 16, 16, 1), "float32"), np.zeros((4, 8, 8, 1), "float32")), "same shape"),
    ((np.full((4, 16, 16, 1), 2.0, "float32"),) * 2, r"in \[0, 1\]"),
    ((np.zeros((4, 18, 18, 1), "float32"),) * 2, "multiples of 4"),
])
def test_conditional_gan_rejects_bad_data_before_training(data, match):
    with pytest.raises(ValueError, match=match):
        _gan().fit(data, epochs=1, batch_size=2, verbose=0)


def test_margin_leaves_the_border_out_of_every_loss_term():
    rng = np.random.default_rng(7)
    x = rng.uniform(size=(2, 48, 48, 1)).astype("float32")
    y = rng.uniform(size=(2, 48, 48, 1)).astype("float32")
    gan = _gan(ConditionalLossConfig(margin=8))
    fake = np.asarray(gan.generator(x))
    _, logs = gan.generator_loss_on_batch((x, y))
    assert float(logs["g_l1"]) == pytest.approx(np.abs(fake - y)[:, 8:-8, 8:-8].mean(), rel=1e-5)
    y2 = y.copy()
    y2[:, :8] = 1 - y2[:, :8]  # change the target only in the border band
    _, logs2 = gan.generator_loss_on_batch((x, y2))
    for k in logs:
        if k != "g_adv":  # the adversarial term depends on D only through the (unchanged) fake centre
            assert float(logs2[k]) == pytest.approx(float(logs[k]), rel=1e-5), k
    d_loss, _ = gan.discriminator_loss_on_batch((x, y))
    d_loss2, _ = gan.discriminator_loss_on_batch((x, y2))
    assert float(d_loss2) == pytest.approx(float(d_loss), rel=1e-5)
    with pytest.raises(ValueError, match="margin"):
        gan.fit((x[:, :16, :16], y[:, :16, :16]), epochs=1, batch_size=2, verbose=0)
