"""Exercises for chapter 9, the GAN training loop.

Example:

>>> from stylegan_edu.exercises import training_loop as ex
>>> ex.halving_epochs.check(ex.halving_epochs.reference)
✓ Correct: When the article's rate falls below 1e-6.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function

# ---------------------------------------------------------------------------
# 1. The article's halving schedule, by hand
# ---------------------------------------------------------------------------

_BASE, _FLOOR = 2e-4, 1e-6
_HALVING_ANSWER = math.ceil(math.log2(_BASE / _FLOOR) + 1e-12)  # 2e-4 / 2^k < 1e-6  <=>  2^k > 200  <=>  k >= 8


def _check_halving(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer, float)) or float(answer) != int(answer):
        raise Incorrect(f"answer with a whole number of epochs, not {answer!r}.")
    k = int(answer)
    if k == _HALVING_ANSWER:
        return
    if k == _HALVING_ANSWER - 1:
        raise Incorrect(f"after {k} epochs the rate is 2e-4 / 2^{k} = {_BASE / 2**k:.3g}, still above 1e-6.")
    if k == _HALVING_ANSWER + 1:
        raise Incorrect(f"one epoch earlier is enough: 2e-4 / 2^{k - 1} = {_BASE / 2 ** (k - 1):.3g} < 1e-6. "
                        "Count the epochs after which the rate has been halved k times.")
    if k == int(_BASE / _FLOOR) or k == int(_BASE / _FLOOR / 2):
        raise Incorrect("halving every epoch divides by 2^k, not by 2k: the rate falls exponentially, not linearly.")
    raise Incorrect(f"after {k} epochs the rate is 2e-4 / 2^{k} = {_BASE / 2**k:.3g}. Which k first gives less than 1e-6?")


halving_epochs = Problem(
    "When the article's rate falls below 1e-6",
    """
    The article starts Adam at 2e-4 and halves the rate after every epoch. After how many epochs
    is the rate below 1e-6 (a rate at which a GAN barely moves)? Pass a whole number.
    """,
    _check_halving,
    hint="After k epochs the rate is 2e-4 / 2^k. Solve 2e-4 / 2^k < 1e-6 for the smallest whole k.",
    solution=f"""
    2e-4 / 2^k < 1e-6  <=>  2^k > 200  <=>  k >= log2(200) = 7.64, so k = {_HALVING_ANSWER}:
    after {_HALVING_ANSWER} epochs the rate is 2e-4 / {2**_HALVING_ANSWER} = {_BASE / 2**_HALVING_ANSWER:.2e}.
    The sum of all the steps it will ever take, 2e-4 * (1 + 1/2 + 1/4 + ...) = 4e-4, is only twice the first epoch's.
    """,
    reference=_HALVING_ANSWER,
)

# ---------------------------------------------------------------------------
# 2. Which weights change in the generator's update?
# ---------------------------------------------------------------------------

WEIGHT_CHOICES = {
    "a": "only the generator's",
    "b": "only the discriminator's",
    "c": "both: the gradient flows through D into G",
}


_WEIGHTS_WRONG = {
    "c": "the gradient does flow back through D's layers (that is how G learns what D dislikes), but the step "
        "only applies gradients to g_vars = self.generator.trainable_variables. D's weights are read, not changed.",
    "b": "in the generator's update the loss is BCE(1, D(G(z))); its gradients are applied to G's variables.",
}


which_weights = MultipleChoice(
    "Which weights the generator's update changes",
    """
    In step 2 of `GAN.train_step` the tape records L_G = BCE(1, D(G(z))), which passes through the
    discriminator. Whose weights does `self.g_optimizer.apply_gradients(...)` change?
        a) only the generator's
        b) only the discriminator's
        c) both: the gradient flows through D into G
    Pass 'a', 'b' or 'c'.
    """,
    WEIGHT_CHOICES,
    "a",
    _WEIGHTS_WRONG,
    hint="Look at which variables the gradients are taken with respect to, and which are passed to apply_gradients.",
    solution="""
    'a'. tape.gradient(g_loss, g_vars) differentiates through D (chain rule) but only with respect to
    G's variables, and only those are updated. If D were updated here too, it would be trained to
    *help* the generator: the opposite of its job.
    """,
)

# ---------------------------------------------------------------------------
# 3. Write the discriminator's step
# ---------------------------------------------------------------------------


def _reference_d_step(generator, discriminator, optimizer, real, z):
    import tensorflow as tf

    from stylegan_edu.losses import discriminator_loss

    with tf.GradientTape() as tape:
        fake = generator(z, training=True)  # (B, 28, 28, 1)
        loss = discriminator_loss(discriminator(real, training=True), discriminator(fake, training=True))
    grads = tape.gradient(loss, discriminator.trainable_variables)
    optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
    return loss


def _tiny_pair(seed):
    import keras

    init = lambda k: keras.initializers.RandomNormal(stddev=0.2, seed=seed + k)  # noqa: E731
    G = keras.Sequential([keras.Input((4,)), keras.layers.Dense(49, activation="tanh", kernel_initializer=init(0)),
                          keras.layers.Reshape((7, 7, 1))])
    D = keras.Sequential([keras.Input((7, 7, 1)), keras.layers.Flatten(), keras.layers.Dense(1, kernel_initializer=init(1))])
    return G, D


def _run_step(fn, mistake=None):
    """Run a d-step on fresh tiny models; return (G weights, D weights, loss)."""
    import keras

    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (8, 7, 7, 1)).astype(np.float32)
    z = rng.standard_normal((8, 4)).astype(np.float32)
    G, D = _tiny_pair(3)
    loss = fn(G, D, keras.optimizers.SGD(0.1), real, z)
    return [w.numpy() for w in G.weights], [w.numpy() for w in D.weights], loss


def _same(a, b, tol=1e-5):
    return all(np.allclose(x, y, atol=tol) for x, y in zip(a, b))


def _swapped_labels(G, D, opt, real, z):
    import tensorflow as tf

    from stylegan_edu.losses import discriminator_loss

    with tf.GradientTape() as tape:
        loss = discriminator_loss(D(G(z)), D(real))
    grads = tape.gradient(loss, D.trainable_variables)
    opt.apply_gradients(zip(grads, D.trainable_variables))
    return loss


def _check_d_step(fn):
    function(fn, "d_step")
    g0, d0, _ = _run_step(lambda G, D, opt, real, z: None)
    g_ref, d_ref, loss_ref = _run_step(_reference_d_step)
    g_got, d_got, loss_got = _run_step(fn)
    if not _same(g_got, g0, 0):
        raise Incorrect("your step changed the generator's weights. The discriminator's step must apply gradients to "
                        "discriminator.trainable_variables only.")
    if _same(d_got, d0, 0):
        raise Incorrect("the discriminator's weights did not change: did you call optimizer.apply_gradients?")
    if _same(d_got, d_ref):
        if loss_got is None or abs(float(loss_got) - float(loss_ref)) > 1e-4:
            raise Incorrect("the update is right, but return the loss you differentiated (a scalar) as well.")
        return
    _, d_swap, _ = _run_step(_swapped_labels)
    if _same(d_got, d_swap):
        raise Incorrect("the discriminator learned the wrong way round: real images get target 1 and fakes target 0, "
                        "i.e. discriminator_loss(D(real), D(fake)).")
    raise Incorrect("the discriminator's new weights differ from the reference step. Compute fake = generator(z), "
                    "the loss discriminator_loss(D(real), D(fake)) inside the tape, and its gradient with respect to D's variables.")


d_step = Problem(
    "The discriminator's step",
    """
    Write `d_step(generator, discriminator, optimizer, real, z)`: one update of the discriminator
    on a batch of real images and the fakes generator(z), with `stylegan_edu.losses.discriminator_loss`
    and `tf.GradientTape`. Return the loss. Then run `ex.d_step.check(d_step)`.
    """,
    _check_d_step,
    hint="with tf.GradientTape() as tape: compute the loss; then tape.gradient(loss, D.trainable_variables) "
    "and optimizer.apply_gradients(zip(grads, D.trainable_variables)).",
    solution="""
    def d_step(generator, discriminator, optimizer, real, z):
        with tf.GradientTape() as tape:
            fake = generator(z, training=True)                       # (B, 28, 28, 1)
            loss = discriminator_loss(discriminator(real, training=True),
                                      discriminator(fake, training=True))
        grads = tape.gradient(loss, discriminator.trainable_variables)
        optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        return loss
    """,
    reference=_reference_d_step,
)

# ---------------------------------------------------------------------------
# 4. What must a checkpoint hold for an exact resume?
# ---------------------------------------------------------------------------

STATE_ITEMS = {
    "weights": "the weights of G and D (BatchNorm statistics included)",
    "optimizer": "both optimizers' state (Adam's moments and step counter)",
    "rng": "the random-number state (the noise z, dropout masks)",
    "epoch": "the number of finished epochs",
    "graph": "the traced tf.function graph of train_step",
    "losses": "the last batch's loss values",
}
_NEEDED = {"weights", "optimizer", "rng", "epoch"}


def _check_state(answer):
    try:
        items = {str(a).strip().lower() for a in answer}
    except TypeError:
        raise Incorrect("pass a set of keys, e.g. {'weights', 'epoch'}.") from None
    unknown = items - set(STATE_ITEMS)
    if unknown:
        raise Incorrect(f"unknown key(s) {sorted(unknown)}; choose from {sorted(STATE_ITEMS)}.")
    if "graph" in items:
        raise Incorrect("the traced graph is rebuilt from the code on the first step; it holds no state that training changed.")
    if "losses" in items:
        raise Incorrect("the last losses are a result, not state: the next step computes new ones from the weights.")
    missing = _NEEDED - items
    if "optimizer" in missing:
        raise Incorrect("without Adam's moments and step counter the first steps after a resume take different "
                        "(bias-corrected, momentum-free) steps: the run diverges from the uninterrupted one.")
    if "rng" in missing:
        raise Incorrect("without the random state the resumed run draws different z and dropout masks: "
                        "close, but not the same run.")
    if missing:
        raise Incorrect(f"still missing: {', '.join(STATE_ITEMS[m] for m in sorted(missing))}.")


checkpoint_state = Problem(
    "What a checkpoint must hold",
    """
    For `fit(..., resume=True)` to continue *exactly* as if the run had never stopped, which of these
    must a checkpoint hold? Pass a set of keys from:
        weights, optimizer, rng, epoch, graph, losses
    """,
    _check_state,
    hint="Ask of each item: does the next training step read it, and did training change it?",
    solution="""
    {'weights', 'optimizer', 'rng', 'epoch'}: everything the next step reads that training changed.
    stylegan_edu.checkpoints stores exactly these (plus the learning-rate scale and the history);
    the epoch also fixes the data order, which is derived from (seed, epoch).
    """,
    reference={"weights", "optimizer", "rng", "epoch"},
)

PROBLEMS = (halving_epochs, which_weights, d_step, checkpoint_state)

__all__ = [
    "PROBLEMS", "halving_epochs", "WEIGHT_CHOICES", "which_weights", "d_step", "STATE_ITEMS", "checkpoint_state",
]
