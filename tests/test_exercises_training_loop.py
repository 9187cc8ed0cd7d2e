"""Chapter 9's exercises: each checker accepts the reference and rejects typical mistakes with the right message."""

import pytest
import tensorflow as tf

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import training_loop as ex
from stylegan_edu.losses import discriminator_loss, generator_loss


@pytest.mark.parametrize("problem", ex.PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert problem.hint().body and problem.solution().body


def test_halving_answer_is_the_first_epoch_below_the_floor():
    k = ex.halving_epochs.reference
    assert 2e-4 / 2**k < 1e-6 <= 2e-4 / 2 ** (k - 1)


@pytest.mark.parametrize(
    "answer,message",
    [(7, "still above 1e-6"), (9, "one epoch earlier"), (200, "not by 2k"), (2.5, "whole number"), ("eight", "whole number")],
)
def test_halving_rejects_typical_mistakes(answer, message):
    result = ex.halving_epochs.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("answer,message", [("c", "D's weights are read, not changed"), ("b", "applied to G's"), ("d", "'a', 'b' or 'c'")])
def test_which_weights_rejects_typical_mistakes(answer, message):
    result = ex.which_weights.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message


def _updates_both(G, D, opt, real, z):
    with tf.GradientTape() as tape:
        loss = discriminator_loss(D(real), D(G(z)))
    variables = D.trainable_variables + G.trainable_variables
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return loss


def _no_apply(G, D, opt, real, z):
    with tf.GradientTape() as tape:
        loss = discriminator_loss(D(real), D(G(z)))
    tape.gradient(loss, D.trainable_variables)
    return loss


def _generator_loss_instead(G, D, opt, real, z):
    with tf.GradientTape() as tape:
        loss = generator_loss(D(G(z)))
    opt.apply_gradients(zip(tape.gradient(loss, D.trainable_variables), D.trainable_variables))
    return loss


@pytest.mark.parametrize(
    "answer,message",
    [
        (_updates_both, "changed the generator's weights"),
        (_no_apply, "did not change"),
        (ex._swapped_labels, "wrong way round"),
        (_generator_loss_instead, "differ from the reference"),
        (lambda G, D, opt, real, z: ex._reference_d_step(G, D, opt, real, z) and None, "return the loss"),
        ("d_step", "pass your function itself"),
    ],
)
def test_d_step_rejects_typical_mistakes(answer, message):
    result = ex.d_step.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


@pytest.mark.parametrize(
    "answer,message",
    [
        ({"weights", "epoch", "rng"}, "Adam's moments"),
        ({"weights", "optimizer", "epoch"}, "different z and dropout masks"),
        ({"weights", "optimizer", "rng", "epoch", "graph"}, "traced graph"),
        ({"weights", "optimizer", "rng", "epoch", "losses"}, "a result, not state"),
        ({"weights", "optimizer", "rng"}, "still missing: the number of finished epochs"),
        ({"seed"}, "unknown key"),
        (5, "pass a set of keys"),
    ],
)
def test_checkpoint_state_rejects_typical_mistakes(answer, message):
    result = ex.checkpoint_state.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message
