"""Exercises for chapter 9, the GAN training loop.

Example:

>>> from stylegan_edu.exercises import training_loop as ex
>>> ex.decay_epochs.check(ex.decay_epochs.reference)
✓ Correct: When a decaying rate falls below 1e-5.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function

# ---------------------------------------------------------------------------
# 1. A decaying schedule, by hand (not the chapter's halving table)
# ---------------------------------------------------------------------------

_BASE, _FACTOR, _FLOOR = 1e-3, 0.7, 1e-5
# 1e-3 * 0.7^k < 1e-5  <=>  0.7^k < 0.01  <=>  k > ln(100) / ln(1/0.7) = 12.91
_DECAY_ANSWER = math.floor(math.log(_BASE / _FLOOR) / math.log(1 / _FACTOR)) + 1


def _rate(k, factor=_FACTOR):
    return _BASE * factor**k


def _check_decay(answer):
    if (isinstance(answer, bool) or not isinstance(answer, (int, np.integer, float)) or not math.isfinite(answer)
            or float(answer) != int(answer)):
        raise Incorrect(f"answer with a whole number of epochs, not {answer!r}.")
    k = int(answer)
    if k == _DECAY_ANSWER:
        return
    if k == _DECAY_ANSWER - 1:
        raise Incorrect(f"after {k} epochs the rate is 1e-3 * 0.7^{k} = {_rate(k):.3g}, still above 1e-5.")
    if k == _DECAY_ANSWER + 1:
        raise Incorrect(f"one epoch earlier is enough: 1e-3 * 0.7^{k - 1} = {_rate(k - 1):.3g} < 1e-5. "
                        "Count the epochs after which the rate has been multiplied by 0.7 k times.")
    if k in (7, 6):  # log2(100) = 6.64: the chapter's halving
        raise Incorrect("that is the answer for halving (a factor 0.5 per epoch, as in the chapter); here each epoch "
                        "keeps 0.7 of the rate, so it falls more slowly.")
    if k in (3, 4):  # ln(100) / ln(1/0.3) = 3.8
        raise Incorrect("multiplying by 0.7 keeps 70 % of the rate; you used a factor 0.3 (a 70 % cut per epoch).")
    if k < 0:
        raise Incorrect("a number of epochs is positive: ln(0.7) < 0, so dividing by it flips the sign of the inequality.")
    raise Incorrect(f"after {k} epochs the rate is 1e-3 * 0.7^{k} = {_rate(k):.3g}. Which k first gives less than 1e-5?")


decay_epochs = Problem(
    "When a decaying rate falls below 1e-5",
    """
    Another schedule: Adam starts at 1e-3 and the rate is multiplied by 0.7 after every epoch.
    After how many epochs is the rate below 1e-5? Pass a whole number.
    (The chapter's table is for halving from 2e-4; work this one out.)
    """,
    _check_decay,
    hint="After k epochs the rate is 1e-3 * 0.7^k. Take logarithms of 1e-3 * 0.7^k < 1e-5, and mind the sign of ln(0.7).",
    solution=f"""
    1e-3 * 0.7^k < 1e-5  <=>  0.7^k < 0.01  <=>  k > ln(100) / ln(1 / 0.7) = 4.605 / 0.357 = 12.91,
    so k = {_DECAY_ANSWER}: after {_DECAY_ANSWER} epochs the rate is {_rate(_DECAY_ANSWER):.2e}
    (after {_DECAY_ANSWER - 1}: {_rate(_DECAY_ANSWER - 1):.2e}).
    Like halving, any constant factor below 1 bounds the total distance all steps can travel:
    1e-3 * (1 + 0.7 + 0.49 + ...) = 1e-3 / 0.3 = 3.3e-3, about three epochs' worth at the first rate.
    """,
    reference=_DECAY_ANSWER,
)

# ---------------------------------------------------------------------------
# 2. Which weights change in the generator's update?
# ---------------------------------------------------------------------------

WEIGHT_CHOICES = {
    "a": "only the generator's",
    "b": "only the discriminator's",
    "c": "both: the gradient flows through D into G",
    "d": "neither: it changes the noise z, towards images that D rates as real",
}


_WEIGHTS_WRONG = {
    "c": "the gradient does flow back through D's layers (that is how G learns what D dislikes), but the step "
        "only applies gradients to g_vars = self.generator.trainable_variables. D's weights are read, not changed.",
    "b": "in the generator's update the loss is BCE(1, D(G(z))); its gradients are applied to G's variables.",
    "d": "z is an input, drawn afresh for every batch, not a variable: nothing is stored in it. Moving z towards what "
        "D likes is a different method (latent optimisation); here the gradients are taken with respect to G's weights.",
}


which_weights = MultipleChoice(
    "Which weights the generator's update changes",
    """
    In step 2 of `GAN.train_step` the tape records L_G = BCE(1, D(G(z))), which passes through the
    discriminator. Whose weights does `self.g_optimizer.apply_gradients(...)` change?
        a) only the generator's
        b) only the discriminator's
        c) both: the gradient flows through D into G
        d) neither: it changes the noise z, towards images that D rates as real
    Pass a letter.
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


#: The one-sided label smoothing s of exercise 3: real images get the target 1 - s, fakes keep 0.
SMOOTHING = 0.1


def _reference_d_step(generator, discriminator, optimizer, real, z, smoothing=SMOOTHING):
    import tensorflow as tf

    from stylegan_edu.losses import discriminator_loss

    with tf.GradientTape() as tape:
        fake = generator(z, training=True)  # (B, 28, 28, 1)
        loss = discriminator_loss(discriminator(real, training=True), discriminator(fake, training=True),
                                  label_smoothing=smoothing)
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


def _two_sided(G, D, opt, real, z):
    import tensorflow as tf

    from stylegan_edu.losses import binary_cross_entropy

    with tf.GradientTape() as tape:
        r, f = D(real, training=True), D(G(z, training=True), training=True)
        loss = (binary_cross_entropy(tf.fill(tf.shape(r), 1.0 - SMOOTHING), r, from_logits=True)
                + binary_cross_entropy(tf.fill(tf.shape(f), SMOOTHING), f, from_logits=True))
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
    _, d_plain, _ = _run_step(lambda G, D, opt, real, z: _reference_d_step(G, D, opt, real, z, smoothing=0.0))
    if _same(d_got, d_plain):
        raise Incorrect(f"that is the plain step: the real images' target must be 1 - s = {1 - SMOOTHING:g}, not 1.")
    _, d_both, _ = _run_step(_two_sided)
    if _same(d_got, d_both):
        raise Incorrect(f"you smoothed the fakes too (target {SMOOTHING:g}). One-sided smoothing leaves the fakes' "
                        "target at 0: a positive target would reward D for calling fakes a little real.")
    _, d_swap, _ = _run_step(_swapped_labels)
    if _same(d_got, d_swap):
        raise Incorrect("the discriminator learned the wrong way round: real images get target 1 and fakes target 0, "
                        "i.e. discriminator_loss(D(real), D(fake)).")
    raise Incorrect("the discriminator's new weights differ from the reference step. Compute fake = generator(z), "
                    "the loss discriminator_loss(D(real), D(fake)) inside the tape, and its gradient with respect to D's variables.")


d_step = Problem(
    "The discriminator's step",
    f"""
    Write `d_step(generator, discriminator, optimizer, real, z)`: one update of the discriminator
    on a batch of real images and the fakes generator(z), with *one-sided label smoothing*
    s = {SMOOTHING:g} (Salimans et al., 2016): the real images' target is 1 - s, the fakes' stays 0.
    Use `stylegan_edu.losses.binary_cross_entropy(targets, logits, from_logits=True)` (not the
    trainer's code) and `tf.GradientTape`. Return the loss. Then run `ex.d_step.check(d_step)`.
    """,
    _check_d_step,
    hint="with tf.GradientTape() as tape: BCE(1 - s, D(real)) + BCE(0, D(fake)); then "
    "tape.gradient(loss, D.trainable_variables) and optimizer.apply_gradients(zip(grads, D.trainable_variables)).",
    solution=f"""
    def d_step(generator, discriminator, optimizer, real, z):
        with tf.GradientTape() as tape:
            fake = generator(z, training=True)                        # (B, 28, 28, 1)
            r, f = discriminator(real, training=True), discriminator(fake, training=True)
            loss = (binary_cross_entropy(tf.fill(tf.shape(r), 1 - {SMOOTHING:g}), r, from_logits=True)
                    + binary_cross_entropy(tf.zeros_like(f), f, from_logits=True))
        grads = tape.gradient(loss, discriminator.trainable_variables)
        optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        return loss
    It equals losses.discriminator_loss(r, f, label_smoothing={SMOOTHING:g}), the trainer's own
    (TrainConfig(label_smoothing=...)).
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

# ---------------------------------------------------------------------------
# 5. Extension: the Wasserstein critic's losses
# ---------------------------------------------------------------------------


def _reference_wgan(real_scores, fake_scores):
    real = np.asarray(real_scores, dtype=np.float64)
    fake = np.asarray(fake_scores, dtype=np.float64)
    return float(np.mean(fake) - np.mean(real)), float(-np.mean(fake))


def _check_wgan(fn):
    fn = function(fn, "wgan_losses", returns="a pair (critic_loss, generator_loss)")
    real = np.array([1.5, -0.5, 3.0, 0.25, 2.0, -1.0], np.float32)  # 6 real, 4 fake: the sizes differ on purpose
    fake = np.array([-2.0, 0.5, -4.0, 1.0], np.float32)
    out = fn(real.copy(), fake.copy())
    try:
        critic, gen = (float(np.asarray(v)) for v in out)
    except (TypeError, ValueError):
        raise Incorrect("return two numbers, (critic_loss, generator_loss).") from None
    want_c, want_g = _reference_wgan(real, fake)
    ok_c, ok_g = abs(critic - want_c) < 1e-5, abs(gen - want_g) < 1e-5
    if ok_c and ok_g:
        return
    r, f = real.astype(np.float64), fake.astype(np.float64)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    if abs(critic + want_c) < 1e-5:
        raise Incorrect("the critic's loss has the wrong sign: the critic *maximises* mean(real) - mean(fake), "
                        "so the loss it minimises is mean(fake) - mean(real).")
    if abs(critic - (np.mean(np.log(sig(f))) - np.mean(np.log(sig(r))))) < 1e-5 or \
            abs(critic - float(np.mean(np.log1p(np.exp(-r))) + np.mean(np.log1p(np.exp(f))))) < 1e-5:
        raise Incorrect("a Wasserstein critic outputs a score, not a logit: no sigmoid and no log, just the means of the scores.")
    if abs(critic - float(np.mean(np.concatenate([f, -r])))) < 1e-5:
        raise Incorrect(f"you averaged over all {r.size + f.size} scores together; the critic's loss is the mean over "
                        "the fakes minus the mean over the reals (the batches may differ in size).")
    if abs(critic - float(np.sum(f) - np.sum(r))) < 1e-5:
        raise Incorrect("that is a difference of sums; use the means.")
    if not ok_c:
        raise Incorrect(f"your critic loss is {critic:.4f}, the reference {want_c:.4f}.")
    if abs(gen - np.mean(f)) < 1e-5:
        raise Incorrect("the generator's loss has the wrong sign: it wants the critic to score its fakes *high*, "
                        "so it minimises -mean(fake).")
    if abs(gen - (np.mean(r) - np.mean(f))) < 1e-5:
        raise Incorrect("the real scores do not depend on the generator, so they drop out of its loss: -mean(fake) is enough "
                        "(it has the same gradient).")
    raise Incorrect(f"your generator loss is {gen:.4f}, the reference {want_g:.4f}.")


wgan_losses = Problem(
    "The Wasserstein critic's losses",
    """
    Extension. A Wasserstein GAN (Arjovsky et al., 2017) replaces the discriminator by a *critic*
    whose output is an unbounded score, not a logit. The critic tries to score real images higher
    than fakes, by as much as it can; the generator tries to raise the scores of its fakes.
    Write `wgan_losses(real_scores, fake_scores)` returning the pair (critic_loss, generator_loss),
    each a number that its player *minimises*, and run `wgan_losses.check(wgan_losses_fn)`.
    """,
    _check_wgan,
    hint="The critic maximises mean(real scores) - mean(fake scores). A loss is what gets minimised.",
    solution="""
    def wgan_losses_fn(real_scores, fake_scores):
        critic_loss = np.mean(fake_scores) - np.mean(real_scores)   # the critic maximises the gap
        generator_loss = -np.mean(fake_scores)                       # the generator raises its fakes' scores
        return critic_loss, generator_loss
    Without a sigmoid nothing saturates, but nothing bounds the scores either: a WGAN must also keep
    the critic 1-Lipschitz (weight clipping in the paper, a gradient penalty in WGAN-GP), or the critic
    loss runs off to minus infinity. That is why this book's trainer keeps the from-logits BCE.
    """,
    reference=_reference_wgan,
)

PROBLEMS = (decay_epochs, which_weights, d_step, checkpoint_state, wgan_losses)

__all__ = [
    "PROBLEMS", "decay_epochs", "WEIGHT_CHOICES", "which_weights", "SMOOTHING", "d_step", "STATE_ITEMS", "checkpoint_state",
    "wgan_losses",
]
