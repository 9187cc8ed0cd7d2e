"""Total variation and the mixed loss against tf.image, numpy and hand-computed values."""

import numpy as np
import pytest
import tensorflow as tf

from stylegan_edu import losses

# A 3x3 grey image whose TV is worked out by hand below (and in chapter 6's exercise).
HAND = np.array([[0.0, 1.0, 2.0],
                 [0.0, 3.0, 0.0],
                 [1.0, 1.0, 1.0]], "float32")
# Down (row i+1 minus row i):  [0, 2, -2] and [1, -2, 1]  -> |.|: 4 + 4 = 8;   (.)^2: 8 + 6 = 14
# Right (col j+1 minus col j): [1, 1], [3, -3], [0, 0]    -> |.|: 2 + 6 + 0 = 8; (.)^2: 2 + 18 + 0 = 20
HAND_L1 = 8.0 + 8.0
HAND_L2 = 14.0 + 20.0


def _numpy_tv(x, kind):
    f = np.abs if kind == "l1" else np.square
    return (f(np.diff(x, axis=1)).sum(axis=(1, 2, 3)) + f(np.diff(x, axis=2)).sum(axis=(1, 2, 3)))


@pytest.mark.parametrize("kind,expected", [("l1", HAND_L1), ("l2", HAND_L2)])
def test_hand_computed_3x3(kind, expected):
    img = HAND[None, :, :, None]  # (1, 3, 3, 1)
    assert float(losses.total_variation_loss(img, kind)) == pytest.approx(expected)
    assert float(losses.total_variation_loss(img[0], kind)) == pytest.approx(expected)  # one (H, W, C) image


def test_l1_matches_tf_image_total_variation():
    x = np.random.default_rng(0).uniform(size=(3, 8, 9, 2)).astype("float32")
    per_image_tf = tf.image.total_variation(tf.constant(x)).numpy()  # (B,): tf sums over each image
    # Our function averages those per-image sums over the batch; the Loss class keeps them per image.
    assert float(losses.total_variation_loss(x, "l1")) == pytest.approx(per_image_tf.mean(), rel=1e-5)
    per_image = losses.TotalVariationLoss("l1", reduction=None)(x, x).numpy()
    np.testing.assert_allclose(per_image, per_image_tf, rtol=1e-5)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_matches_numpy_on_random_batch(kind):
    x = np.random.default_rng(1).normal(size=(4, 5, 7, 3)).astype("float32")
    assert float(losses.total_variation_loss(x, kind)) == pytest.approx(_numpy_tv(x, kind).mean(), rel=1e-5)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_map_sums_to_tv_and_matches_numpy(kind):
    x = np.random.default_rng(2).normal(size=(2, 6, 5, 3)).astype("float32")
    m = losses.total_variation_map(x, kind).numpy()
    assert m.shape == (2, 6, 5)
    np.testing.assert_allclose(m.sum(axis=(1, 2)), _numpy_tv(x, kind), rtol=1e-5)
    f = np.abs if kind == "l1" else np.square
    ref = np.zeros((2, 6, 5))
    ref[:, :-1, :] += f(np.diff(x, axis=1)).sum(-1)
    ref[:, :, :-1] += f(np.diff(x, axis=2)).sum(-1)
    np.testing.assert_allclose(m, ref, rtol=1e-5, atol=1e-6)


def test_flat_images_have_zero_tv_and_edges_are_penalised():
    # The article's code differences neighbouring images of the batch; ours must not.
    flat = np.stack([np.full((8, 8, 1), v, "float32") for v in (0.0, 0.5, 1.0)])  # (3, 8, 8, 1)
    assert float(losses.total_variation_loss(flat, "l1")) == 0.0
    assert float(losses.total_variation_loss(flat, "l2")) == 0.0
    edge = np.zeros((1, 8, 8, 1), "float32")
    edge[:, :, 4:] = 1.0  # a vertical edge: 8 rows each cross one unit step
    assert float(losses.total_variation_loss(edge, "l1")) == pytest.approx(8.0)
    assert float(losses.total_variation_loss(np.swapaxes(edge, 1, 2), "l1")) == pytest.approx(8.0)


def test_l2_tv_gradient_matches_analytic():
    x = tf.constant(np.random.default_rng(3).normal(size=(1, 4, 5, 1)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        tv = losses.total_variation_loss(x, "l2")
    g = tape.gradient(tv, x).numpy()[0, :, :, 0]
    a = x.numpy()[0, :, :, 0]
    ref = np.zeros_like(a)  # d/dI of sum (I[i+1]-I[i])^2 = 2(I[i]-I[i+1]) + 2(I[i]-I[i-1])
    dy, dx = np.diff(a, axis=0), np.diff(a, axis=1)
    ref[:-1, :] -= 2 * dy
    ref[1:, :] += 2 * dy
    ref[:, :-1] -= 2 * dx
    ref[:, 1:] += 2 * dx
    np.testing.assert_allclose(g, ref, rtol=1e-5, atol=1e-5)


def _features():
    rng = np.random.default_rng(4)
    f = lambda *s: rng.normal(size=s).astype("float32")  # noqa: E731
    content = {"c1": f(2, 4, 4, 3), "c2": f(2, 2, 2, 5)}
    targets = {"c1": f(2, 4, 4, 3), "c2": f(2, 2, 2, 5)}
    style = {"s1": f(2, 4, 4, 3), "s2": f(2, 2, 2, 5)}
    grams = {k: losses.gram_matrix(f(1, *v.shape[1:])) for k, v in style.items()}
    images = rng.uniform(size=(2, 8, 8, 3)).astype("float32")
    return content, targets, style, grams, images


def test_mixed_parts_sum_to_total_and_equal_weighted_losses():
    content, targets, style, grams, images = _features()
    w = losses.MixedLossWeights(content=0.5, style=3.0, tv=0.01)
    total, parts = losses.mixed_loss(content, targets, style, grams, images, weights=w, tv_kind="l2")
    assert float(total) == pytest.approx(sum(float(v) for v in parts.values()), rel=1e-6)
    c = np.mean([float(losses.content_loss(content[k], targets[k])) for k in content])
    assert float(parts["content"]) == pytest.approx(0.5 * c, rel=1e-5)
    assert float(parts["style"]) == pytest.approx(3.0 * float(losses.style_loss(style, grams)), rel=1e-5)
    assert float(parts["tv"]) == pytest.approx(0.01 * _numpy_tv(images, "l2").mean(), rel=1e-5)


def test_mixed_default_weights_are_the_articles_and_zero_weight_drops_a_part():
    assert losses.MixedLossWeights() == losses.MixedLossWeights(content=1.0, style=100.0, tv=1e-6)
    content, targets, style, grams, images = _features()
    total, parts = losses.mixed_loss(content, targets, style, grams, images,
                                     weights=losses.MixedLossWeights(content=1.0, style=0.0, tv=0.0))
    assert float(parts["style"]) == 0.0 and float(parts["tv"]) == 0.0
    assert float(total) == pytest.approx(float(parts["content"]))


def test_mixed_content_of_image_with_itself_is_zero_with_zero_gradient():
    # The article's train step: compute_loss(real, real, fake) gives a content term of exactly 0.
    f = tf.Variable(np.random.default_rng(5).normal(size=(1, 4, 4, 3)).astype("float32"))
    with tf.GradientTape() as tape:
        _, parts = losses.mixed_loss(f, f, weights=losses.MixedLossWeights(1.0, 0.0, 0.0))
    assert float(parts["content"]) == 0.0
    assert not np.any(tape.gradient(parts["content"], f).numpy())
