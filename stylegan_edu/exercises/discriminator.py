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
# 2. Receptive field of a stack
# ---------------------------------------------------------------------------

STACK = (("Conv2D", 4, 2), ("Conv2D", 4, 2), ("Conv2D", 3, 1))
_RF_ANSWER = 18  # r = 1 + 3*1 = 4 (j=2); 4 + 3*2 = 10 (j=4); 10 + 2*4 = 18


def _check_receptive_field(answer):
    r = number(answer, int, "one integer")
    if r == _RF_ANSWER:
        return
    if r in (11, 9):
        raise Incorrect("adding kernel sizes ignores the strides: after a stride-2 layer, one step of the next kernel spans 2 input pixels.")
    if r == 4 * 4 * 3:
        raise Incorrect("receptive fields grow by addition, not multiplication: r += (k - 1) * jump.")
    if r == 28:
        raise Incorrect("the Flatten + Dense head sees all 28 pixels, but here the last layer is a 3x3 Conv2D: one output pixel sees a patch.")
    if r in (10, 4):
        raise Incorrect("you stopped early: include all three layers.")
    raise Incorrect(f"{r} is not it. Start from r = 1, jump = 1; for each layer r += (k - 1) * jump, then jump *= stride.")


receptive_field_problem = Problem(
    "Receptive field of a stack",
    """
    Three layers, all with padding='same': Conv2D(kernel 4, stride 2), Conv2D(kernel 4, stride 2),
    Conv2D(kernel 3, stride 1). How many input pixels wide is the square one output pixel
    of the last layer sees? Pass an integer.
    """,
    _check_receptive_field,
    hint="Keep two numbers: r (the field) and the jump j between neighbouring outputs, in input pixels.",
    solution="""
    18. r = 1, j = 1 -> (k=4, s=2): r = 1 + 3*1 = 4, j = 2 -> (k=4, s=2): r = 4 + 3*2 = 10, j = 4
    -> (k=3, s=1): r = 10 + 2*4 = 18. Check: stylegan_edu.models.receptive_field(model).
    """,
    reference=_RF_ANSWER,
)

# ---------------------------------------------------------------------------
# 3. The discriminator's accuracy from logits
# ---------------------------------------------------------------------------


def _reference_accuracy(real_logits, fake_logits):
    real = np.asarray(real_logits).ravel()
    fake = np.asarray(fake_logits).ravel()
    return float((np.sum(real > 0) + np.sum(fake <= 0)) / (real.size + fake.size))


def _check_accuracy(fn):
    function(fn, "d_accuracy")
    real = np.array([0.3, 2.0, -1.0, 0.1, 5.0, 0.4], np.float32)  # 5 of 6 correct
    fake = np.array([-2.0, 0.2, -0.1, -3.0], np.float32)  # 3 of 4 correct
    got = float(np.asarray(fn(real, fake)))
    want = _reference_accuracy(real, fake)
    at_half = float((np.sum(real > 0.5) + np.sum(fake <= 0.5)) / 10)
    if abs(got - want) < 1e-6:
        return
    if abs(got - at_half) < 1e-6:
        raise Incorrect("you thresholded at 0.5, but these are logits: σ(ℓ) > 0.5 exactly when ℓ > 0, so threshold at 0.")
    if abs(got - (5 / 6 + 3 / 4) / 2) < 1e-6:
        raise Incorrect("you averaged the two accuracies; weight each example equally (here 6 real and 4 fake).")
    if abs(got - (1 - want)) < 1e-6:
        raise Incorrect("you counted the mistakes: a real image is right when its logit is > 0, a fake one when <= 0.")
    if abs(got - 5 / 6) < 1e-6 or abs(got - 3 / 4) < 1e-6:
        raise Incorrect("count both the real and the fake examples.")
    raise Incorrect(f"your function gives {got:.4f}, the reference {want:.4f}.")


accuracy_from_logits = Problem(
    "Accuracy from logits",
    """
    Write `d_accuracy(real_logits, fake_logits)`: the fraction of all examples the discriminator
    classifies correctly (real as real, fake as fake), given its logits (numpy arrays, any lengths).
    Run `accuracy_from_logits.check(d_accuracy)`.
    """,
    _check_accuracy,
    hint="D says 'real' when σ(ℓ) > 0.5. For which logits ℓ is that?",
    solution="""
    def d_accuracy(real_logits, fake_logits):
        correct = np.sum(real_logits > 0) + np.sum(fake_logits <= 0)   # σ(ℓ) > 0.5  <=>  ℓ > 0
        return correct / (real_logits.size + fake_logits.size)
    """,
    reference=_reference_accuracy,
)

PROBLEMS = (no_sigmoid, receptive_field_problem, accuracy_from_logits)

__all__ = ["PROBLEMS", "SIGMOID_CHOICES", "no_sigmoid", "STACK", "receptive_field_problem", "accuracy_from_logits"]
