"""Chapter 9's exercises: each checker accepts the reference and rejects typical mistakes with the right message."""

import numpy as np
import keras
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


def test_decay_answer_is_the_first_epoch_below_the_floor():
    k = ex.decay_epochs.reference
    assert 1e-3 * 0.7**k < 1e-5 <= 1e-3 * 0.7 ** (k - 1)


def test_decay_answer_is_not_on_screen():
    # Chapter 9 prints the halving table from 2e-4 (below 1e-6 after 8 epochs); the exercise must differ.
    assert ex.decay_epochs.reference != 8


@pytest.mark.parametrize(
    "answer,message",
    [
        (12, "still above 1e-5"),
        (14, "one epoch earlier"),
        (7, "the answer for halving"),
        (4, "a factor 0.3"),
        (-13, "flips the sign"),
        (20, "Which k first"),
        (2.5, "whole number"),
        ("thirteen", "whole number"),
    ],
)
def test_decay_rejects_typical_mistakes(answer, message):
    result = ex.decay_epochs.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


@pytest.mark.parametrize(
    "answer,message",
    [("c", "D's weights are read, not changed"), ("b", "applied to G's"), ("d", "latent optimisation"), ("e", "one of 'a', 'b', 'c', 'd'")],
)
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


def _plain_step(G, D, opt, real, z):
    with tf.GradientTape() as tape:
        loss = discriminator_loss(D(real), D(G(z)))
    opt.apply_gradients(zip(tape.gradient(loss, D.trainable_variables), D.trainable_variables))
    return loss


def _keras_smoothed_step(G, D, opt, real, z):
    """An independent solution: Keras' own BCE with explicit one-sided targets."""
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        r, f = D(real, training=True), D(G(z, training=True), training=True)
        loss = bce(tf.fill(tf.shape(r), 1.0 - ex.SMOOTHING), r) + bce(tf.zeros_like(f), f)
    opt.apply_gradients(zip(tape.gradient(loss, D.trainable_variables), D.trainable_variables))
    return loss


def test_d_step_accepts_an_independent_solution():
    assert ex.d_step.check(_keras_smoothed_step).outcome is Outcome.CORRECT


@pytest.mark.parametrize(
    "answer,message",
    [
        (_plain_step, "plain step"),
        (ex._two_sided, "smoothed the fakes too"),
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


def test_wgan_reference_against_an_independent_formula():
    real, fake = [1.0, 2.0, 6.0], [0.5, -1.5]
    assert ex._reference_wgan(real, fake) == pytest.approx(((0.5 - 1.5) / 2 - 9.0 / 3, 0.5))


def _wgan_bce(r, f):
    return float(np.mean(np.log1p(np.exp(-r))) + np.mean(np.log1p(np.exp(f)))), float(np.mean(np.log1p(np.exp(-f))))


@pytest.mark.parametrize(
    "answer,message",
    [
        (lambda r, f: (np.mean(r) - np.mean(f), -np.mean(f)), "critic's loss has the wrong sign"),
        (lambda r, f: (np.mean(f) - np.mean(r), np.mean(f)), "generator's loss has the wrong sign"),
        (lambda r, f: (np.mean(f) - np.mean(r), np.mean(r) - np.mean(f)), "drop out of its loss"),
        (_wgan_bce, "no sigmoid and no log"),
        (lambda r, f: (np.mean(np.concatenate([f, -r])), -np.mean(f)), "averaged over all 10 scores"),
        (lambda r, f: (np.sum(f) - np.sum(r), -np.sum(f)), "difference of sums"),
        (lambda r, f: np.mean(f) - np.mean(r), "return two numbers"),
    ],
)
def test_wgan_rejects_typical_mistakes(answer, message):
    result = ex.wgan_losses.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_wgan_solution_text_is_right():
    namespace = {"np": np}
    exec(ex.wgan_losses.solution().body.split("\nWithout a sigmoid")[0], namespace)
    assert ex.wgan_losses.check(namespace["wgan_losses_fn"]).outcome is Outcome.CORRECT
