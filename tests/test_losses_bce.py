"""Chapter 1 losses against Keras' own BinaryCrossentropy and numpy references."""

import keras
import numpy as np
import pytest

from stylegan_edu import losses


def _keras_bce(y, p, from_logits):
    return float(keras.losses.BinaryCrossentropy(from_logits=from_logits)(y, p))


@pytest.mark.parametrize("from_logits", [False, True])
def test_matches_keras_on_random_inputs(from_logits):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=(32, 3)).astype("float32")
    p = rng.normal(size=(32, 3)).astype("float32") if from_logits else rng.uniform(0.01, 0.99, size=(32, 3)).astype("float32")
    assert float(losses.binary_cross_entropy(y, p, from_logits)) == pytest.approx(_keras_bce(y, p, from_logits), rel=1e-5)


@pytest.mark.parametrize("scale", [100.0, 1e4])
def test_stable_on_extreme_logits_and_matches_keras(scale):
    y = np.array([[1.0], [0.0], [1.0], [0.0]], "float32")
    x = np.array([[scale], [-scale], [-scale], [scale]], "float32")
    ours = float(losses.binary_cross_entropy(y, x, from_logits=True))
    assert np.isfinite(ours)
    assert ours == pytest.approx(_keras_bce(y, x, True), abs=1e-4)
    # Exact: two right answers cost 0, two wrong ones cost |x| each.
    assert ours == pytest.approx(scale / 2, rel=1e-6)


def test_naive_form_overflows_where_stable_does_not():
    x = np.array([100.0, -100.0], "float32")
    y = np.array([0.0, 1.0], "float32")
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-x))
        naive = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert not np.all(np.isfinite(naive))
    assert np.isfinite(float(losses.binary_cross_entropy(y, x, from_logits=True)))


def test_probability_mode_clips_like_keras():
    y = np.array([1.0, 0.0], "float32")
    p = np.array([0.0, 1.0], "float32")
    assert float(losses.binary_cross_entropy(y, p)) == pytest.approx(_keras_bce(y, p, False), rel=1e-4)


def test_bad_input():
    with pytest.raises(ValueError, match=r"Invalid value for argument `y_pred`. Expected probabilities in \[0, 1\] when from_logits=False. Received: min=-0.3"):
        losses.binary_cross_entropy([1.0, 0.0], [0.5, -0.3])
    with pytest.raises(ValueError, match="Expected the same shape as `y_true`"):
        losses.binary_cross_entropy(np.zeros((2, 1)), np.zeros((2,)))
    with pytest.raises(ValueError, match="`y_true`. Expected targets in"):
        losses.binary_cross_entropy([2.0], [0.5])
    with pytest.raises(ValueError, match="finite values"):
        losses.binary_cross_entropy([1.0], [float("nan")], from_logits=True)


def test_discriminator_loss_is_sum_of_two_bce_terms():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(8, 1)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    want = _keras_bce(np.ones_like(real), real, True) + _keras_bce(np.zeros_like(fake), fake, True)
    assert float(losses.discriminator_loss(real, fake)) == pytest.approx(want, rel=1e-5)
    smoothed = _keras_bce(np.full_like(real, 0.9), real, True) + _keras_bce(np.zeros_like(fake), fake, True)
    assert float(losses.discriminator_loss(real, fake, label_smoothing=0.1)) == pytest.approx(smoothed, rel=1e-5)
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.discriminator_loss(real, fake, label_smoothing=-0.1)


def test_generator_losses_and_their_gradients():
    import tensorflow as tf

    logits = tf.constant([[-8.0]])  # the discriminator is winning: D(G(z)) ~ 3e-4
    grads = {}
    for saturating in (True, False):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            loss = losses.generator_loss(logits, saturating=saturating)
        grads[saturating] = float(tape.gradient(loss, logits)[0, 0])
    sig = 1 / (1 + np.exp(8.0))
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = sigmoid(l) - 1.
    assert grads[True] == pytest.approx(-sig, rel=1e-4)
    assert grads[False] == pytest.approx(sig - 1, rel=1e-4)
    assert abs(grads[False]) > 1000 * abs(grads[True])


def test_function_matches_keras_class_for_model_compile():
    # The package has no BCE class: model.compile takes keras.losses.BinaryCrossentropy, which this equals.
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, size=(4, 5)).astype("float32")
    x = rng.normal(size=(4, 5)).astype("float32")
    keras_bce = keras.losses.BinaryCrossentropy(from_logits=True)
    assert float(keras_bce(y, x)) == pytest.approx(float(losses.binary_cross_entropy(y, x, True)), rel=1e-5)
    assert not hasattr(losses, "BinaryCrossEntropy")
