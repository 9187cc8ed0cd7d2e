"""stylegan_edu.models: shapes, ranges, pinned sizes, validation, shape arithmetic, latent helpers."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from stylegan_edu.models import (  # noqa: E402
    DiscriminatorConfig,
    GeneratorConfig,
    conv_output_size,
    conv_transpose_output_size,
    expected_latent_norm,
    format_layer_table,
    interpolate,
    layer_table,
    make_discriminator,
    make_generator,
    multiply_adds,
    receptive_field,
    sample_latent,
    slerp,
)

ARCHS = ["dcgan", "vgg"]

# Pinned parameter counts (all weights, BatchNorm moving statistics included);
# chapters 2 and 3 print these same numbers.
PINNED = {
    ("generator", "dcgan"): 760_065,
    ("generator", "vgg"): 1_035_329,
    ("discriminator", "dcgan"): 138_561,
    ("discriminator", "vgg"): 265_281,
}


@pytest.fixture(scope="module")
def models():
    out = {}
    for arch in ARCHS:
        out[("generator", arch)] = make_generator(GeneratorConfig(architecture=arch, seed=1))
        out[("discriminator", arch)] = make_discriminator(DiscriminatorConfig(architecture=arch, seed=1))
    return out


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("batch", [1, 7])
def test_generator_shape_and_range(models, arch, batch):
    g = models[("generator", arch)]
    z = sample_latent(batch, 100, seed=batch) * 50.0  # large z pushes tanh to its limits
    for training in (False, True):
        x = keras.ops.convert_to_numpy(g(z, training=training))
        assert x.shape == (batch, 28, 28, 1)
        assert np.all(np.isfinite(x)) and x.min() >= -1.0 and x.max() <= 1.0


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("batch", [1, 7])
def test_discriminator_shape_and_finite_logits(models, arch, batch):
    d = models[("discriminator", arch)]
    x = np.random.default_rng(batch).uniform(-1, 1, (batch, 28, 28, 1)).astype("float32")
    logits = keras.ops.convert_to_numpy(d(x))
    assert logits.shape == (batch, 1)
    assert np.all(np.isfinite(logits))
    # No sigmoid at the end: a logit layer is linear, so scaling its input weights scales the output.
    assert d.layers[-1].activation is keras.activations.linear


def test_discriminator_logits_leave_zero_one():
    d = make_discriminator(DiscriminatorConfig(seed=0, init_stddev=1.0, dropout=0.0))
    x = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    logits = keras.ops.convert_to_numpy(d(x))
    assert logits.min() < 0.0 or logits.max() > 1.0, "logits are unbounded, not probabilities"


@pytest.mark.parametrize("key", sorted(PINNED))
def test_pinned_parameter_counts(models, key):
    assert models[key].count_params() == PINNED[key]


def test_parameter_count_by_hand():
    # Independent of Keras' count: the DCGAN generator layer by layer.
    dense = 100 * 7 * 7 * 128  # no bias: BatchNorm follows
    bn1 = 4 * 128
    convt1 = 4 * 4 * 128 * 64  # no bias
    bn2 = 4 * 64
    out = 4 * 4 * 64 * 1 + 1
    assert dense + bn1 + convt1 + bn2 + out == PINNED[("generator", "dcgan")]
    d = (4 * 4 * 1 * 64 + 64) + (4 * 4 * 64 * 128 + 128) + (7 * 7 * 128 + 1)
    assert d == PINNED[("discriminator", "dcgan")]


def test_layer_table_matches_keras(models):
    g = models[("generator", "dcgan")]
    rows = layer_table(g)
    assert [r[0] for r in rows] == [l.name for l in g.layers]
    assert sum(r[3] for r in rows) == g.count_params()
    assert rows[-1][2] == (28, 28, 1)
    assert format_layer_table(g).splitlines()[-1].split() == ["total", f"{g.count_params():,}"]


def test_options_change_the_model():
    resize = make_generator(GeneratorConfig(upsampling="resize", seed=0))
    assert any(type(l).__name__ == "UpSampling2D" for l in resize.layers)
    assert not any(type(l).__name__ == "Conv2DTranspose" for l in resize.layers)
    no_bn = make_generator(GeneratorConfig(batchnorm=False, activation="leaky_relu", seed=0))
    kinds = {type(l).__name__ for l in no_bn.layers}
    assert "BatchNormalization" not in kinds and "LeakyReLU" in kinds
    assert no_bn.get_layer("project").use_bias  # without BatchNorm the layers need their bias
    patch = make_discriminator(DiscriminatorConfig(patch_output=True, seed=0))
    assert patch.output_shape == (None, 7, 7, 1)
    assert patch.count_params() == (4 * 4 * 1 * 64 + 64) + (4 * 4 * 64 * 128 + 128) + (3 * 3 * 128 + 1) == 133_441  # chapter 3 prints it
    bn = make_discriminator(DiscriminatorConfig(batchnorm=True, seed=0))
    assert [l.name for l in bn.layers if type(l).__name__ == "BatchNormalization"] == ["block2_bn"]


def test_init_stddev_and_seed():
    g = make_generator(GeneratorConfig(seed=3, init_stddev=0.02))
    w = keras.ops.convert_to_numpy(g.get_layer("project").kernel)
    assert abs(w.std() - 0.02) < 0.001 and abs(w.mean()) < 0.001
    again = keras.ops.convert_to_numpy(make_generator(GeneratorConfig(seed=3)).get_layer("project").kernel)
    other = keras.ops.convert_to_numpy(make_generator(GeneratorConfig(seed=4)).get_layer("project").kernel)
    assert np.array_equal(w, again) and not np.array_equal(w, other)
    # Each layer gets its own seed: two layers of the same shape are not identical.
    v = make_generator(GeneratorConfig(architecture="vgg", filters=(8, 8), seed=0))
    a, b = (keras.ops.convert_to_numpy(v.get_layer(n).kernel) for n in ("block1_conv2", "block2_conv2"))
    assert not np.array_equal(a, b)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(latent_dim=0), "Invalid value for argument `latent_dim`. Expected an integer >= 1. Received: latent_dim=0"),
        (dict(latent_dim=-5), "Received: latent_dim=-5"),
        (dict(image_size=30), "Expected a multiple of 4 (2 upsamplings by 2, one per entry of `filters`). Received: image_size=30"),
        (dict(filters=(64, 32, 16)), "Expected a multiple of 8"),
        (dict(dropout=-0.1), "Invalid value for argument `dropout`. Expected a float in [0.0, 1.0). Received: dropout=-0.1"),
        (dict(activation="gelu"), "Invalid value for argument `activation`. Expected one of 'relu', 'leaky_relu'. Received: activation='gelu'"),
        (dict(architecture="vgg16"), "Expected one of 'dcgan', 'vgg'"),
        (dict(filters=[128, 64]), "Expected a non-empty tuple of positive integers"),
        (dict(init_stddev=0.0), "Invalid value for argument `init_stddev`"),
        (dict(batchnorm="yes"), "Expected True or False"),
    ],
)
def test_generator_config_rejects(kwargs, message):
    with pytest.raises(ValueError) as err:
        GeneratorConfig(**kwargs)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(dropout=-0.3), "Invalid value for argument `dropout`. Expected a float in [0.0, 1.0). Received: dropout=-0.3"),
        (dict(dropout=1.0), "Received: dropout=1.0"),
        (dict(activation="sigmoid"), "Received: activation='sigmoid'"),
        (dict(image_size=26), "Expected a multiple of 4 (2 downsamplings by 2"),
        (dict(filters=()), "Expected a non-empty tuple of positive integers"),
    ],
)
def test_discriminator_config_rejects(kwargs, message):
    with pytest.raises(ValueError) as err:
        DiscriminatorConfig(**kwargs)
    assert message in str(err.value)


def test_configs_are_frozen_and_checked_by_builders():
    with pytest.raises(Exception):
        GeneratorConfig().latent_dim = 3
    with pytest.raises(ValueError, match="Expected a GeneratorConfig"):
        make_generator(DiscriminatorConfig())
    with pytest.raises(ValueError, match="Expected a DiscriminatorConfig"):
        make_discriminator(GeneratorConfig())


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_output_sizes_match_keras(padding):
    x = keras.ops.zeros((1, 7, 7, 1))
    for size in (5, 7, 14):
        for k in (1, 2, 3, 4, 5):
            for s in (1, 2, 3):
                t = keras.layers.Conv2DTranspose(1, k, strides=s, padding=padding)
                assert conv_transpose_output_size(size, k, s, padding) == t.compute_output_shape((1, size, size, 1))[1], (size, k, s, padding)
                if padding == "valid" and k > size:
                    continue
                c = keras.layers.Conv2D(1, k, strides=s, padding=padding)
                assert conv_output_size(size, k, s, padding) == c.compute_output_shape((1, size, size, 1))[1], (size, k, s, padding)
                if size == 7 and k in (3, 4) and s == 2:  # and on real tensors, for a few layers
                    assert t(x).shape[1] == conv_transpose_output_size(7, k, s, padding)
                    assert c(x).shape[1] == conv_output_size(7, k, s, padding)


def _empirical_receptive_field(model, row, col):
    """Side of the input region whose pixels change output pixel (row, col): by gradients."""
    import tensorflow as tf

    x = tf.Variable(np.random.default_rng(0).uniform(-1, 1, (1, 28, 28, 1)).astype("float32"))
    with tf.GradientTape() as tape:
        y = model(x, training=False)[0, row, col, 0]
    g = np.abs(tape.gradient(y, x).numpy()[0, :, :, 0])
    rows, cols = np.nonzero(g.sum(axis=1))[0], np.nonzero(g.sum(axis=0))[0]
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


@pytest.mark.parametrize("arch", ARCHS)
def test_receptive_field_matches_gradients(arch):
    d = make_discriminator(DiscriminatorConfig(architecture=arch, patch_output=True, dropout=0.0, seed=2))
    rf = receptive_field(d)
    assert rf[-1][0] == "patch_logits"
    expected = rf[-1][1]
    # A patch logit in the middle, whose field lies inside the 28x28 image.
    assert _empirical_receptive_field(d, 3, 3) == (expected, expected)
    assert {"dcgan": 18, "vgg": 24}[arch] == expected


def test_receptive_field_rejects_generators():
    with pytest.raises(ValueError, match="Expected a model without upsampling layers"):
        receptive_field(make_generator(GeneratorConfig(seed=0)))


def test_sample_latent_is_standard_normal_and_seeded():
    z = sample_latent(4000, 100, seed=0)
    assert z.shape == (4000, 100) and z.dtype == np.float32
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01
    assert np.array_equal(z, sample_latent(4000, 100, seed=0))


def test_expected_latent_norm_against_monte_carlo():
    z = np.random.default_rng(1).standard_normal((20000, 100))
    assert abs(np.linalg.norm(z, axis=1).mean() - expected_latent_norm(100)) < 0.02
    assert abs(expected_latent_norm(1) - np.sqrt(2 / np.pi)) < 1e-12  # E|N(0,1)|


def test_slerp_against_rotation():
    # In the plane of two orthonormal vectors slerp is a rotation by t * 90 degrees.
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((10, 2)))
    e1, e2 = q[:, 0], q[:, 1]
    t = np.linspace(0, 1, 7)
    got = slerp(3 * e1, 3 * e2, t)
    expected = 3 * (np.cos(t * np.pi / 2)[:, None] * e1 + np.sin(t * np.pi / 2)[:, None] * e2)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    np.testing.assert_allclose(slerp(e1, e2, 0.0), e1, atol=1e-12)
    np.testing.assert_allclose(slerp(e1, 2 * e1, 0.5), 1.5 * e1)  # parallel: falls back to linear


def test_interpolate_linear_and_slerp():
    z0, z1 = sample_latent(2, 100, seed=5)
    lin = interpolate(z0, z1, 9, kind="linear")
    np.testing.assert_allclose(lin, np.linspace(z0, z1, 9), rtol=1e-6, atol=1e-6)
    sph = interpolate(z0, z1, 9, kind="slerp")
    assert sph.shape == (9, 100) and sph.dtype == np.float32
    np.testing.assert_allclose(sph[[0, -1]], np.stack([z0, z1]), atol=1e-5)
    # The midpoint of linear interpolation is much shorter than a typical z; slerp's is not.
    norms = np.linalg.norm(z0), np.linalg.norm(z1)
    assert np.linalg.norm(lin[4]) < 0.8 * min(norms)
    assert np.linalg.norm(sph[4]) > 0.95 * min(norms)


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros(3), np.zeros(4), 5), "Expected the same shape as `z0`, (3,)"),
        ((np.zeros((2, 3)), np.zeros((2, 3)), 5), "Invalid value for argument `z0`. Expected a vector of shape (D,)"),
        ((np.zeros(3), np.zeros(3), 1), "Invalid value for argument `steps`. Expected an integer >= 2"),
    ],
)
def test_interpolate_rejects(args, message):
    with pytest.raises(ValueError) as err:
        interpolate(*args)
    assert message in str(err.value)
    with pytest.raises(ValueError, match="Expected one of 'linear', 'slerp'"):
        interpolate(np.zeros(3), np.ones(3), 3, kind="cubic")


def test_multiply_adds_by_hand(models):
    total, rows = multiply_adds(models[("generator", "vgg")])
    by_hand = {
        "project": 100 * 6272,
        "block1_conv1": 14 * 14 * 9 * 128 * 128,
        "block1_conv2": 14 * 14 * 9 * 128 * 128,
        "block2_conv1": 28 * 28 * 9 * 128 * 64,
        "block2_conv2": 28 * 28 * 9 * 64 * 64,
        "output_conv": 28 * 28 * 9 * 64 * 1,
    }
    assert dict(rows) == by_hand and total == sum(by_hand.values())
    total, rows = multiply_adds(models[("discriminator", "dcgan")])
    assert dict(rows) == {"block1_conv": 14 * 14 * 16 * 1 * 64, "block2_conv": 7 * 7 * 16 * 64 * 128, "logit": 6272}


def test_multiply_adds_transposed_against_dense_equivalent():
    # A Conv2DTranspose is the transpose of a linear map: its multiply-adds equal the
    # number of (input value, kernel weight) products, counted here by brute force.
    x = keras.Input((3, 3, 2))
    layer = keras.layers.Conv2DTranspose(5, 2, strides=2, padding="valid", use_bias=False)
    model = keras.Model(x, layer(x))
    assert multiply_adds(model)[0] == 3 * 3 * 2 * (2 * 2 * 5)
