"""Exercises for chapter 7, the weighted mixed loss.

Example:

>>> from stylegan_edu.exercises import mixed_loss as ex
>>> ex.dominant_part.check(ex.dominant_part.reference)
✓ Correct: Which weighted part dominates.
"""

import math

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, number

#: The article's weights (lambda, mu, gamma).
ARTICLE_WEIGHTS = {"content": 1.0, "style": 100.0, "tv": 1e-6}

#: Raw (unweighted) part sizes for the first two exercises.
RAW_PARTS = {"content": 2.0e3, "style": 0.5, "tv": 4.0e4}


def _weighted():
    return {k: ARTICLE_WEIGHTS[k] * RAW_PARTS[k] for k in RAW_PARTS}


# ---------------------------------------------------------------------------
# 1. Which part dominates?
# ---------------------------------------------------------------------------


def _dominant_wrong(key):
    w = _weighted()
    if key == max(RAW_PARTS, key=RAW_PARTS.get):
        return (f"the raw {key} part is the largest ({RAW_PARTS[key]:g}), but its weight "
                f"{ARTICLE_WEIGHTS[key]:g} shrinks it to {w[key]:g}. Compare weight x size.")
    return f"weighted, {key} is {ARTICLE_WEIGHTS[key]:g} x {RAW_PARTS[key]:g} = {w[key]:g}; another part is larger."


dominant_part = MultipleChoice(
    "Which weighted part dominates",
    f"""
    On some image the raw parts are content = {RAW_PARTS['content']:g}, style = {RAW_PARTS['style']:g},
    tv = {RAW_PARTS['tv']:g}. With the article's weights (lambda, mu, gamma) = (1, 100, 1e-6), which
    weighted part is the largest? Pass 'content', 'style' or 'tv'.
    """,
    tuple(RAW_PARTS),
    max(_weighted(), key=_weighted().get),
    _dominant_wrong,
    hint="Multiply each part by its weight before comparing.",
    solution="""
    content: 1 x 2000 = 2000;  style: 100 x 0.5 = 50;  tv: 1e-6 x 40000 = 0.04.
    Content dominates, by a factor of 40 over style; TV is negligible.
    """,
)

# ---------------------------------------------------------------------------
# 2. Choose gamma
# ---------------------------------------------------------------------------

_GAMMA = RAW_PARTS["content"] * ARTICLE_WEIGHTS["content"] / RAW_PARTS["tv"]


def _check_gamma(value):
    value = number(value)
    if not math.isfinite(value) or value <= 0:
        raise Incorrect("a weight is a positive, finite number.")
    if abs(value - _GAMMA) <= 1e-3 * _GAMMA:
        return
    if abs(value - 1.0 / _GAMMA) <= 1e-3 / _GAMMA:
        raise Incorrect(f"{value:g} is the inverse: gamma x {RAW_PARTS['tv']:g} should equal {RAW_PARTS['content']:g}.")
    if abs(value - 1e-6) < 1e-12:
        raise Incorrect("that is the article's gamma, which makes the TV part 0.04, far below the content part.")
    raise Incorrect(f"with gamma = {value:g} the TV part is {value * RAW_PARTS['tv']:g}, "
                    f"not {RAW_PARTS['content']:g}.")


balance_gamma = Problem(
    "Choose gamma",
    f"""
    Same raw parts (content = {RAW_PARTS['content']:g}, tv = {RAW_PARTS['tv']:g}) with lambda = 1.
    Which gamma makes the weighted TV part exactly as large as the weighted content part? Pass a number.
    """,
    _check_gamma,
    hint="Solve gamma x tv = lambda x content for gamma.",
    solution=f"""
    gamma = lambda x content / tv = 1 x 2000 / 40000 = {_GAMMA:g}
    (a weight balances the *sizes*; chapter 7 also compares gradient norms, which is what the optimiser feels).
    """,
    reference=_GAMMA,
)

# ---------------------------------------------------------------------------
# 3. The article's content term
# ---------------------------------------------------------------------------

CONTENT_CHOICES = {
    "a": "it pulls the generated images towards the real ones",
    "b": "nothing: it is identically zero and its gradient is zero",
    "c": "a small random push, because VGG features are noisy",
}


_SELF_CONTENT_WRONG = {
    "a": "look at the call again: compute_loss(real_images, real_images, fake_images) compares the "
        "*real* images with themselves; the fakes never enter the content term.",
    "c": "a frozen VGG is a deterministic function: the same image gives the same features, "
        "so F(x) - F(x) is exactly 0.",
}


self_content = MultipleChoice(
    "The article's content term",
    """
    The article's train step calls `compute_loss(real_images, real_images, fake_images)`, whose content
    part is the content loss between its first two arguments. What does that term contribute to the
    generator's update?
        a) it pulls the generated images towards the real ones
        b) nothing: it is identically zero and its gradient is zero
        c) a small random push, because VGG features are noisy
    Pass 'a', 'b' or 'c'.
    """,
    CONTENT_CHOICES,
    "b",
    _SELF_CONTENT_WRONG,
    hint="Which images does the content term compare? Does either depend on the generator's weights?",
    solution="""
    b) It compares real_images with real_images: F(x) - F(x) = 0 exactly, and neither input depends on the
    generator, so its gradient is 0. A content term needs a target that differs from the input and an input
    that the generator produces, e.g. content(G(x), x) when G enhances a photo x (the CLAHE chapter).
    """,
)

# ---------------------------------------------------------------------------
# 4. Which weight does the train step use?
# ---------------------------------------------------------------------------


def _check_effective_weight(value):
    value = number(value)
    if value == 1.0:
        return
    if value == 100.0:
        raise Incorrect("100 is mu inside compute_loss's total_loss, but the train step throws total_loss away "
                        "(`_, losses = ...`) and adds up the dict of *unweighted* parts.")
    raise Incorrect(f"{value:g} is not it: look at what `sum(losses.values())` adds up.")


effective_weight = Problem(
    "The style weight the train step really uses",
    """
    compute_loss returns `total_loss, {'content_loss': c, 'style_loss': s, 'tv_loss': t}` with
    total_loss = 1*c + 100*s + 1e-6*t. The article's train step does
        _, losses = compute_loss(real_images, real_images, fake_images)
        gen_loss = generator_loss(fake_logits) + sum(losses.values())
    With which weight does the style loss enter gen_loss? Pass a number.
    """,
    _check_effective_weight,
    hint="Which of the two returned values does the train step keep?",
    solution="""
    1. The weighted total is discarded (`_`); sum(losses.values()) = c + s + t adds the raw parts,
    so the article's (1, 100, 1e-6) never reach the generator: TV enters with weight 1, a million times
    more than intended.
    """,
    reference=1.0,
)

# ---------------------------------------------------------------------------
# 5. Extension: the style weight at twice the size
# ---------------------------------------------------------------------------

#: The image side the weights were tuned at, and the side of the new run (pixels).
SIDE_TUNED, SIDE_NEW = 256, 512

_AREA = (SIDE_NEW / SIDE_TUNED) ** 2  # how many times more positions every feature map has
_CONTENT_GROWS = _AREA  # a sum over positions: each position's term is unchanged, there are _AREA times more
_STYLE_GROWS = 1.0  # Gram matrices average over positions: repeating each position changes none
# mu * style' / content' = mu_tuned * style / content  =>  mu = mu_tuned * (content'/content) / (style'/style)
_MU_NEW = ARTICLE_WEIGHTS["style"] * _CONTENT_GROWS / _STYLE_GROWS


def _check_mu_at_size(value):
    value = number(value)
    if value <= 0:
        raise Incorrect("a weight is a positive number.")
    mu, side = ARTICLE_WEIGHTS["style"], SIDE_NEW / SIDE_TUNED
    close = lambda a, b: abs(a - b) <= 1e-3 * b  # noqa: E731
    if close(value, _MU_NEW):
        return
    if close(value, mu):
        raise Incorrect("the style part does not change (Gram matrices are averages over positions), but the "
                        "content part is a *sum* over positions, and there are more of them now.")
    if close(value, mu * side):
        raise Incorrect(f"the side grows {side:g} times, but a feature map's number of positions H*W grows "
                        f"{side:g} x {side:g} = {_AREA:g} times.")
    if close(value, mu / _AREA) or close(value, mu / side):
        raise Incorrect("that lowers mu, but the content part grew and the style part did not: to keep its "
                        "share, the style weight must grow with the content part.")
    if close(value, mu * _AREA**2):
        raise Incorrect(f"you squared the factor. Each position's term (F - P)^2 stays the same; only the number "
                        f"of positions grows, {_AREA:g} times, and so does the content part.")
    raise Incorrect(f"with mu = {value:g} the weighted style part is {value / _MU_NEW:.3g} times its old share of "
                    "the content part. By what factor does each part change?")


mu_at_double_size = Problem(
    "Extension: the style weight at twice the size",
    f"""
    You tuned (lambda, mu) = (1, {ARTICLE_WEIGHTS['style']:g}) on {SIDE_TUNED}x{SIDE_TUNED} images, with the raw content
    loss (1/2 the sum of (F - P)^2 over a layer, chapter 4) and the style loss of chapter 5 (Gram
    matrices normalised by H*W). Now you run at {SIDE_NEW}x{SIDE_NEW}. Assume every feature map simply
    doubles in height and width with the same values per position (each position repeated 2x2).
    Keeping lambda = 1, which mu keeps the weighted style part in the same ratio to the weighted
    content part as before? Pass a number.
    """,
    _check_mu_at_size,
    hint="For each part, ask: is it a sum over positions or an average over positions? "
    "Then how many positions does a feature map have at the new size?",
    solution=f"""
    The content part sums (F - P)^2 over H*W*C elements: {SIDE_NEW // SIDE_TUNED}x the side gives {_AREA:g}x the
    positions, each with the same term, so it grows {_AREA:g} times. A Gram entry is an *average* over positions,
    so repeating each position changes no Gram matrix and the style part stays the same. To keep
    mu * style / (lambda * content), mu grows {_AREA:g} times: mu = {_MU_NEW:g}.
    Raw-sum weights are tied to the image size; chapter 10's normalised (relative) losses, divided by their
    size at the target, remove that dependence (and TV, a sum over pixels whose growth depends on the image,
    would need its own factor).
    """,
    reference=_MU_NEW,
)

PROBLEMS = (dominant_part, balance_gamma, self_content, effective_weight, mu_at_double_size)

__all__ = [
    "PROBLEMS", "ARTICLE_WEIGHTS", "RAW_PARTS", "dominant_part", "balance_gamma", "CONTENT_CHOICES", "self_content",
    "effective_weight", "SIDE_TUNED", "SIDE_NEW", "mu_at_double_size",
]
