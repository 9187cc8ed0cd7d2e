"""Chapter 13's models: the synthesis network, the style-based generator, the discriminator with minibatch std dev.

Checked against independent references: parameter counts from the layer
formulas, the styles that reach each layer under mixing, the minibatch
standard deviation in numpy, and Keras serialisation round trips.
"""

import keras
import numpy as np
import pytest

from stylegan_edu.models import (MappingConfig, MinibatchStdDev, StyleGANDiscriminator, StyleGANDiscriminatorConfig,
                                 StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig, SynthesisNetwork)
from stylegan_edu.stylegan import mix_styles, truncate

SMALL = StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
                                SynthesisConfig(channels=(8, 8, 4, 4), w_dim=8, seed=1))


def _z(n, dim=8, seed=0):
    return np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)


def _small_generator():
    g = StyleGANGenerator(SMALL)
    g.build()
    for layer in g.synthesis.noises:  # non-zero noise strengths, so that the noise matters in these tests
        layer.noise_scale.assign(np.full(layer.noise_scale.shape, 0.3, np.float32))
    g.w_avg.assign(np.linspace(-1, 1, 8).astype(np.float32))
    return g


def _expected_generator_params(config):
    m, s = config.mapping, config.synthesis
    mapping = m.latent_dim * m.w_dim + m.w_dim + (m.num_layers - 1) * (m.w_dim * m.w_dim + m.w_dim)
    w, ch = s.w_dim, s.channels
    total = 16 * ch[0]  # the 4x4 constant
    for i, c_out in enumerate(ch):
        c_in = ch[max(i - 1, 0)]
        convs = [(c_in, c_out)] if i == 0 else [(c_in, c_out), (c_out, c_out)]
        for a, b in convs:  # affine (w -> a, bias) + 3x3 kernel + bias + noise strength
            total += w * a + a + 9 * a * b + b + b
        total += w * c_out + c_out + c_out * s.image_channels + s.image_channels  # ToRGB: affine + 1x1 kernel + bias
    return mapping + total + w  # + the running average w-bar


def test_default_generator_parameter_count_is_pinned_and_matches_the_layer_formulas():
    g = StyleGANGenerator()
    g.build()
    assert g.count_params() == _expected_generator_params(StyleGANGeneratorConfig()) == 444_404  # <= 3 M (issue 15)
    assert g.num_ws == 8 and g.latent_dim == 64 and g.w_dim == 128
    d = StyleGANDiscriminator()
    d.build((None, 32, 32, 1))
    assert d.count_params() == 218_417
    assert tuple(d(np.zeros((4, 32, 32, 1), np.float32)).shape) == (4, 1)


def test_output_shape_range_and_skip_outputs_summed_across_resolutions():
    g = _small_generator()
    ws = g.broadcast(g.map(_z(2)))
    x, parts = g.synthesis(ws, noise="const", return_intermediates=True)
    x = np.asarray(x)
    assert x.shape == (2, 32, 32, 1) and np.abs(x).max() <= 1
    np.testing.assert_allclose(x, np.tanh(np.asarray(parts["b32_torgb"])), atol=1e-6)  # tanh of the summed images
    assert [tuple(parts[f"b{r}_torgb"].shape[1:3]) for r in (4, 8, 16, 32)] == [(4, 4), (8, 8), (16, 16), (32, 32)]
    # y_32 = up(y_16) + ToRGB_32(h_32): recompute the last to-image layer by hand.
    spec = g.synthesis.layer_specs[-1]
    rgb = np.asarray(spec["conv"]([parts["b32_conv1"], spec["affine"](ws[:, 7])]))
    up = np.asarray(keras.layers.UpSampling2D(2, interpolation="bilinear")(parts["b16_torgb"]))
    np.testing.assert_allclose(np.asarray(parts["b32_torgb"]), up + rgb, atol=1e-5)


@pytest.mark.parametrize("k", [0, 1, 3, 5, 8])
def test_mixing_with_crossover_k_uses_w1_before_k_and_w2_after(k):
    g = _small_generator()
    w1, w2 = np.asarray(g.map(_z(3, seed=1))), np.asarray(g.map(_z(3, seed=2)))
    ws = mix_styles(w1, w2, k, g.num_ws)
    styles = g.synthesis.styles(ws)
    layers = g.synthesis.style_layers()
    assert len(layers) == 11 and sorted({i for i, _, _ in layers}) == list(range(8))
    for w_index, name, _ in layers:
        affine = dict((s["name"], s["affine"]) for s in g.synthesis.layer_specs)[name]
        want = affine(w1 if w_index < k else w2)  # the style this layer must receive
        np.testing.assert_allclose(np.asarray(styles[name]), np.asarray(want), atol=1e-6, err_msg=f"{name} (w {w_index}), k={k}")
    if k == 8:  # no mixing at all: the image of w1
        np.testing.assert_allclose(np.asarray(g.synthesize(ws, noise="const")),
                                   np.asarray(g.synthesize(g.broadcast(w1), noise="const")), atol=1e-6)


def test_mixing_per_sample_crossovers_and_bad_crossovers():
    w1, w2 = np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)
    ws = np.asarray(mix_styles(w1, w2, np.array([1, 4]), num_ws=5))
    assert ws[0, :, 0].tolist() == [0, 1, 1, 1, 1] and ws[1, :, 0].tolist() == [0, 0, 0, 0, 1]
    for bad in (-1, 6, 2.5, None):
        with pytest.raises(ValueError, match="Invalid value for argument `crossover`. Expected an integer layer index in \\[0, 5\\]"):
            mix_styles(w1, w2, bad, num_ws=5)


def test_psi_zero_gives_identical_images_for_different_z():
    g = _small_generator()
    z = _z(4, seed=3)
    for noise in ("const", "none"):
        x = np.asarray(g(z, truncation_psi=0.0, noise=noise))
        assert np.abs(x - x[:1]).max() < 1e-6  # the same image, up to float rounding across the batch
        assert np.abs(np.asarray(g(z, noise=noise)) - np.asarray(g(z, noise=noise))[:1]).max() > 1e-3  # psi = 1 differs
    fixed = [np.broadcast_to(np.random.default_rng(j).normal(size=(1, r, r, 1)), (4, r, r, 1)).astype(np.float32)
             for j, (r, _) in enumerate(g.synthesis.noise_shapes())]
    x = np.asarray(g.synthesize(g.broadcast(g.map(z, truncation_psi=0.0)), noise=fixed))
    assert np.abs(x - x[:1]).max() < 1e-6
    # Truncation: w-bar + psi (w - w-bar), the generator's and the helper's agree.
    w = np.asarray(g.map(z))
    np.testing.assert_allclose(np.asarray(g.map(z, truncation_psi=0.7)), np.asarray(truncate(w, g.w_avg, 0.7)), atol=1e-6)
    np.testing.assert_allclose(np.asarray(g.map(z, truncation_psi=0.0)), np.tile(g.w_avg.numpy(), (4, 1)), atol=1e-6)


def test_noise_modes_and_given_noise():
    g = _small_generator()
    ws = g.broadcast(g.map(_z(2)))
    shapes = g.synthesis.noise_shapes()
    zeros = [np.zeros((2, r, r, 1), np.float32) for r, _ in shapes]
    np.testing.assert_array_equal(np.asarray(g.synthesize(ws, noise="none")), np.asarray(g.synthesize(ws, noise=zeros)))
    a, b = np.asarray(g.synthesize(ws)), np.asarray(g.synthesize(ws))
    assert np.abs(a - b).max() > 1e-4  # fresh noise per call
    np.testing.assert_array_equal(np.asarray(g.synthesize(ws, noise="const")), np.asarray(g.synthesize(ws, noise="const")))
    with pytest.raises(ValueError, match="Invalid value for argument `noise`. Expected one of 'random', 'const', 'none'"):
        g.synthesize(ws, noise="fixed")
    with pytest.raises(ValueError, match="a list of 7 noise images"):
        g.synthesize(ws, noise=zeros[:3])
    with pytest.raises(ValueError, match="Invalid value for argument `truncation_psi`. Expected a float in \\[0.0, 1.0\\]"):
        g(_z(2), truncation_psi=-0.5)
    with pytest.raises(ValueError, match="Invalid value for argument `ws`. Expected styles of shape \\(B, 8, 8\\)"):
        g.synthesize(np.zeros((2, 7, 8), np.float32))


def test_minibatch_stddev_against_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3, 3, 4)).astype(np.float32)
    y = np.asarray(MinibatchStdDev(group_size=2, num_channels=2)(x))
    assert y.shape == (4, 3, 3, 6)
    np.testing.assert_array_equal(y[..., :4], x)
    for b in range(4):
        group = x[[b % 2, b % 2 + 2]]  # sample b is in group b mod (B / G)
        std = np.sqrt(group.var(axis=0) + 1e-8)  # (3, 3, 4) over the group's samples
        want = [std[..., :2].mean(), std[..., 2:].mean()]  # one value per channel part
        np.testing.assert_allclose(y[b, 1, 2, 4:], want, rtol=1e-5)
    with pytest.raises(ValueError, match="a batch size divisible by group_size=4"):
        MinibatchStdDev(group_size=4)(np.zeros((6, 2, 2, 1), np.float32))


@pytest.mark.parametrize("make,message", [
    (lambda: SynthesisConfig(image_size=24), "`image_size`. Expected a power of 2 >= 8"),
    (lambda: SynthesisConfig(channels=(8, 8, 8)), "`channels`. Expected a tuple of 4 channel counts"),
    (lambda: StyleGANGeneratorConfig(mapping=MappingConfig(w_dim=64)), "`mapping`. Expected a MappingConfig with w_dim=128"),
    (lambda: StyleGANDiscriminatorConfig(channels=(8, 0, 8, 8)), "`channels`. Expected an integer >= 1"),
    (lambda: StyleGANGenerator(config="big"), "`config`. Expected a StyleGANGeneratorConfig"),
])
def test_configs_are_validated(make, message):
    with pytest.raises(ValueError, match="Invalid value for argument " + message.replace("(", "\\(").replace(")", "\\)")):
        make()


def _same_outputs(a, b, x, **kwargs):
    np.testing.assert_allclose(np.asarray(a(x, **kwargs)), np.asarray(b(x, **kwargs)), atol=1e-6)


def test_serialisation_round_trips(tmp_path):
    g = _small_generator()
    z = _z(4)
    # get_config / from_config, then the weights
    g2 = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(g))
    g2.build()
    g2.set_weights(g.get_weights())
    assert g2.config == g.config
    _same_outputs(g, g2, z, truncation_psi=0.6, noise="const")
    # a whole .keras file
    path = tmp_path / "g.keras"
    g.save(path)
    g3 = keras.saving.load_model(path)
    assert isinstance(g3, StyleGANGenerator)
    np.testing.assert_array_equal(g3.w_avg.numpy(), g.w_avg.numpy())
    _same_outputs(g, g3, z, truncation_psi=0.6, noise="const")
    # the discriminator, the synthesis network and the minibatch std-dev layer
    d = StyleGANDiscriminator(StyleGANDiscriminatorConfig(channels=(8, 8, 4, 4), seed=0))
    d.build((None, 32, 32, 1))
    d.save(tmp_path / "d.keras")
    x = np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 1)).astype(np.float32)
    _same_outputs(d, keras.saving.load_model(tmp_path / "d.keras"), x)
    syn = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(g.synthesis))
    assert isinstance(syn, SynthesisNetwork) and syn.config == g.synthesis.config
    layer = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(MinibatchStdDev(2, 1)))
    assert (layer.group_size, layer.num_channels) == (2, 1)
