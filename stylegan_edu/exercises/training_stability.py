"""Exercises for chapter 8, training stability: vanishing and exploding gradients.

Example:

>>> from stylegan_edu.exercises import training_stability as ex
>>> ex.sigmoid_bound.check(ex.sigmoid_bound.reference)
✓ Correct: How much can ten sigmoids shrink a gradient.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, Problem, function, number


def _close(a, b, rel=1e-3):
    return abs(a - b) <= rel * max(abs(b), 1e-300)


# ---------------------------------------------------------------------------
# 1. The sigmoid's bound on the gradient
# ---------------------------------------------------------------------------

_SIGMOID_BOUND = 0.25**10


def _check_sigmoid_bound(value):
    v = number(value)
    if _close(v, _SIGMOID_BOUND):
        return
    if _close(v, 0.25):
        raise Incorrect("0.25 is the bound for one sigmoid; the chain rule multiplies one such factor per layer.")
    if _close(v, 2.5):
        raise Incorrect("the chain rule multiplies the layers' factors, it does not add them.")
    if _close(v, 0.5**10) or _close(v, 1.0):
        raise Incorrect("the sigmoid's derivative s(1 - s) peaks at s = 1/2, where it is 1/4 (tanh's peaks at 1).")
    raise Incorrect(f"{v:.3g} is not it. What is the largest value of sigmoid'(x), and how many times is it applied?")


sigmoid_bound = Problem(
    "How much can ten sigmoids shrink a gradient",
    """
    A gradient flows back through 10 sigmoid activations (take the weights' factors as 1).
    Each multiplies it by sigmoid'(x) = s(1 - s). What is the largest factor by which the
    gradient at the first layer can be as large as at the last one? Pass a number.
    """,
    _check_sigmoid_bound,
    hint="Find the maximum of s(1 - s) for s in (0, 1), then use the chain rule.",
    solution="""
    max s(1 - s) = 1/4 at s = 1/2, so the factor is at most (1/4)^10 = 9.5e-7: with sigmoids,
    the first layers of a deep network get about a millionth of the gradient of the last one.
    """,
    reference=_SIGMOID_BOUND,
)

# ---------------------------------------------------------------------------
# 2. The saturating generator loss when D wins
# ---------------------------------------------------------------------------

_LOGIT = -5.0
_SAT_GRAD = -1.0 / (1.0 + math.exp(-_LOGIT))  # d/dl log(1 - sigmoid(l)) = -sigmoid(l)
_NONSAT_GRAD = 1.0 / (1.0 + math.exp(-_LOGIT)) - 1.0  # d/dl -log sigmoid(l) = sigmoid(l) - 1


def _check_saturating_gradient(value):
    v = number(value)
    if _close(v, _SAT_GRAD):
        return
    if _close(v, -_SAT_GRAD):
        raise Incorrect("check the sign: log(1 - sigmoid(l)) decreases as l grows.")
    if _close(v, _NONSAT_GRAD) or _close(v, -_NONSAT_GRAD):
        raise Incorrect("that is the gradient of the non-saturating loss -log sigmoid(l); the question asks for log(1 - sigmoid(l)).")
    if _close(v, math.log(1 - 1 / (1 + math.exp(-_LOGIT)))):
        raise Incorrect("that is the loss itself; the question asks for its derivative with respect to the logit.")
    raise Incorrect(f"{v:.4g} is not it. Write sigmoid'(l) = sigmoid(l)(1 - sigmoid(l)) and use the chain rule.")


saturating_gradient = Problem(
    "The saturating loss when D wins",
    f"""
    The discriminator is winning: it gives a fake image the logit l = {_LOGIT:g} (D = sigmoid(l) ≈ 0.0067).
    The minimax (saturating) generator loss is L = log(1 - sigmoid(l)). What is dL/dl at l = {_LOGIT:g}?
    Pass a number (4 significant digits are enough).
    """,
    _check_saturating_gradient,
    hint="d/dl log(1 - sigmoid(l)) = -sigmoid'(l) / (1 - sigmoid(l)), and sigmoid' = sigmoid (1 - sigmoid).",
    solution=f"""
    dL/dl = -sigmoid(l) = {_SAT_GRAD:.6f}: tiny, because D is confident. The non-saturating loss
    -log sigmoid(l) has dL/dl = sigmoid(l) - 1 = {_NONSAT_GRAD:.4f}, about 150 times larger: it learns
    exactly when the generator is worst.
    """,
    reference=_SAT_GRAD,
)

# ---------------------------------------------------------------------------
# 3. He initialisation
# ---------------------------------------------------------------------------

_FAN_IN = 256
_HE_STD = math.sqrt(2.0 / _FAN_IN)


def _check_he_std(value):
    v = number(value)
    if _close(v, _HE_STD):
        return
    if _close(v, 2.0 / _FAN_IN):
        raise Incorrect("that is the variance 2 / fan_in; the initialiser takes the standard deviation, its square root.")
    if _close(v, math.sqrt(1.0 / _FAN_IN)):
        raise Incorrect("sqrt(1 / fan_in) keeps the variance for linear or tanh units; ReLU zeroes half its inputs, so it needs twice the variance.")
    if _close(v, 0.02):
        raise Incorrect("0.02 is DCGAN's choice, which works together with BatchNorm; without it, chapter 8 measures the signal dying layer by layer.")
    raise Incorrect(f"{v:.4g} is not it. Which variance keeps E[h^2] constant from layer to layer with ReLU?")


he_init_std = Problem(
    "He initialisation for ReLU",
    f"""
    A Dense layer with {_FAN_IN} inputs is followed by ReLU. With which standard deviation should its
    weights be drawn from N(0, std^2) so that the activations keep their scale through many such
    layers (He et al., 2015)? Pass a number.
    """,
    _check_he_std,
    hint="Var(h_out) = fan_in * Var(w) * E[h_in^2], and ReLU keeps half of E[z^2].",
    solution=f"""
    Var(w) = 2 / fan_in, so std = sqrt(2 / {_FAN_IN}) = {_HE_STD:.4f}.
    (keras.initializers.HeNormal uses this value, truncated.)
    """,
    reference=_HE_STD,
)

# ---------------------------------------------------------------------------
# 4. Diagnose gradient-norm profiles
# ---------------------------------------------------------------------------

#: per-layer gradient norms, input layer first, as chapter 8 measures them
PROFILES = {
    "A": (1.6e-10, 1.2e-09, 1.4e-07, 1.8e-05, 2.0e-02, 2.2e-01),
    "B": (3.1e08, 3.2e08, 2.4e08, 2.7e08, 4.1e08, 4.8e08),
    "C": (7.3, 7.3, 5.3, 5.6, 7.9, 8.9),
}
_DIAGNOSES = {"A": "vanishing", "B": "exploding", "C": "healthy"}


def _check_diagnoses(answer):
    if not isinstance(answer, dict):
        raise Incorrect("pass a dict, e.g. {'A': 'vanishing', 'B': ..., 'C': ...}.")
    got = {str(k).upper(): str(v).strip().lower() for k, v in answer.items()}
    if set(got) != set(_DIAGNOSES):
        raise Incorrect(f"give a diagnosis for each of {sorted(_DIAGNOSES)}.")
    allowed = {"vanishing", "exploding", "healthy"}
    if not set(got.values()) <= allowed:
        raise Incorrect(f"use the words {sorted(allowed)}.")
    if got["A"] != "vanishing":
        raise Incorrect("look at A's first layer: 1e-10, against 0.2 at the output. A gradient that shrinks layer by layer towards the input is vanishing.")
    if got["B"] != "exploding":
        raise Incorrect("B's norms are similar across layers, but 1e8 is not a usable size for a gradient: it explodes (the forward signal grew with every layer).")
    if got["C"] != "healthy":
        raise Incorrect("C stays within a factor of 2 across layers at a moderate size: that is what a healthy network looks like.")


diagnose_profiles = Problem(
    "Diagnose gradient-norm profiles",
    """
    `PROFILES` holds three networks' per-layer gradient norms, input layer first. Call each
    'vanishing', 'exploding' or 'healthy'. Pass a dict: {'A': ..., 'B': ..., 'C': ...}.
    """,
    _check_diagnoses,
    hint="Compare the first layer with the last, and the size of the numbers with 1.",
    solution="""
    {'A': 'vanishing', 'B': 'exploding', 'C': 'healthy'}. A is the sigmoid network of chapter 8,
    B ReLU with N(0, 1) weights, C ReLU with He initialisation.
    """,
    reference=dict(_DIAGNOSES),
)

# ---------------------------------------------------------------------------
# 5. Extension: a linear learning-rate warm-up
# ---------------------------------------------------------------------------

#: (base_lr, warmup_steps) on which the checker compares the learner's warm-up with the reference
WARMUP_SETTINGS = ((1e-3, 10), (0.5, 30), (2e-4, 1))


def _reference_warmup(step, base_lr, warmup_steps):
    return base_lr * min(1.0, (step + 1) / warmup_steps)


def _warmup_steps_checked(warmup_steps):
    """The 0-based steps the checker asks about: all of the warm-up, its end, and far beyond."""
    return np.array(sorted(set(range(warmup_steps + 3)) | {warmup_steps + 10, 1000, 100_000}))


def _as_todo(fn):
    """``fn``, where returning ``____`` or ``...``, or computing with ``____``, counts as not attempted."""
    from stylegan_edu.exercises._framework import Blank

    def call(*args):
        try:
            out = fn(*args)
        except TypeError as e:
            if "Blank" in str(e):  # e.g. base_lr * ____: the body is not written yet
                raise NotImplementedError from e
            raise
        if out is Ellipsis or isinstance(out, Blank):
            raise NotImplementedError
        return out

    return call


def _warmup_rates(fn, base, w):
    """The learner's rates at :func:`_warmup_steps_checked` as a float64 array, or :class:`Incorrect`."""
    rates = []
    for step in _warmup_steps_checked(w):
        try:
            out = fn(int(step), base, w)
        except ZeroDivisionError:
            raise Incorrect(f"my_warmup({step}, {base:g}, {w}) divides by zero. With warmup_steps = 1 there is no "
                            "warm-up: the rate is base_lr from step 0. Divide by warmup_steps, not "
                            "warmup_steps - 1.") from None
        rate = float(np.asarray(out, dtype=np.float64).reshape(()))
        if not math.isfinite(rate):
            raise Incorrect(f"my_warmup({step}, {base:g}, {w}) returned {rate}; a learning rate is a finite number.")
        rates.append(rate)
    return np.array(rates)


def _warmup_mistakes(steps, base, w):
    """(rates, message) of typical wrong warm-ups at ``steps`` for one setting."""
    s = steps.astype(np.float64)
    ramp = np.geomspace(base / w, base, w) if w > 1 else np.array([base])
    geometric = np.where(steps < w, ramp[np.minimum(steps, w - 1)], base)  # base_lr / w * w^(step / (w - 1))
    return [
        (base * np.minimum(1.0, (steps + 1) // w),
         "your rate stays at 0 and then jumps to base_lr: `//` is integer division, so (step + 1) // warmup_steps "
         "is 0 until the end of the warm-up. Use `/`."),
        (base * np.minimum(1.0, steps // w),
         "your rate stays at 0 and then jumps to base_lr: `//` is integer division. Use `/`, and count step 0 as "
         "the first step: (step + 1) / warmup_steps."),
        (base * np.minimum(1.0, s / w),
         "off by one: at step 0 your rate is 0, so the first update does nothing, and base_lr comes one step late. "
         "Step 0 is the first step and already takes base_lr / warmup_steps: use (step + 1) / warmup_steps."),
        (base * np.minimum(1.0, (s + 1) / (w + 1)),
         "off by one: your warm-up reaches base_lr one step late, at step warmup_steps. It should reach it at "
         "step warmup_steps - 1: lr = base_lr * (step + 1) / warmup_steps during the warm-up."),
        (base * (s + 1) / w,
         "after the warm-up your rate keeps growing past base_lr (it is linear for ever). The warm-up ends at "
         "base_lr and the rate stays there: cap the factor at 1 with min(1, ...)."),
        (np.minimum(1.0, (s + 1) / w),
         "you returned the warm-up's factor, between 0 and 1; the learning rate is that factor times base_lr."),
        (np.full_like(s, base / w),
         "your rate stays at base_lr / warmup_steps: the warm-up never reaches base_lr. It should grow by "
         "base_lr / warmup_steps each step."),
        (geometric,
         "your warm-up is geometric (exponential): it multiplies the rate by the same factor each step. A linear "
         "warm-up adds the same amount, base_lr / warmup_steps, each step."),
    ]


def _diagnose_warmup(steps, got, base, w):
    """Raise :class:`Incorrect` with the most specific message for wrong rates ``got`` (one setting)."""
    close = lambda a, b: np.abs(np.asarray(a) - np.asarray(b)) <= 1e-5 * base  # noqa: E731
    for rates, message in _warmup_mistakes(steps, base, w):
        if np.all(close(got, rates)):
            raise Incorrect(message)
    where = f"(base_lr={base:g}, warmup_steps={w})"
    if w > 1 and close(got[0], base):
        raise Incorrect(f"at step 0 your rate is already base_lr {where}: that is no warm-up. The first step takes "
                        "base_lr / warmup_steps.")
    bases, ws = {base} | {b for b, _ in WARMUP_SETTINGS}, {w} | {n for _, n in WARMUP_SETTINGS}
    for other_base, other_w in sorted((b, n) for b in bases for n in ws if (b, n) != (base, w)):
        fixed = np.array([_reference_warmup(int(k), other_base, other_w) for k in steps])  # an argument ignored
        if np.all(close(got, fixed)):
            raise Incorrect(f"for base_lr={base:g}, warmup_steps={w} your function gives the rates of base_lr="
                            f"{other_base:g}, warmup_steps={other_w}: use the arguments, not fixed numbers.")
    want = np.array([_reference_warmup(int(k), base, w) for k in steps])
    if close(got[0], 0.0):
        raise Incorrect(f"at step 0 your rate is 0 {where}: the first update would do nothing. Step 0 is the first "
                        "step; it takes base_lr / warmup_steps.")
    after = steps >= w - 1
    high = after & (got > base * (1 + 1e-5))
    if high.any():
        k = int(steps[high][0])
        raise Incorrect(f"after the warm-up your rate exceeds base_lr: at step {k} it is {got[steps == k][0]:.4g} "
                        f"{where}. Once it reaches base_lr the rate stays there: min(1, ...).")
    low = after & ~close(got, base)
    if low.any():
        k = int(steps[low][0])
        when = "reaches base_lr too late" if close(got[-1], base) else "never reaches base_lr"
        raise Incorrect(f"your warm-up {when}: at step {k} your rate is {got[steps == k][0]:.4g}, base_lr is "
                        f"{base:g} {where}. From step warmup_steps - 1 on, the rate is base_lr.")
    if not close(got[0], want[0]):
        raise Incorrect(f"at step 0 your rate is {got[0]:.4g}; it should be base_lr / warmup_steps = {want[0]:.4g} "
                        f"{where}.")
    ramp = got[steps < w]
    steps_up = np.diff(ramp)
    if len(steps_up) > 1 and np.all(steps_up[1:] > steps_up[:-1] * (1 + 1e-6)):
        raise Incorrect("your warm-up speeds up: each step adds more than the one before, as an exponential "
                        "does. A linear warm-up adds the same amount, base_lr / warmup_steps, each step.")
    wrong = ~close(got, want)
    k = int(steps[wrong][0])
    raise Incorrect(f"at step {k} your rate is {got[wrong][0]:.4g}, the linear warm-up's {want[wrong][0]:.4g} "
                    f"{where}. Each step adds base_lr / warmup_steps until the rate reaches base_lr.")


def _check_warmup(fn):
    function(fn, "my_warmup")  # a function, or "pass your function itself"
    fn = function(_as_todo(fn), "my_warmup", returns="a float (the learning rate)", scalar=True)
    for base, w in WARMUP_SETTINGS:
        steps = _warmup_steps_checked(w)
        got = _warmup_rates(fn, base, w)
        want = np.array([_reference_warmup(int(k), base, w) for k in steps])
        if not np.all(np.abs(got - want) <= 1e-5 * base):
            _diagnose_warmup(steps, got, base, w)


lr_warmup = Problem(
    "Extension: a linear learning-rate warm-up",
    """
    Extension. Tip 5 warmed the learning rate up linearly; Adam-trained networks (transformers,
    large-batch GANs) routinely do. Write `my_warmup(step, base_lr, warmup_steps)`, the learning rate
    for the 0-based training step `step` (step 0 is the first update):
      * step 0 takes base_lr / warmup_steps, and each following step adds base_lr / warmup_steps;
      * step warmup_steps - 1 reaches base_lr, and every later step keeps base_lr.
    For example, base_lr = 0.001 and warmup_steps = 4 give 0.00025, 0.0005, 0.00075, 0.001, 0.001, ...
    Return one number. Then run `lr_warmup.check(my_warmup)`; it tries several settings, including
    warmup_steps = 1 (no warm-up at all).
    """,
    _check_warmup,
    hint="During the warm-up the rate is base_lr times a fraction that is 1/warmup_steps at step 0 and grows by "
    "1/warmup_steps per step. What stops that fraction at 1?",
    solution="""
    def my_warmup(step, base_lr, warmup_steps):
        return base_lr * min(1.0, (step + 1) / warmup_steps)   # (step + 1): step 0 is the first update

    It is the schedule of tip 5, `lambda s: 0.5 * min(1.0, (s + 1) / 30)`, which
    `stability.train_and_record(..., learning_rate=...)` sets before each step. Keras has the same ramp:
    `keras.optimizers.schedules.CosineDecay(base_lr / warmup_steps, decay_steps=1, alpha=1.0,
    warmup_target=base_lr, warmup_steps=warmup_steps - 1)` (alpha=1.0 turns the decay off).
    `training.learning_rate_at` is a per-epoch schedule (constant, halved each epoch, or cosine) with no
    warm-up; a warm-up is per step, and multiplies such a schedule: learning_rate_at(epoch, ...) * min(1, ...).
    Why Adam needs it: its first update is m/sqrt(v) = g/|g|, a step of the full learning rate in every
    weight whatever the gradient's size, and its bias-corrected second moment v averages only the few
    gradients seen so far, where it will later average about 1 / (1 - beta_2) = 1000 of them (Keras'
    beta_2 = 0.999). Small steps while those estimates settle keep one unlucky early batch from
    throwing the weights far away.
    """,
    reference=_reference_warmup,
)

PROBLEMS = (sigmoid_bound, saturating_gradient, he_init_std, diagnose_profiles, lr_warmup)

__all__ = [
    "PROBLEMS", "sigmoid_bound", "saturating_gradient", "he_init_std", "PROFILES", "diagnose_profiles",
    "WARMUP_SETTINGS", "lr_warmup",
]
