"""Content loss, Gram matrix and style loss against numpy references and finite differences."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from stylegan_edu.losses import ContentLoss, StyleLoss, content_loss, gram_matrix, style_loss

RNG = np.random.default_rng(42)


def _np_gram(F):
    b, h, w, c = F.shape
    return np.einsum("bijc,bijd->bcd", F, F) / (h * w)


def _gradients(loss_fn, F, eps=1e-6):
    """(autodiff gradient, central finite differences) of ``loss_fn`` at the float64 array F."""
    var = tf.Variable(F)
    with tf.GradientTape() as tape:
        loss = loss_fn(var)
    numeric = np.zeros_like(F)
    for idx in np.ndindex(F.shape):
        d = np.zeros_like(F)
        d[idx] = eps
        numeric[idx] = (float(loss_fn(F + d)) - float(loss_fn(F - d))) / (2 * eps)
    return tape.gradient(loss, var).numpy(), numeric


# ---------------------------------------------------------------------------
# Gram matrix
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 4, 4, 3), (3, 5, 7, 8), (2, 1, 9, 16)])
def test_gram_matrix_matches_numpy_einsum(shape):
    F = RNG.normal(size=shape).astype(np.float32)
    G = np.asarray(gram_matrix(F))
    assert G.shape == (shape[0], shape[3], shape[3])
    np.testing.assert_allclose(G, _np_gram(F.astype(np.float64)), rtol=1e-5, atol=1e-5)


def test_gram_matrix_is_symmetric_psd_and_ignores_positions():
    F = RNG.normal(size=(2, 6, 6, 5)).astype(np.float32)
    G = np.asarray(gram_matrix(F))
    np.testing.assert_allclose(G, np.transpose(G, (0, 2, 1)), atol=1e-6)
    assert np.linalg.eigvalsh(G.astype(np.float64)).min() > -1e-5
    # Shuffling the spatial positions leaves the Gram matrix unchanged: it keeps "what", not "where".
    flat = F.reshape(2, 36, 5)[:, RNG.permutation(36)]
    np.testing.assert_allclose(np.asarray(gram_matrix(flat.reshape(2, 6, 6, 5))), G, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "x,message",
    [(np.zeros((4, 4, 3)), "rank-4"), (np.full((1, 2, 2, 1), np.inf), "finite")],
)
def test_gram_matrix_rejects_bad_input(x, message):
    with pytest.raises(ValueError, match=message):
        gram_matrix(x)


# ---------------------------------------------------------------------------
# Style loss
# ---------------------------------------------------------------------------


def _np_style(feats, grams, weights):
    total = 0.0
    for name, F in feats.items():
        G, A = _np_gram(F.astype(np.float64)), grams[name].astype(np.float64)
        c = F.shape[-1]
        total += weights[name] * np.mean(np.sum((G - A) ** 2, axis=(1, 2)) / c**2)
    return total


def test_style_loss_matches_numpy_over_layers():
    feats = {"a": RNG.normal(size=(2, 6, 6, 4)).astype(np.float32), "b": RNG.normal(size=(2, 3, 3, 8)).astype(np.float32)}
    style = {"a": RNG.normal(size=(1, 6, 6, 4)).astype(np.float32), "b": RNG.normal(size=(1, 3, 3, 8)).astype(np.float32)}
    grams = {k: _np_gram(v).astype(np.float32) for k, v in style.items()}  # batch of 1, broadcast
    weights = {"a": 0.3, "b": 2.0}
    got = float(style_loss(feats, grams, weights))
    np.testing.assert_allclose(got, _np_style(feats, grams, weights), rtol=1e-5)
    default = float(style_loss(feats, grams))
    np.testing.assert_allclose(default, _np_style(feats, grams, {"a": 0.5, "b": 0.5}), rtol=1e-5)


def test_style_loss_zero_for_identical_positive_otherwise_symmetric():
    F1 = RNG.normal(size=(1, 8, 8, 6)).astype(np.float32)
    F2 = RNG.normal(size=(1, 8, 8, 6)).astype(np.float32)
    assert float(style_loss(F1, gram_matrix(F1))) == 0.0
    d12 = float(style_loss(F1, gram_matrix(F2)))
    d21 = float(style_loss(F2, gram_matrix(F1)))
    assert d12 > 0
    np.testing.assert_allclose(d12, d21, rtol=1e-6)
    # A spatial rearrangement of the same features has the same style.
    assert float(style_loss(F1[:, ::-1, ::-1], gram_matrix(F1))) < 1e-10


def test_style_loss_gradient_matches_finite_differences():
    F = RNG.normal(size=(1, 3, 3, 2))
    A = _np_gram(RNG.normal(size=(1, 3, 3, 2)))
    grad, numeric = _gradients(lambda x: style_loss(x, A), F)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(
    "feats,grams,weights,message",
    [
        ({"a": np.zeros((1, 2, 2, 3))}, {"b": np.zeros((1, 3, 3))}, None, "same layers"),
        ({"a": np.zeros((1, 2, 2, 3))}, {"a": np.zeros((1, 4, 4))}, None, "Gram matrix of shape"),
        ({"a": np.zeros((1, 2, 2, 3))}, {"a": np.zeros((1, 3, 3))}, {"a": -1.0}, "layer_weights['a']"),
        ({"a": np.zeros((1, 2, 2, 3))}, {"a": np.zeros((1, 3, 3))}, {"z": 1.0}, "unknown layers"),
        ({"a": np.zeros((1, 2, 2, 3))}, {"a": np.full((1, 3, 3), np.nan)}, None, "finite"),
    ],
)
def test_style_loss_rejects_bad_input(feats, grams, weights, message):
    with pytest.raises(ValueError, match="Invalid value for argument") as e:
        style_loss(feats, grams, weights)
    assert message in str(e.value)


# ---------------------------------------------------------------------------
# Content loss
# ---------------------------------------------------------------------------


def test_content_loss_matches_numpy_both_reductions():
    F = RNG.normal(size=(3, 4, 5, 6)).astype(np.float32)
    P = RNG.normal(size=(3, 4, 5, 6)).astype(np.float32)
    d2 = (F.astype(np.float64) - P) ** 2
    np.testing.assert_allclose(float(content_loss(F, P)), np.mean(0.5 * d2.sum(axis=(1, 2, 3))), rtol=1e-5)
    np.testing.assert_allclose(float(content_loss(F, P, reduction="mean")), d2.mean(), rtol=1e-5)
    assert float(content_loss(F, F)) == 0.0


def test_content_loss_gradient_matches_central_finite_differences():
    F = RNG.normal(size=(2, 3, 3, 2))  # float64 so that differences are exact enough
    P = RNG.normal(size=(2, 3, 3, 2))
    for reduction in ("sum", "mean"):
        grad, numeric = _gradients(lambda x: content_loss(x, P, reduction=reduction), F)  # noqa: B023
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    # The sum form's gradient is (F - P) / B: the article's 1/2 cancels the square's 2.
    var = tf.Variable(F)
    with tf.GradientTape() as tape:
        loss = content_loss(var, P)
    np.testing.assert_allclose(tape.gradient(loss, var).numpy(), (F - P) / 2, atol=1e-12)


@pytest.mark.parametrize(
    "F,P,kwargs,message",
    [
        (np.zeros((1, 2, 2, 3)), np.zeros((1, 2, 2, 4)), {}, "same shape"),
        (np.zeros((1, 2, 2, 3)), np.full((1, 2, 2, 3), np.nan), {}, "finite"),
        (np.zeros((1, 2, 2, 3)), np.zeros((1, 2, 2, 3)), {"reduction": "max"}, "'sum', 'mean'"),
    ],
)
def test_content_loss_rejects_bad_input(F, P, kwargs, message):
    with pytest.raises(ValueError, match="Invalid value for argument") as e:
        content_loss(F, P, **kwargs)
    assert message in str(e.value)


# ---------------------------------------------------------------------------
# Loss classes
# ---------------------------------------------------------------------------


def test_loss_classes_agree_with_functions_and_serialise():
    F = RNG.normal(size=(2, 4, 4, 3)).astype(np.float32)
    P = RNG.normal(size=(2, 4, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(float(ContentLoss()(P, F)), float(content_loss(F, P)), rtol=1e-5)
    np.testing.assert_allclose(float(StyleLoss()(P, F)), float(style_loss(F, gram_matrix(P))), rtol=1e-5)
    per_image = ContentLoss(content_reduction="mean", reduction=None)(P, F).numpy()  # (B,)
    np.testing.assert_allclose(per_image, [float(content_loss(F[i : i + 1], P[i : i + 1], "mean")) for i in range(2)], rtol=1e-5)
    for loss in (ContentLoss(content_reduction="mean"), StyleLoss()):
        clone = keras.losses.deserialize(keras.losses.serialize(loss))
        assert type(clone) is type(loss) and clone.get_config() == loss.get_config()
