"""StyleGAN building blocks and style statistics, against numpy references (small shapes, fast)."""

import numpy as np
import pytest

import keras
from keras import ops

from stylegan_edu import models, style_statistics
from stylegan_edu.models import (
    AdaIN,
    ConstantInput,
    EqualizedConv2D,
    EqualizedDense,
    MappingConfig,
    MappingNetwork,
    ModulatedConv2D,
    NoiseInjection,
    PixelNorm,
)
from stylegan_edu.style_statistics import adain, channel_mean_std, instance_normalize, mean_std_style_loss


def np_(x):
    return np.asarray(ops.convert_to_numpy(x), np.float64)


def conv_same_np(x, w):
    """Reference 'same' cross-correlation in float64: x (B, H, W, C_in), w (k, k, C_in, C_out), odd k."""
    k = w.shape[0]
    p = k // 2
    xp = np.pad(x.astype(np.float64), ((0, 0), (p, p), (p, p), (0, 0)))
    h, wd = x.shape[1:3]
    out = np.zeros((x.shape[0], h, wd, w.shape[-1]))
    for dy in range(k):
        for dx in range(k):
            out += np.einsum("bhwi,io->bhwo", xp[:, dy:dy + h, dx:dx + wd], w[dy, dx].astype(np.float64))
    return out


# ---------------------------------------------------------------------------
# AdaIN and style statistics
# ---------------------------------------------------------------------------


def test_adain_layer_gives_the_target_mean_and_std():
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(3, 16, 16, 5)).astype("float32")
    scale = rng.uniform(0.5, 2.0, size=(3, 5)).astype("float32")
    bias = rng.normal(size=(3, 5)).astype("float32")
    y = np_(AdaIN()([x, scale, bias]))
    np.testing.assert_allclose(y.mean(axis=(1, 2)), bias, atol=1e-4)
    np.testing.assert_allclose(y.std(axis=(1, 2)), scale, atol=1e-4)
    # Against the formula in numpy.
    mu, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    ref = scale[:, None, None] * (x - mu) / np.sqrt(var + 1e-5) + bias[:, None, None]
    np.testing.assert_allclose(y, ref, atol=1e-4)


def test_adain_zero_variance_channel_gives_the_bias():
    x = np.zeros((1, 4, 4, 2), "float32")
    x[..., 1] = 7.0  # constant channels: variance 0
    y = np_(AdaIN()([x, np.full((1, 2), 3.0, "float32"), np.array([[1.0, -2.0]], "float32")]))
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y[0, :, :, 0], 1.0)
    np.testing.assert_allclose(y[0, :, :, 1], -2.0)


def test_adain_layer_rejects_mismatched_channels():
    x = np.zeros((2, 4, 4, 3), "float32")
    ok = np.ones((2, 3), "float32")
    layer = AdaIN()
    layer([x, ok, ok])  # built
    with pytest.raises(ValueError, match=r"Invalid value for argument `style_scale`. Expected one value per channel of `x`, shape \(B, 3\). Received: shape \(2, 4\)"):
        layer([x, np.ones((2, 4), "float32"), ok])
    with pytest.raises(ValueError, match=r"argument `style_bias`.*Received: shape \(2, 2\)"):
        AdaIN()([x, ok, np.ones((2, 2), "float32")])
    with pytest.raises(ValueError, match=r"argument `inputs`. Expected a list \[x, style_scale, style_bias\]"):
        AdaIN()([x, ok])


def test_adain_function_matches_style_statistics():
    rng = np.random.default_rng(1)
    content = rng.normal(size=(2, 12, 10, 4)).astype("float32")
    style = rng.normal(-1.0, 4.0, size=(1, 6, 7, 4)).astype("float32")  # other size, batch of 1
    out = np_(adain(content, style))
    assert out.shape == content.shape
    for b in range(2):
        np.testing.assert_allclose(out[b].mean(axis=(0, 1)), style[0].mean(axis=(0, 1)), atol=1e-4)
        np.testing.assert_allclose(out[b].std(axis=(0, 1)), style[0].std(axis=(0, 1)), rtol=1e-4)
    # The content's layout survives: out is an affine function of content per channel (correlation 1).
    assert np.corrcoef(out[0, ..., 0].ravel(), content[0, ..., 0].ravel())[0, 1] > 0.9999


def test_adain_function_errors():
    x = np.zeros((2, 4, 4, 3), "float32")
    with pytest.raises(ValueError, match=r"argument `style`. Expected a feature map with the same number of channels as `content`, 3"):
        adain(x, np.zeros((2, 4, 4, 5), "float32"))
    with pytest.raises(ValueError, match=r"argument `style`. Expected a batch of 1 or of 2"):
        adain(x, np.zeros((3, 4, 4, 3), "float32"))
    with pytest.raises(ValueError, match=r"argument `content`. Expected a feature map of shape \(B, H, W, C\)"):
        adain(x[0], x)
    with pytest.raises(ValueError, match=r"argument `style`. Expected finite values"):
        adain(x, np.full((1, 2, 2, 3), np.nan, "float32"))


def test_channel_mean_std_and_instance_norm_vs_numpy():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 6, 3)).astype("float32")
    mean, std = channel_mean_std(x, epsilon=1e-3)
    np.testing.assert_allclose(np_(mean), x.mean(axis=(1, 2)), atol=1e-6)
    np.testing.assert_allclose(np_(std), np.sqrt(x.var(axis=(1, 2)) + 1e-3), atol=1e-6)
    y = np_(instance_normalize(x, epsilon=0.0))
    np.testing.assert_allclose(y, (x - x.mean(axis=(1, 2), keepdims=True)) / x.std(axis=(1, 2), keepdims=True), atol=1e-5)
    with pytest.raises(ValueError, match=r"argument `epsilon`. Expected a float in \[0.0, inf\]"):
        channel_mean_std(x, epsilon=-1.0)


def test_mean_std_style_loss_formulas():
    rng = np.random.default_rng(3)
    F = {"a": rng.normal(size=(2, 4, 4, 3)).astype("float32"), "b": rng.normal(size=(2, 3, 3, 5)).astype("float32")}
    S = {"a": rng.normal(1.0, 2.0, size=(1, 6, 6, 3)).astype("float32"), "b": rng.normal(size=(1, 5, 5, 5)).astype("float32")}
    targets = {k: channel_mean_std(v, epsilon=0.0) for k, v in S.items()}

    def stats(a):
        return a.mean(axis=(1, 2)), a.std(axis=(1, 2))

    norm_ref, sq_ref = 0.0, 0.0
    for k in F:
        (m, s), (mt, st) = stats(F[k].astype(np.float64)), stats(S[k].astype(np.float64))
        norm_ref += 0.5 * np.mean(np.linalg.norm(m - mt, axis=-1) + np.linalg.norm(s - st, axis=-1))
        sq_ref += 0.5 * np.mean(((m - mt) ** 2 + (s - st) ** 2).mean(axis=-1))
    np.testing.assert_allclose(np_(mean_std_style_loss(F, targets, epsilon=0.0)), norm_ref, rtol=1e-5)
    np.testing.assert_allclose(np_(mean_std_style_loss(F, targets, squared=True, epsilon=0.0)), sq_ref, rtol=1e-5)
    only_a = mean_std_style_loss(F, targets, layer_weights={"a": 1.0}, epsilon=0.0)
    np.testing.assert_allclose(np_(only_a), 2 * np_(mean_std_style_loss({"a": F["a"]}, {"a": targets["a"]}, epsilon=0.0)) / 2, rtol=1e-6)


def test_mean_std_style_loss_gradient_is_finite_at_the_optimum():
    f = np.random.default_rng(4).normal(size=(1, 4, 4, 2)).astype("float32")
    target = channel_mean_std(f)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        v = tf.Variable(f)
        with tf.GradientTape() as tape:
            loss = mean_std_style_loss(v, target)
        g = tape.gradient(loss, v).numpy()
    elif backend == "jax":
        import jax

        loss = mean_std_style_loss(f, target)
        g = np.asarray(jax.grad(lambda a: mean_std_style_loss(a, target))(f))
    else:
        pytest.skip(f"no gradient check for the {backend} backend")
    assert float(loss) == 0.0 and np.isfinite(g).all()


def test_mean_std_style_loss_errors():
    F = np.zeros((1, 4, 4, 3), "float32")
    good = channel_mean_std(F)
    with pytest.raises(ValueError, match=r"argument `target_stats`. Expected a dict with the same layers"):
        mean_std_style_loss({"a": F}, {"b": good})
    with pytest.raises(ValueError, match=r"argument `target_stats\['features'\]`. Expected a pair \(mean, std\)"):
        mean_std_style_loss(F, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"Expected a mean of shape \(B or 1, 3\). Received: shape \(1, 4\)"):
        mean_std_style_loss(F, (np.zeros((1, 4)), np.ones((1, 3))))
    with pytest.raises(ValueError, match=r"argument `layer_weights`"):
        mean_std_style_loss(F, good, layer_weights={"other": 1.0})
    with pytest.raises(ValueError, match=r"argument `squared`. Expected True or False"):
        mean_std_style_loss(F, good, squared="yes")


# ---------------------------------------------------------------------------
# Equalised learning rate, pixel norm, mapping network
# ---------------------------------------------------------------------------


def test_equalized_dense_effective_weights():
    x = np.random.default_rng(5).normal(size=(4, 6)).astype("float32")
    layer = EqualizedDense(3, seed=1, bias_init=0.5)
    y = np_(layer(x))
    W, b = np_(layer.kernel), np_(layer.bias)
    assert layer.weight_scale == pytest.approx(1 / np.sqrt(6))
    np.testing.assert_allclose(np_(layer.effective_kernel), W / np.sqrt(6), rtol=1e-6)
    np.testing.assert_allclose(y, x @ (W / np.sqrt(6)) + b, atol=1e-5)
    np.testing.assert_allclose(b, 0.5)
    # Stored weights ~ N(0, 1): He's init lives in the run-time scale, not in the stored values.
    big = EqualizedDense(256, seed=0)
    big.build((None, 256))
    assert abs(np_(big.kernel).std() - 1.0) < 0.02


def test_equalized_dense_lr_multiplier_and_activation():
    x = np.random.default_rng(6).normal(size=(3, 8)).astype("float32")
    layer = EqualizedDense(5, lr_multiplier=0.01, bias_init=1.0, activation="leaky_relu", seed=2)
    y = np_(layer(x))
    W, b = np_(layer.kernel), np_(layer.bias)
    assert abs(W.std() - 100.0) < 30.0  # stored ~ N(0, 1 / lambda^2)
    np.testing.assert_allclose(b, 100.0)  # stored bias_init / lambda
    h = x @ (W * 0.01 / np.sqrt(8)) + b * 0.01
    np.testing.assert_allclose(y, np.sqrt(2) * np.where(h > 0, h, 0.2 * h), rtol=1e-4, atol=1e-5)


def test_equalized_conv_effective_weights():
    x = np.random.default_rng(7).normal(size=(2, 6, 5, 3)).astype("float32")
    layer = EqualizedConv2D(4, 3, seed=3)
    y = np_(layer(x))
    W = np_(layer.kernel)
    assert layer.fan_in == 27
    np.testing.assert_allclose(np_(layer.effective_kernel), W / np.sqrt(27), rtol=1e-6)
    np.testing.assert_allclose(y, conv_same_np(x, W / np.sqrt(27)) + np_(layer.bias), atol=1e-5)


def test_pixel_norm():
    z = np.random.default_rng(8).normal(size=(5, 7)).astype("float32") * 3
    y = np_(PixelNorm()(z))
    np.testing.assert_allclose(np.sqrt((y**2).mean(axis=-1)), 1.0, atol=1e-5)
    np.testing.assert_allclose(y, z / np.sqrt((z.astype(np.float64) ** 2).mean(-1, keepdims=True) + 1e-8), rtol=1e-5)


def test_mapping_network_against_numpy():
    cfg = MappingConfig(latent_dim=6, w_dim=5, num_layers=3, lr_multiplier=0.1, seed=0)
    net = MappingNetwork(cfg)
    z = np.random.default_rng(9).normal(size=(4, 6)).astype("float32")
    w = np_(net(z))
    h = z / np.sqrt((z.astype(np.float64) ** 2).mean(-1, keepdims=True) + 1e-8)
    for layer in net.dense_layers:
        h = h @ (np_(layer.kernel) * 0.1 / np.sqrt(h.shape[-1])) + np_(layer.bias) * 0.1
        h = np.sqrt(2) * np.where(h > 0, h, 0.2 * h)
    np.testing.assert_allclose(w, h, rtol=1e-4, atol=1e-5)
    # pixel-norm: z and 3 z map to the same w.
    np.testing.assert_allclose(np_(net(3 * z)), w, rtol=1e-4, atol=1e-5)
    assert net.count_params() == (6 * 5 + 5) + 2 * (5 * 5 + 5)
    with pytest.raises(ValueError, match=r"argument `z`. Expected latents of shape \(B, 6\)"):
        MappingNetwork(cfg)(np.zeros((2, 7), "float32"))


def test_mapping_config_is_frozen_and_validated():
    cfg = MappingConfig()
    with pytest.raises(Exception):
        cfg.w_dim = 3
    with pytest.raises(ValueError, match=r"argument `num_layers`. Expected an integer >= 1. Received: num_layers=0"):
        MappingConfig(num_layers=0)
    with pytest.raises(ValueError, match=r"argument `pixel_norm`"):
        MappingConfig(pixel_norm=1)
    with pytest.raises(ValueError, match=r"argument `config`. Expected a MappingConfig"):
        MappingNetwork("big")


def test_bad_layer_arguments():
    with pytest.raises(ValueError, match=r"argument `activation`. Expected one of 'linear', 'leaky_relu'"):
        EqualizedDense(3, activation="relu")
    with pytest.raises(ValueError, match=r"argument `lr_multiplier`"):
        EqualizedConv2D(3, 3, lr_multiplier=0.0)
    with pytest.raises(ValueError, match=r"argument `filters`"):
        ModulatedConv2D(0, 3)
    with pytest.raises(ValueError, match=r"argument `demodulate`. Expected True or False"):
        ModulatedConv2D(3, 3, demodulate="yes")
    with pytest.raises(ValueError, match=r"argument `channels`"):
        ConstantInput(0)
    with pytest.raises(ValueError, match=r"argument `seed`"):
        NoiseInjection(seed=-1)


# ---------------------------------------------------------------------------
# Modulated convolution
# ---------------------------------------------------------------------------


def literal_modulated_conv(x, style, w, demodulate, eps=1e-8):
    """StyleGAN2's definition: one modulated (and demodulated) kernel per sample, in float64."""
    out = []
    for b in range(x.shape[0]):
        wb = w.astype(np.float64) * style[b].astype(np.float64)[None, None, :, None]  # (k, k, C_in, C_out)
        if demodulate:
            wb = wb / np.sqrt((wb**2).sum(axis=(0, 1, 2), keepdims=True) + eps)
        out.append(conv_same_np(x[b:b + 1], wb)[0])
    return np.stack(out)


@pytest.mark.parametrize("demodulate", [True, False])
@pytest.mark.parametrize("kernel_size", [1, 3])
def test_modulated_conv_fast_form_equals_literal_form(demodulate, kernel_size):
    rng = np.random.default_rng(10)
    x = rng.normal(size=(3, 6, 7, 4)).astype("float32")
    style = rng.uniform(-2.0, 2.0, size=(3, 4)).astype("float32")
    layer = ModulatedConv2D(5, kernel_size, demodulate=demodulate, use_bias=False, seed=4)
    y = np_(layer([x, style]))
    ref = literal_modulated_conv(x, style, np_(layer.kernel) / np.sqrt(kernel_size**2 * 4), demodulate)
    np.testing.assert_allclose(y, ref, atol=1e-5)


def test_modulated_conv_demodulation_gives_unit_std():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(4, 34, 34, 16)).astype("float32")  # i.i.d., unit variance
    style = rng.uniform(0.2, 3.0, size=(4, 16)).astype("float32")  # any styles
    layer = ModulatedConv2D(8, 3, seed=5)  # weights from its own initialiser
    y = np_(layer([x, style]))[:, 1:-1, 1:-1]  # interior: the border sees zero padding
    per_channel = y.std(axis=(0, 1, 2))  # (C_out,)
    assert np.all(np.abs(per_channel - 1.0) < 0.05), per_channel
    # Without demodulation the scale follows the style and the weights.
    off = ModulatedConv2D(8, 3, demodulate=False, seed=5)
    y_off = np_(off([x, style]))[:, 1:-1, 1:-1]
    assert np.abs(y_off.std(axis=(0, 1, 2)) - 1.0).max() > 0.2


def test_modulated_conv_style_one_no_demodulation_is_a_plain_convolution():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(2, 5, 5, 3)).astype("float32")
    layer = ModulatedConv2D(4, 3, demodulate=False, seed=6)
    y = np_(layer([x, np.ones((2, 3), "float32")]))
    w = np_(layer.kernel) / np.sqrt(27)
    np.testing.assert_allclose(y, conv_same_np(x, w) + np_(layer.bias), atol=1e-5)
    # The same with scipy's correlation, an independent implementation.
    from scipy.signal import correlate

    ref = np.zeros_like(y)
    for b in range(2):
        for o in range(4):
            ref[b, ..., o] = sum(correlate(x[b, ..., i].astype(np.float64), w[..., i, o], mode="same") for i in range(3))
    np.testing.assert_allclose(y, ref, atol=1e-5)


def test_modulated_conv_rejects_a_style_of_the_wrong_length():
    x = np.zeros((2, 5, 5, 3), "float32")
    layer = ModulatedConv2D(4, 3)
    msg = r"Invalid value for argument `style`. Expected one scale per input channel of `x`, shape \(B, 3\). Received: shape \(2, 5\)"
    with pytest.raises(ValueError, match=msg):  # before build
        layer([x, np.ones((2, 5), "float32")])
    layer([x, np.ones((2, 3), "float32")])
    with pytest.raises(ValueError, match=msg):  # after build
        layer([x, np.ones((2, 5), "float32")])
    with pytest.raises(ValueError, match=r"argument `style`.*Received: shape \(2, 1, 3\)"):
        layer([x, np.ones((2, 1, 3), "float32")])


# ---------------------------------------------------------------------------
# Noise and constant input
# ---------------------------------------------------------------------------


def test_noise_injection():
    x = np.random.default_rng(13).normal(size=(2, 4, 4, 3)).astype("float32")
    layer = NoiseInjection(seed=0)
    np.testing.assert_array_equal(np_(layer(x)), x)  # scale initialised to 0
    layer.noise_scale.assign(np.array([1.0, 0.0, 2.0], "float32"))
    noise = np.random.default_rng(14).normal(size=(2, 4, 4, 1)).astype("float32")
    np.testing.assert_allclose(np_(layer(x, noise=noise)), x + noise * np.array([1.0, 0.0, 2.0]), atol=1e-6)
    a, b = np_(layer(x)), np_(layer(x))
    assert not np.allclose(a, b)  # fresh noise on each call
    np.testing.assert_array_equal(a[..., 1], x[..., 1])  # channel with scale 0 untouched
    np.testing.assert_allclose((a - x)[..., 2], 2 * (a - x)[..., 0], atol=1e-5)  # one noise image per sample
    # Seeded: two layers with the same seed draw the same noise.
    l1, l2 = NoiseInjection(seed=7), NoiseInjection(seed=7)
    for lay in (l1, l2):
        lay(x)
        lay.noise_scale.assign(np.ones(3, "float32"))
    np.testing.assert_array_equal(np_(l1(x)), np_(l2(x)))
    with pytest.raises(ValueError, match=r"argument `noise`. Expected one noise image per sample, shape \(B, 4, 4, 1\). Received: shape \(2, 4, 4, 3\)"):
        layer(x, noise=np.zeros((2, 4, 4, 3), "float32"))


def test_constant_input():
    const = ConstantInput(5, size=4, seed=0)
    out = np_(const(np.zeros((3, 8), "float32")))
    assert out.shape == (3, 4, 4, 5)
    np.testing.assert_array_equal(out[0], np_(const.constant))
    np.testing.assert_array_equal(out[1], out[2])
    assert np_(const(np.zeros((2, 6, 6, 1), "float32"))).shape == (2, 4, 4, 5)


# ---------------------------------------------------------------------------
# Serialisation
# ---------------------------------------------------------------------------

LAYERS = [
    lambda: EqualizedDense(3, bias_init=1.0, lr_multiplier=0.5, activation="leaky_relu", seed=1, name="eq_dense"),
    lambda: EqualizedConv2D(4, 3, seed=2, name="eq_conv"),
    lambda: PixelNorm(epsilon=1e-6),
    lambda: MappingNetwork(MappingConfig(latent_dim=4, w_dim=3, num_layers=2, seed=0)),
    lambda: AdaIN(epsilon=1e-4),
    lambda: ModulatedConv2D(4, 3, demodulate=False, epsilon=1e-7, seed=3),
    lambda: NoiseInjection(seed=5),
    lambda: ConstantInput(6, size=2, seed=4),
]


@pytest.mark.parametrize("make", LAYERS, ids=lambda f: type(f()).__name__)
def test_config_round_trip(make):
    layer = make()
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer)
    assert restored.get_config() == layer.get_config()
    assert keras.saving.get_registered_name(type(layer)) == f"stylegan_edu>{type(layer).__name__}"


def _tiny_style_model():
    z = keras.Input((4,), name="z")
    w = MappingNetwork(MappingConfig(latent_dim=4, w_dim=6, num_layers=2, seed=0), name="mapping")(z)  # (B, 6)
    x = ConstantInput(5, size=4, seed=1, name="const")(w)  # (B, 4, 4, 5)
    style = EqualizedDense(5, bias_init=1.0, seed=2, name="affine")(w)  # (B, 5)
    x = ModulatedConv2D(3, 3, seed=3, name="modconv")([x, style])  # (B, 4, 4, 3)
    x = NoiseInjection(seed=4, name="noise")(x)
    scale = EqualizedDense(3, bias_init=1.0, seed=5, name="scale")(w)  # (B, 3)
    bias = EqualizedDense(3, seed=6, name="bias")(w)  # (B, 3)
    x = AdaIN(name="adain")([x, scale, bias])
    x = EqualizedConv2D(2, 1, seed=7, name="to_rgb")(x)  # (B, 4, 4, 2)
    x = PixelNorm(name="pixel_norm")(x)
    return keras.Model(z, x)


def test_tiny_model_saves_and_loads(tmp_path):
    model = _tiny_style_model()
    for layer in model.layers:  # non-zero noise scales, so that they have to be saved too
        if isinstance(layer, NoiseInjection):
            layer.noise_scale.assign(np.full((3,), 0.5, "float32"))
    z = np.random.default_rng(15).normal(size=(2, 4)).astype("float32")
    path = tmp_path / "tiny.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    for a, b in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(np_(a), np_(b))
    # Same output up to the noise: compare with the noise layer's scale set to 0 in both.
    for m in (model, loaded):
        m.get_layer("noise").noise_scale.assign(np.zeros((3,), "float32"))
    np.testing.assert_allclose(np_(loaded(z)), np_(model(z)), atol=1e-6)


def test_exports():
    for name in ("AdaIN", "MappingNetwork", "MappingConfig", "ModulatedConv2D", "NoiseInjection", "ConstantInput",
                 "EqualizedDense", "EqualizedConv2D", "PixelNorm"):
        assert name in models.__all__ and hasattr(models, name)
    assert set(style_statistics.__all__) == {"channel_mean_std", "instance_normalize", "adain", "mean_std_style_loss"}
