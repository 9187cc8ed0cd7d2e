"""Exercises for chapter 4, the content loss.

Example:

>>> from stylegan_edu.exercises import content_loss as ex
>>> ex.content_loss_fn.check(ex.content_loss_fn.reference)
✓ Correct: Content loss from scratch.
"""

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function, integers

# ---------------------------------------------------------------------------
# 1. The content loss from scratch
# ---------------------------------------------------------------------------


def _reference_content_loss(F, P):
    F, P = np.asarray(F, np.float64), np.asarray(P, np.float64)
    per_image = 0.5 * np.sum((F - P) ** 2, axis=tuple(range(1, F.ndim)))  # (B,)
    return float(np.mean(per_image))


def _as_number(value, what):
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} returned {type(value).__name__}; return one number (a scalar).") from None
    if arr.size != 1:
        raise Incorrect(f"{what} returned an array of shape {arr.shape}; reduce it to one number (a scalar).")
    return float(arr.reshape(()))


def _check_content_loss(fn):
    fn = function(fn, "my_content_loss", returns="a float (the loss)")
    rng = np.random.default_rng(4)
    F = rng.normal(size=(3, 4, 5, 6)).astype(np.float32)  # (B, H, W, C)
    P = rng.normal(size=(3, 4, 5, 6)).astype(np.float32)
    got = _as_number(fn(F, P), "your function")
    want = _reference_content_loss(F, P)
    d = (F.astype(np.float64) - P)
    close = lambda a, b: abs(a - b) <= 1e-4 * max(1.0, abs(b))  # noqa: E731
    if close(got, want):
        if _as_number(fn(F, F), "your function") != 0.0:
            raise Incorrect("the loss of an image against itself must be exactly 0.")
        return
    if close(got, 2 * want):
        raise Incorrect("your value is twice the reference: the article's formula has a factor 1/2 in front "
                        "(it cancels the 2 of the square's derivative).")
    if close(got, float(np.mean(d**2))):
        raise Incorrect("you averaged over all elements: that is the mean-normalised variant. "
                        "Here, sum over H, W, C with the factor 1/2, then average over the batch only.")
    if close(got, want * len(F)):
        raise Incorrect("you summed over the batch too; average the per-image losses over the batch.")
    if close(got, 0.5 * float(np.sum(np.abs(d))) / len(F)):
        raise Incorrect("you used |F - P|; the content loss squares the differences.")
    raise Incorrect(f"on random features your function gives {got:.4f}, the reference {want:.4f}.")


content_loss_fn = Problem(
    "Content loss from scratch",
    """
    Write `my_content_loss(F, P)` for numpy feature maps F and P of shape (B, H, W, C):
    for each image, 1/2 times the sum of squared differences over H, W and C; then the mean
    over the batch. Then run `content_loss_fn.check(my_content_loss)`.
    """,
    _check_content_loss,
    hint="np.sum(..., axis=(1, 2, 3)) gives one number per image; np.mean of those averages the batch.",
    solution="""
    def my_content_loss(F, P):
        per_image = 0.5 * np.sum((F - P) ** 2, axis=(1, 2, 3))  # (B,)
        return np.mean(per_image)
    """,
    reference=_reference_content_loss,
)

# ---------------------------------------------------------------------------
# 2. The gradient of the content loss, by hand
# ---------------------------------------------------------------------------

GRAD_F = (1.0, 2.0, 3.0)
GRAD_P = (0.0, 2.0, 5.0)
_GRAD_ANSWER = tuple(f - p for f, p in zip(GRAD_F, GRAD_P))


def _check_gradient(answer):
    try:
        g = np.asarray(answer, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise Incorrect("pass three numbers, e.g. [0.0, 0.0, 0.0].") from None
    want = np.asarray(_GRAD_ANSWER)
    if g.shape != want.shape:
        raise Incorrect(f"pass three numbers, one per element of F (received {g.size}).")
    if np.allclose(g, want):
        return
    if np.allclose(g, 2 * want):
        raise Incorrect("you differentiated (F - P)^2 but forgot the 1/2 in front: it cancels the 2.")
    if np.allclose(g, -want):
        raise Incorrect("the sign is flipped: the gradient with respect to F is F - P, pointing away from P.")
    if np.allclose(g, 0.5 * want**2):
        raise Incorrect("that is the loss of each element, not its derivative.")
    raise Incorrect(f"{g.tolist()} is not it: differentiate 1/2 (F_k - P_k)^2 with respect to F_k.")


content_gradient = Problem(
    "Gradient of the content loss",
    f"""
    One image, features F = {list(GRAD_F)} and target P = {list(GRAD_P)}.
    With L = 1/2 sum_k (F_k - P_k)^2, what is dL/dF (three numbers)?
    Pass them, e.g. `content_gradient.check([0.0, 0.0, 0.0])`.
    """,
    _check_gradient,
    hint="d/dF_k of 1/2 (F_k - P_k)^2 is (F_k - P_k).",
    solution=f"""
    dL/dF = F - P = {list(_GRAD_ANSWER)}. Gradient descent moves F towards P, and elements that
    already match (the middle one) get no gradient. The 1/2 exists only to cancel the 2.
    """,
    reference=list(_GRAD_ANSWER),
)

# ---------------------------------------------------------------------------
# 3. The shape of a VGG feature map
# ---------------------------------------------------------------------------

#: Not a size the chapter prints: a batch of two 96 x 160 (height x width) images.
SHAPE_INPUT = (2, 96, 160, 3)
SHAPE_LAYER = "block3_conv1"
#: VGG16's filters per block, and the 2x2 max-pools that come before ``SHAPE_LAYER`` (those of blocks 1 and 2).
_VGG_CHANNELS = (64, 128, 256, 512, 512)
_POOLS_BEFORE = 2
_SHAPE_ANSWER = (SHAPE_INPUT[0], SHAPE_INPUT[1] // 2**_POOLS_BEFORE, SHAPE_INPUT[2] // 2**_POOLS_BEFORE, _VGG_CHANNELS[2])


def _spatial(pools):
    return (SHAPE_INPUT[1] // 2**pools, SHAPE_INPUT[2] // 2**pools)


def _check_shape(answer):
    shape = integers(answer, "a shape as a tuple of four integers, e.g. (1, 32, 32, 64)")
    if shape == _SHAPE_ANSWER:
        return
    if len(shape) != 4:
        raise Incorrect(f"a feature map has four axes (B, H, W, C); you gave {len(shape)}.")
    b, h, w, c = shape
    want_b, want_h, want_w, want_c = _SHAPE_ANSWER
    if (h, w) == (want_w, want_h):
        raise Incorrect(f"height and width are swapped: the input is {SHAPE_INPUT[1]} high and {SHAPE_INPUT[2]} "
                        "wide, and a feature map keeps the order (B, H, W, C).")
    if (h, w) == _spatial(_POOLS_BEFORE + 1):
        raise Incorrect(f"{SHAPE_LAYER} comes *before* block3_pool: only the pools of blocks 1 and 2 have "
                        "halved the size so far.")
    if (h, w) == _spatial(_POOLS_BEFORE - 1):
        raise Incorrect("one pooling is missing: blocks 1 and 2 both end with a 2x2 max-pool, so the size "
                        f"is halved twice before {SHAPE_LAYER}.")
    if (h, w) == _spatial(0):
        raise Incorrect("VGG's 3x3 convolutions use 'same' padding, but the max-pooling layers between "
                        "blocks halve height and width.")
    if (h, w) == (want_h, want_w) and c != want_c:
        raise Incorrect(f"the height and width are right; count the channels again: VGG16's blocks have "
                        f"64, 128, 256, 512, 512 filters (you said {c}).")
    if (h, w, c) == (want_h, want_w, want_c) and b != want_b:
        raise Incorrect(f"the batch axis passes through unchanged: {want_b} images in, {want_b} feature maps "
                        f"out (you said {b}).")
    raise Incorrect(f"{shape} is not it: count the pools before block 3 and halve "
                    f"{SHAPE_INPUT[1]} x {SHAPE_INPUT[2]} once per pool.")


feature_shape = Problem(
    "Shape of a VGG16 feature map",
    f"""
    A batch of shape {SHAPE_INPUT} (B, H, W, C) goes into VGG16. What is the shape of the feature
    map at `{SHAPE_LAYER}`? Pass a tuple: `feature_shape.check((1, 32, 32, 64))`.
    """,
    _check_shape,
    hint="Each block ends with a 2x2 max-pool; the convolutions keep the size. Blocks 1-5 have "
    "64, 128, 256, 512, 512 channels. Height and width are halved separately.",
    solution=f"""
    {_SHAPE_ANSWER}: {SHAPE_LAYER} sits after the pools of blocks 1 and 2
    ({SHAPE_INPUT[1]} -> {SHAPE_INPUT[1] // 2} -> {_SHAPE_ANSWER[1]} high, {SHAPE_INPUT[2]} -> {SHAPE_INPUT[2] // 2} -> {_SHAPE_ANSWER[2]} wide),
    block 3 has {_VGG_CHANNELS[2]} filters, and the batch of {SHAPE_INPUT[0]} passes through. Check it:
    features.vgg16_extractor("{SHAPE_LAYER}")(np.zeros({SHAPE_INPUT}, "float32"))["{SHAPE_LAYER}"].shape.
    """,
    reference=_SHAPE_ANSWER,
)

# ---------------------------------------------------------------------------
# 4. Which layer keeps the pixels?
# ---------------------------------------------------------------------------

LAYER_CHOICES = {
    "a": "block1_conv2 (shallow)",
    "b": "block4_conv2 (deep)",
}


_LAYER_WRONG = {
    "b": "a deep layer has 8x fewer positions per side and ReLUs and pools that throw "
        "information away: many images share its features, so a reconstruction keeps the "
        "layout, not the exact pixels. Look at the other one.",
}


which_layer = MultipleChoice(
    "Which layer keeps the pixels",
    """
    You reconstruct an image from its content loss at one VGG16 layer. Which layer gives back
    (almost) the exact pixels, colours and fine texture included?
        a) block1_conv2 (shallow)
        b) block4_conv2 (deep)
    Pass 'a' or 'b'.
    """,
    LAYER_CHOICES,
    "a",
    _LAYER_WRONG,
    hint="Count how many positions each layer keeps (H x W), and how many pooling and ReLU layers "
    "lie between the pixels and the layer.",
    solution="""
    'a'. block1_conv2 keeps every pixel position with 64 channels of local filters: the map from
    pixels to features is nearly invertible, so the reconstruction matches the image. block4_conv2
    sees the image through three poolings: it keeps *what is where* at a coarse scale (the content)
    and lets the fine detail go, which is why style transfer uses a deep layer for content.
    """,
)

# ---------------------------------------------------------------------------
# 5. Extension: the gradient on a pixel, through a 1x1 convolution
# ---------------------------------------------------------------------------

#: One pixel with two channels, a 1x1 convolution (no bias) to three features, and the target features.
PIXEL_X = (1.0, 2.0)
#: KERNEL_W[i][k] connects input channel i to feature k (Keras' kernel (1, 1, 2, 3) without its 1x1).
KERNEL_W = ((1.0, 0.0, 2.0),
            (0.0, 1.0, -1.0))
PIXEL_TARGET = (0.0, 2.0, 1.0)

_X, _W, _P = np.asarray(PIXEL_X), np.asarray(KERNEL_W), np.asarray(PIXEL_TARGET)
_PIXEL_F = _X @ _W  # (3,): the features of the pixel
_PIXEL_GRAD = _W @ (_PIXEL_F - _P)  # (2,): dL/dx = W (F - P), the chain rule through F = x W


def _check_pixel_gradient(answer):
    if isinstance(answer, (str, bytes, dict, bool)):
        raise Incorrect(f"pass two numbers, one per channel of the pixel, e.g. [0.0, 0.0] (received {answer!r:.40}).")
    try:
        g = np.asarray(answer, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise Incorrect("pass two numbers, one per channel of the pixel, e.g. [0.0, 0.0].") from None
    if not np.all(np.isfinite(g)):
        raise Incorrect("pass two finite numbers.")
    error = _PIXEL_F - _P  # (3,) = dL/dF
    if g.size == error.size and np.allclose(g, error):
        raise Incorrect("that is dL/dF, one number per feature (exercise 2). The question asks for dL/dx: carry "
                        "F - P back through the convolution, one number per input channel.")
    if g.size == 1 and np.allclose(g, 0.5 * np.sum(error**2)):
        raise Incorrect("that is the loss L itself; the question asks for its gradient with respect to x.")
    if g.size != _PIXEL_GRAD.size:
        raise Incorrect(f"pass two numbers, one per channel of the pixel x (received {g.size}).")
    if np.allclose(g, _PIXEL_GRAD):
        return
    if np.allclose(g, 2 * _PIXEL_GRAD):
        raise Incorrect("twice the answer: the 1/2 in front of the loss cancels the 2 of the square.")
    if np.allclose(g, -_PIXEL_GRAD):
        raise Incorrect("the sign is flipped: the gradient is W (F - P), the error F - P, not P - F.")
    if np.allclose(g, _W @ _PIXEL_F):
        raise Incorrect("you sent F back through W, not the error F - P: the target P is missing.")
    if np.allclose(g, np.full(2, error.sum())) or np.allclose(g, 0.0):
        raise Incorrect("each feature's error reaches input channel i weighted by W[i][k], the weight that "
                        "made that feature from that channel: dL/dx_i = sum_k W[i][k] (F_k - P_k).")
    raise Incorrect(f"{g.tolist()} is not it: first F = x W and F - P, then dL/dx_i = sum_k W[i][k] (F_k - P_k).")


pixel_gradient = Problem(
    "Extension: the gradient on a pixel",
    f"""
    In style transfer the optimised variable is the image. Take the smallest "network": one pixel
    x = {list(PIXEL_X)} (two channels) and a 1x1 convolution without bias to three features,
    F_k = sum_i x_i W[i][k], with
        W = {[list(row) for row in KERNEL_W]}    (row i: input channel i)
    and target features P = {list(PIXEL_TARGET)}. With L = 1/2 sum_k (F_k - P_k)^2, what is dL/dx
    (two numbers)? Pass them: `pixel_gradient.check([0.0, 0.0])`.
    """,
    _check_pixel_gradient,
    hint="Chain rule: dL/dx_i = sum_k dL/dF_k * dF_k/dx_i. Exercise 2 gave dL/dF_k; what is dF_k/dx_i?",
    solution=f"""
    F = x W = {_PIXEL_F.tolist()}, so dL/dF = F - P = {(_PIXEL_F - _P).tolist()}.
    dF_k/dx_i = W[i][k], so dL/dx = W (F - P) = {_PIXEL_GRAD.tolist()}: each feature's error flows back
    along the weight that made it. The first feature is too large and channel 0 feeds it, but channel 0
    also feeds the third feature, which is too small, twice as strongly. A real VGG does the same through
    13 convolutions, ReLUs and pools; tf.GradientTape applies this rule layer by layer.
    """,
    reference=_PIXEL_GRAD.tolist(),
)

PROBLEMS = (content_loss_fn, content_gradient, feature_shape, which_layer, pixel_gradient)

__all__ = [
    "PROBLEMS", "content_loss_fn", "GRAD_F", "GRAD_P", "content_gradient", "SHAPE_INPUT", "SHAPE_LAYER",
    "feature_shape", "LAYER_CHOICES", "which_layer", "PIXEL_X", "KERNEL_W", "PIXEL_TARGET", "pixel_gradient",
]
