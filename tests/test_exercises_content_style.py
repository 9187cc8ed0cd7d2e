"""Checkers of chapters 4 and 5: each accepts the reference and rejects typical mistakes with the right message."""

import numpy as np
import pytest

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import content_loss as cex
from stylegan_edu.exercises import style_loss as sex
from stylegan_edu.losses import content_loss, gram_matrix


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


@pytest.mark.parametrize(
    "answer,message",
    [((1, 4, 4, 512), "before* block4_pool"), ((1, 64, 64, 512), "halve height and width"),
     ((1, 8, 8, 256), "count the channels"), ((8, 8, 512), "four axes"), ("abc", "tuple of four")],
)
def test_feature_shape_rejects_typical_mistakes(answer, message):
    result = cex.feature_shape.check(answer)
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
