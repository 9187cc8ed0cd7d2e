"""Checkers of chapters 4 and 5: each accepts the reference and rejects typical mistakes with the right message."""

import numpy as np
import pytest

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import content_loss as cex
from stylegan_edu.exercises import style_loss as sex
from stylegan_edu.losses import content_loss, gram_matrix, style_loss


@pytest.mark.parametrize("problem", cex.PROBLEMS + sex.PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert problem.check().outcome is Outcome.NOT_ATTEMPTED
    assert problem.hint().body and problem.solution().body


def test_package_functions_pass_the_function_checkers():
    """The package's own implementations are accepted (independent of the checkers' references)."""
    assert cex.content_loss_fn.check(lambda F, P: content_loss(F, P)).outcome is Outcome.CORRECT
    assert sex.gram_fn.check(lambda F: gram_matrix(F)).outcome is Outcome.CORRECT


def _sum_sq(F, P):
    return np.mean(np.sum((F - P) ** 2, axis=(1, 2, 3)))


@pytest.mark.parametrize(
    "answer,message",
    [
        (_sum_sq, "factor 1/2"),
        (lambda F, P: np.mean((F - P) ** 2), "mean-normalised variant"),
        (lambda F, P: 0.5 * np.sum((F - P) ** 2), "summed over the batch"),
        (lambda F, P: 0.5 * np.sum(np.abs(F - P)) / len(F), "squares the differences"),
        (lambda F, P: 0.5 * np.sum((F - P) ** 2, axis=(1, 2, 3)), "shape (3,)"),
        (lambda F, P: 1.0, "the reference"),
        (3.0, "pass your function"),
    ],
)
def test_content_loss_rejects_typical_mistakes(answer, message):
    result = cex.content_loss_fn.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_content_loss_unfinished_is_not_attempted():
    def todo(F, P):
        raise NotImplementedError

    assert cex.content_loss_fn.check(todo).outcome is Outcome.NOT_ATTEMPTED


@pytest.mark.parametrize(
    "answer,message",
    [([2.0, 0.0, -4.0], "forgot the 1/2"), ([-1.0, 0.0, 2.0], "sign is flipped"), ([0.5, 0.0, 2.0], "loss of each element"),
     ([1.0, 0.0], "three numbers"), ("x", "three numbers")],
)
def test_content_gradient_rejects_typical_mistakes(answer, message):
    result = cex.content_gradient.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_feature_shape_answer_is_what_vgg_gives():
    from stylegan_edu.features import vgg16_extractor

    vgg = vgg16_extractor(cex.SHAPE_LAYER, vgg_weights=None)
    out = vgg(np.zeros(cex.SHAPE_INPUT, "float32"))[cex.SHAPE_LAYER]
    assert tuple(out.shape) == cex.feature_shape.reference


def test_feature_shape_is_not_printed_by_the_chapter():
    """The chapter prints the shapes of a (1, 64, 64, 3) batch; the exercise asks about another input."""
    assert cex.SHAPE_INPUT[1:3] != (64, 64) and cex.SHAPE_INPUT[1] != cex.SHAPE_INPUT[2] and cex.SHAPE_INPUT[0] > 1


@pytest.mark.parametrize(
    "answer,message",
    [((2, 12, 20, 256), "before* block3_pool"), ((2, 48, 80, 256), "one pooling is missing"),
     ((2, 96, 160, 256), "halve height and width"), ((2, 40, 24, 256), "swapped"),
     ((2, 24, 40, 128), "count the channels"), ((1, 24, 40, 256), "batch axis passes through"),
     ((2, 6, 10, 512), "is not it"), ((24, 40, 256), "four axes"), ("abc", "tuple of four")],
)
def test_feature_shape_rejects_typical_mistakes(answer, message):
    result = cex.feature_shape.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_pixel_gradient_reference_is_what_autodiff_gives():
    """dL/dx through a Keras 1x1 convolution and the package's content loss, by tf.GradientTape."""
    import keras
    import tensorflow as tf

    conv = keras.layers.Conv2D(3, 1, use_bias=False)
    x = tf.Variable(np.asarray(cex.PIXEL_X, "float32").reshape(1, 1, 1, 2))  # (B, H, W, C)
    conv.build(x.shape)
    conv.kernel.assign(np.asarray(cex.KERNEL_W, "float32").reshape(1, 1, 2, 3))
    target = np.asarray(cex.PIXEL_TARGET, "float32").reshape(1, 1, 1, 3)
    with tf.GradientTape() as tape:
        loss = content_loss(conv(x), target)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy().ravel(), cex.pixel_gradient.reference, atol=1e-6)


@pytest.mark.parametrize(
    "answer,message",
    [([1.0, 0.0, -1.0], "that is dL/dF"), ([-2.0, 2.0], "1/2 in front"), ([1.0, -1.0], "sign is flipped"),
     ([1.0, 2.0], "target P is missing"), ([0.0, 0.0], "weighted by W[i][k]"), (1.0, "loss L itself"),
     ([1.0, 2.0, 3.0], "two numbers"), ([3.0, 3.0], "is not it"), ("x", "two numbers")],
)
def test_pixel_gradient_rejects_typical_mistakes(answer, message):
    result = cex.pixel_gradient.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_which_layer():
    assert "Look at the other one" in cex.which_layer.check("b").message
    assert "'a' or 'b'" in cex.which_layer.check("c").message
    assert cex.which_layer.check(" A").outcome is Outcome.CORRECT


def _gram_positions(F):
    b, h, w, c = F.shape
    flat = F.reshape(b, h * w, c)
    return flat @ flat.transpose(0, 2, 1)


@pytest.mark.parametrize(
    "answer,message",
    [
        (lambda F: np.einsum("bijc,bijd->bcd", F, F), "not normalised"),
        (lambda F: np.einsum("bijc,bijd->bcd", F, F) / (F.shape[1] * F.shape[2] * F.shape[3]), "H*W*C"),
        (_gram_positions, "position-by-position"),
        (lambda F: np.einsum("bijc,bijd->cd", F, F), "no batch axis"),
        (lambda F: np.einsum("bijc,aijd->bcd", F, F) / (F.shape[1] * F.shape[2]), "mix different images"),
        (lambda F: np.zeros((F.shape[0], F.shape[3], F.shape[3])), "differs from the reference"),
    ],
)
def test_gram_rejects_typical_mistakes(answer, message):
    result = sex.gram_fn.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_hand_gram_reference_matches_package():
    np.testing.assert_allclose(np.asarray(gram_matrix(sex._HAND_F.astype("float32")))[0], sex.hand_gram.reference)


@pytest.mark.parametrize(
    "answer,message",
    [([[2, 1], [1, 2]], "divide by the number of positions"), ([[0.25, 0.125], [0.125, 0.25]], "not by H*W*C"),
     ([[0.5, 0.25], [0.0, 0.5]], "symmetric"), ([1, 2, 3], "2x2 matrix"), ([[0.5, 0.3], [0.3, 0.5]], "is not it")],
)
def test_hand_gram_rejects_typical_mistakes(answer, message):
    result = sex.hand_gram.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_gram_forgets_layout():
    assert "does not depend on the order" in sex.gram_forgets_layout.check("b").message
    assert "not zero" in sex.gram_forgets_layout.check("c").message
    assert "'a', 'b' or 'c'" in sex.gram_forgets_layout.check("d").message


def test_contrast_style_loss_reference_matches_package():
    X = sex._HAND_F.astype("float32")  # (1, 2, 2, 2)
    want = float(style_loss(sex.CONTRAST * X, gram_matrix(X)))
    assert sex.contrast_style_loss.reference == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize(
    "answer,message",
    [(0.15625, "grows 2 x 2 = 4 times"), (5.625, "forgot the 1/C^2"), (2.8125, "not by C = 2"),
     (1.125, "absolute values"), (2.5, "subtract the target"), (22.5, "without the 1/(H W)"), (0, "how strong"),
     (1.5, "is not it"), ("abc", "one number")],
)
def test_contrast_style_loss_rejects_typical_mistakes(answer, message):
    result = sex.contrast_style_loss.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message
