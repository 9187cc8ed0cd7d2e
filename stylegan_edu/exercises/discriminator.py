"""Exercises for chapter 3, the discriminator.

Example:

>>> from stylegan_edu.exercises import discriminator as ex
>>> ex.receptive_field_problem.check(ex.receptive_field_problem.reference)
✓ Correct: Receptive field of a stack.
"""

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function, number

# ---------------------------------------------------------------------------
# 1. Why no sigmoid?
# ---------------------------------------------------------------------------

SIGMOID_CHOICES = {
    "a": "A sigmoid would make the discriminator too slow to evaluate.",
    "b": "The from-logits BCE computes log σ(ℓ) stably from the logit ℓ; a sigmoid first rounds σ(ℓ) to exactly 0 or 1 "
    "for large |ℓ| in float32, where log gives -inf and the gradient vanishes.",
    "c": "Without a sigmoid the discriminator can output any real number, so it cannot be trained with BCE at all.",
    "d": "The sigmoid would keep the generator's images from reaching [-1, 1].",
}


_SIGMOID_WRONG = {
    "a": "a sigmoid costs next to nothing; the reason is numerical, not speed.",
    "c": "BCE is trained on logits all the time: BinaryCrossentropy(from_logits=True) applies the sigmoid inside, stably.",
    "d": "the generator's range comes from its own tanh; the discriminator's output is a score, not an image.",
}


no_sigmoid = MultipleChoice(
    "Why the discriminator has no sigmoid",
    """
    The discriminator ends in Dense(1) with no activation. Why?
        a) A sigmoid would make the discriminator too slow to evaluate.
        b) The from-logits BCE computes log σ(ℓ) stably from the logit ℓ; a sigmoid first rounds σ(ℓ)
           to exactly 0 or 1 for large |ℓ| in float32, where log gives -inf and the gradient vanishes.
        c) Without a sigmoid the discriminator can output any real number, so it cannot be trained with BCE at all.
        d) The sigmoid would keep the generator's images from reaching [-1, 1].
    Pass a letter.
    """,
    SIGMOID_CHOICES,
    "b",
    _SIGMOID_WRONG,
    hint="Compute np.float32(1) / (1 + np.exp(np.float32(-20))) and take log(1 - that).",
    solution="""
    'b'. In float32, sigmoid(17) already rounds to 1.0, so log(1 - D(x)) = log(0) = -inf and its gradient is lost.
    The loss written in terms of the logit, max(ℓ, 0) - ℓ·y + log(1 + e^{-|ℓ|}), never forms that 0 (chapter 1).
    """,
)

# ---------------------------------------------------------------------------
# 2. Receptive field of a stack (with a pooling layer, unlike the chapter's)
# ---------------------------------------------------------------------------

STACK = (("Conv2D", 5, 2), ("Conv2D", 3, 2), ("MaxPooling2D", 2, 2), ("Conv2D", 3, 1))


def _field(stack, jump_first=False, skip_pooling=False):
    """r <- r + (k - 1) j, then j <- j s; or the two typical slips."""
    r, j = 1, 1
    for kind, k, stride in stack:
        if skip_pooling and kind == "MaxPooling2D":
            continue
        if jump_first:
            j *= stride
        r += (k - 1) * j
        if not jump_first:
            j *= stride
    return r


_RF_ANSWER = _field(STACK)  # 1 + 4*1 = 5 (j=2); 5 + 2*2 = 9 (j=4); 9 + 1*4 = 13 (j=8); 13 + 2*8 = 29


def _check_receptive_field(answer):
    r = number(answer, int, "one integer")
    if r == _RF_ANSWER:
        return
    partial = [_field(STACK[:n]) for n in range(1, len(STACK))]
    if r == _field(STACK, skip_pooling=True):
        raise Incorrect("the pooling layer counts too: a 2x2 max-pool with stride 2 is a window of k = 2 "
                        "(it widens the field by (k - 1) * jump) and it doubles the jump for every layer after it.")
    if r == _field(STACK, jump_first=True):
        raise Incorrect("you multiplied the jump by a layer's stride before adding that layer's span. A layer's "
                        "kernel steps over the jump of its *input*: r += (k - 1) * j first, then j *= stride.")
    if r == 1 + sum(k - 1 for _, k, _ in STACK):
        raise Incorrect("adding kernel sizes ignores the strides: after a stride-2 layer, one step of the next kernel "
                        "spans 2 input pixels, after two of them 4.")
    if r == int(np.prod([k for _, k, _ in STACK])):
        raise Incorrect("receptive fields grow by addition, not multiplication: r += (k - 1) * jump.")
    if r in partial:
        raise Incorrect("you stopped early: include all four layers.")
    raise Incorrect(f"{r} is not it. Start from r = 1, jump = 1; for each layer (the pooling too) "
                    "r += (k - 1) * jump, then jump *= stride.")


receptive_field_problem = Problem(
    "Receptive field of a stack",
    """
    Four layers: Conv2D(kernel 5, stride 2), Conv2D(kernel 3, stride 2), MaxPooling2D(pool 2, stride 2),
    Conv2D(kernel 3, stride 1). How many input pixels wide is the square that one output pixel of
    the last layer sees? Pass an integer.
    """,
    _check_receptive_field,
    hint="Keep two numbers: r (the field) and the jump j between neighbouring outputs, in input pixels. "
    "A pooling window is a layer with a kernel and a stride like any other.",
    solution=f"""
    {_RF_ANSWER}. r = 1, j = 1 -> conv (k=5, s=2): r = 1 + 4*1 = 5, j = 2 -> conv (k=3, s=2): r = 5 + 2*2 = 9, j = 4
    -> pool (k=2, s=2): r = 9 + 1*4 = 13, j = 8 -> conv (k=3, s=1): r = 13 + 2*8 = 29.
    The last 3x3 convolution alone adds 16 pixels: late layers grow the field fastest.
    Check: stylegan_edu.models.receptive_field(model) on these four layers.
    """,
    reference=_RF_ANSWER,
)

# ---------------------------------------------------------------------------
# 3. A cautious discriminator's accuracy, from logits
# ---------------------------------------------------------------------------


def _reference_accuracy(real_logits, fake_logits, p=0.5):
    """D calls an image real when sigmoid(logit) > p, i.e. when logit > log(p / (1 - p))."""
    threshold = np.log(p / (1 - p))
    real = np.asarray(real_logits, dtype=np.float64).ravel()
    fake = np.asarray(fake_logits, dtype=np.float64).ravel()
    return float((np.sum(real > threshold) + np.sum(fake <= threshold)) / (real.size + fake.size))


# Logits chosen away from the thresholds log(p / (1 - p)) for p in 0.9 (2.197), 0.5 (0) and 0.2 (-1.386).
_REAL = np.array([0.3, 2.0, 2.5, -1.0, 5.0, 0.1, 1.0, -2.0], np.float32)
_FAKE = np.array([-2.5, 0.2, 1.5, -0.1, 3.0, -1.2], np.float32)
_PS = (0.9, 0.5, 0.2)


def _check_accuracy(fn):
    fn = function(fn, "d_accuracy_at", returns="a float (the accuracy)", scalar=True)
    for p in _PS:
        got = float(np.asarray(fn(_REAL.copy(), _FAKE.copy(), p)))
        want = _reference_accuracy(_REAL, _FAKE, p)
        if abs(got - want) < 1e-6:
            continue
        n = _REAL.size + _FAKE.size
        mistakes = {
            "at_p": (np.sum(_REAL > p) + np.sum(_FAKE <= p)) / n,
            "at_zero": _reference_accuracy(_REAL, _FAKE, 0.5),
            "two_thresholds": (np.sum(_REAL > np.log(p / (1 - p))) + np.sum(_FAKE < np.log((1 - p) / p))) / n,
            "mean_of_means": (np.mean(_REAL > np.log(p / (1 - p))) + np.mean(_FAKE <= np.log(p / (1 - p)))) / 2,
            "mistakes": 1 - want,
        }
        if abs(got - mistakes["at_p"]) < 1e-6:
            raise Incorrect(f"with p = {p} you compared the logits with p itself, but p is a probability: "
                            "sigmoid(l) > p exactly when l > log(p / (1 - p)).")
        if abs(got - mistakes["at_zero"]) < 1e-6:
            raise Incorrect(f"with p = {p} your function gives the accuracy at the usual threshold (logit 0): "
                            "use p. sigmoid(l) > p exactly when l > log(p / (1 - p)).")
        if abs(got - mistakes["two_thresholds"]) < 1e-6:
            raise Incorrect("the discriminator has one threshold: whatever it does not call real, it calls fake. "
                            "A fake is classified correctly when sigmoid(l) <= p, not only when sigmoid(l) < 1 - p.")
        if abs(got - mistakes["mean_of_means"]) < 1e-6:
            raise Incorrect(f"you averaged the two accuracies; weight each example equally "
                            f"(here {_REAL.size} real and {_FAKE.size} fake).")
        if abs(got - mistakes["mistakes"]) < 1e-6:
            raise Incorrect("you counted the mistakes: a real image is right when D calls it real, a fake one when it does not.")
        raise Incorrect(f"with p = {p} your function gives {got:.4f}, the reference {want:.4f}.")


accuracy_at_confidence = Problem(
    "A cautious discriminator's accuracy",
    """
    A cautious discriminator calls an image real only when it is at least p sure: sigmoid(logit) > p
    (p = 0.9, say); everything else it calls fake. Write `d_accuracy_at(real_logits, fake_logits, p)`:
    the fraction of all examples it classifies correctly, from the logits (numpy arrays, any lengths)
    and p in (0, 1). Run `accuracy_at_confidence.check(d_accuracy_at)`.
    """,
    _check_accuracy,
    hint="For which logits l is sigmoid(l) > p? Solve 1 / (1 + e^(-l)) > p for l.",
    solution="""
    def d_accuracy_at(real_logits, fake_logits, p):
        threshold = np.log(p / (1 - p))          # sigmoid(l) > p  <=>  l > log(p / (1 - p)): the logit of p
        correct = np.sum(real_logits > threshold) + np.sum(fake_logits <= threshold)
        return correct / (real_logits.size + fake_logits.size)
    With p = 0.5 the threshold is log(1) = 0: the chapter's d_accuracy. Comparing sigmoid(l) > p directly
    is right too, but in float32 sigmoid rounds to 1.0 for l > 17, where every threshold p < 1 still works.
    """,
    reference=_reference_accuracy,
)

# ---------------------------------------------------------------------------
# 4. Extension: the hinge loss
# ---------------------------------------------------------------------------


def _reference_hinge(real_logits, fake_logits):
    real = np.asarray(real_logits, dtype=np.float64)
    fake = np.asarray(fake_logits, dtype=np.float64)
    return float(np.mean(np.maximum(0.0, 1.0 - real)) + np.mean(np.maximum(0.0, 1.0 + fake)))


def _check_hinge(fn):
    fn = function(fn, "d_hinge_loss", returns="a float (the loss)", scalar=True)
    real = np.array([2.0, 0.5, -0.5, 1.5, 0.9, -2.0], np.float32)  # 6 real, 4 fake: the sizes differ on purpose
    fake = np.array([-3.0, -0.2, 0.4, -1.1], np.float32)
    got = float(np.asarray(fn(real.copy(), fake.copy())))
    want = _reference_hinge(real, fake)
    if abs(got - want) < 1e-5:
        return
    r, f = real.astype(np.float64), fake.astype(np.float64)
    relu = lambda v: np.maximum(0.0, v)  # noqa: E731
    if abs(got - _reference_hinge(-r, -f)) < 1e-5:
        raise Incorrect("the signs are swapped: real logits should be pushed *above* +1, so the real term is "
                        "max(0, 1 - l_real), and fakes below -1, max(0, 1 + l_fake).")
    if abs(got - (np.mean(1 - r) + np.mean(1 + f))) < 1e-5:
        raise Incorrect("without the max(0, .) the loss keeps rewarding ever larger margins, like a Wasserstein critic. "
                        "The hinge stops caring once a real logit is above 1 or a fake one below -1.")
    if abs(got - float(np.mean(np.concatenate([relu(1 - r), relu(1 + f)])))) < 1e-5:
        raise Incorrect(f"you averaged over all {r.size + f.size} examples together; the hinge loss is the mean over "
                        "the real ones plus the mean over the fake ones (the batches may differ in size).")
    if abs(got - float(np.sum(relu(1 - r)) + np.sum(relu(1 + f)))) < 1e-5:
        raise Incorrect("that is the sum; take the mean of each term.")
    if abs(got - (np.mean(relu(-r)) + np.mean(relu(f)))) < 1e-5:
        raise Incorrect("the hinge has a margin of 1: max(0, 1 - l) for real logits, not max(0, -l).")
    raise Incorrect(f"your function gives {got:.4f}, the reference {want:.4f}.")


hinge_loss = Problem(
    "The discriminator's hinge loss",
    """
    Extension. Many modern GANs (SAGAN, BigGAN) train the discriminator with the hinge loss instead
    of BCE: L_D = mean(max(0, 1 - l_real)) + mean(max(0, 1 + l_fake)), for the logits l of a batch of
    real and a batch of fake images. Write `d_hinge_loss(real_logits, fake_logits)` (numpy arrays,
    possibly of different lengths), returning that number, and run `hinge_loss.check(d_hinge_loss)`.
    Then think: which examples still give a gradient, and which do not?
    """,
    _check_hinge,
    hint="np.maximum(0, 1 - real_logits) is zero for every real logit above 1: those examples are 'done'.",
    solution="""
    def d_hinge_loss(real_logits, fake_logits):
        return np.mean(np.maximum(0, 1 - real_logits)) + np.mean(np.maximum(0, 1 + fake_logits))
    Only real logits below +1 and fake logits above -1 contribute a gradient; a confidently right
    example contributes nothing, so the discriminator has no reason to push its logits to infinity
    (the same worry as chapter 1's saturating loss, answered differently). BCE, by contrast, still
    pushes a right example with logit 5 a little further.
    """,
    reference=_reference_hinge,
)

PROBLEMS = (no_sigmoid, receptive_field_problem, accuracy_at_confidence, hinge_loss)

__all__ = [
    "PROBLEMS", "SIGMOID_CHOICES", "no_sigmoid", "STACK", "receptive_field_problem", "accuracy_at_confidence",
    "hinge_loss",
]
