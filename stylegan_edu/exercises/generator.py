"""Exercises for chapter 2, the generator.

Example:

>>> from stylegan_edu.exercises import generator as ex
>>> ex.transpose_shape.check(ex.transpose_shape.reference)
✓ Correct: Output shape of a Conv2DTranspose.
"""

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, Problem, function, number

# ---------------------------------------------------------------------------
# 1. The output shape of a Conv2DTranspose
# ---------------------------------------------------------------------------

SHAPE_IN = (7, 7, 64)
SHAPE_LAYER = "Conv2DTranspose(filters=32, kernel_size=3, strides=2, padding='valid')"


def _as_shape(answer):
    try:
        shape = tuple(int(v) for v in answer)
    except (TypeError, ValueError):
        raise Incorrect(f"pass a tuple (height, width, channels), not {answer!r}.") from None
    if len(shape) == 4:
        raise Incorrect("leave out the batch dimension: answer (height, width, channels).")
    if len(shape) != 3:
        raise Incorrect(f"answer (height, width, channels): three numbers, not {len(shape)}.")
    return shape


def _check_transpose_shape(answer):
    shape = _as_shape(answer)
    h = shape[0]
    if shape[2] == 64:
        raise Incorrect("the number of output channels is the layer's `filters`, not the input's channels.")
    if h == 14:
        raise Incorrect("14 = 7 x 2 is the size with padding='same'. With 'valid', the kernel overhangs: (n - 1) * s + k.")
    if h == 3:
        raise Incorrect("(7 - 3) / 2 + 1 = 3 is the size of an ordinary (downsampling) Conv2D; a transposed convolution goes the other way.")
    if h == 16:
        raise Incorrect("close: (n - 1) * s + k = 6 * 2 + 3. Check your arithmetic.")
    if shape != (15, 15, 32):
        raise Incorrect(f"{shape} is not it. Use (n - 1) * s + k for 'valid' padding, and `filters` output channels.")


transpose_shape = Problem(
    "Output shape of a Conv2DTranspose",
    f"""
    An input of shape {SHAPE_IN} (height, width, channels) goes through
    `keras.layers.{SHAPE_LAYER}`. What is the output shape, without the batch dimension?
    Pass a tuple: `transpose_shape.check((h, w, c))`.
    """,
    _check_transpose_shape,
    hint="Each input pixel stamps a k x k copy of the kernel into the output, s pixels from its neighbour's.",
    solution="""
    (15, 15, 32): with padding='valid' the output is (n - 1) * s + k = (7 - 1) * 2 + 3 = 15 pixels
    on a side, and a convolution (transposed or not) outputs `filters` = 32 channels.
    Check: stylegan_edu.models.conv_transpose_output_size(7, 3, strides=2, padding="valid") == 15.
    """,
    reference=(15, 15, 32),
)

# ---------------------------------------------------------------------------
# 2. Build a generator
# ---------------------------------------------------------------------------


def _reference_build_generator(latent_dim):
    from stylegan_edu.models import GeneratorConfig, make_generator

    return make_generator(GeneratorConfig(latent_dim=latent_dim, seed=0))


def _check_build_generator(fn):
    import keras

    if not callable(fn) or isinstance(fn, keras.Model):
        raise Incorrect("pass your *function* `build_generator(latent_dim)`, which returns a new keras.Model.")
    latent_dim = 12
    model = fn(latent_dim)
    if not isinstance(model, keras.Model):
        raise Incorrect(f"build_generator(12) returned {type(model).__name__}, not a keras.Model.")
    z = np.random.default_rng(0).standard_normal((3, latent_dim)).astype("float32")
    try:
        out = keras.ops.convert_to_numpy(model(z, training=False))
    except Exception as e:
        raise Incorrect(f"calling your model on z of shape (3, {latent_dim}) failed: {type(e).__name__}: {e}. "
                        "Does its Input use `latent_dim`?") from None
    if out.shape != (3, 28, 28, 1):
        raise Incorrect(f"for z of shape (3, {latent_dim}) your model returns {out.shape}; the images must be (3, 28, 28, 1).")
    big = keras.ops.convert_to_numpy(model(z * 1000.0, training=False))
    if not np.all(np.isfinite(big)) or big.min() < -1.0 - 1e-6 or big.max() > 1.0 + 1e-6:
        raise Incorrect("for large z your outputs leave [-1, 1]: end with activation='tanh', the range of the scaled images.")
    if big.min() >= 0.0 and out.min() >= 0.0:
        raise Incorrect("your outputs are never negative, so they cover [0, 1] at most (sigmoid?). "
                        "The real images are scaled to [-1, 1]: use tanh.")


build_generator = Problem(
    "Build a generator",
    """
    Write `build_generator(latent_dim)` returning a new keras.Model that maps z of shape
    (B, latent_dim) to images of shape (B, 28, 28, 1) in [-1, 1]. Use Dense -> Reshape ->
    Conv2DTranspose blocks. Run `build_generator.check(build_generator_fn)` with your function.
    """,
    _check_build_generator,
    hint="Dense to 7 * 7 * C, Reshape to (7, 7, C), two stride-2 Conv2DTranspose with padding='same' "
    "(7 -> 14 -> 28), the last with 1 filter and activation='tanh'.",
    solution="""
    def build_generator_fn(latent_dim):
        z = keras.Input((latent_dim,))                                        # (B, latent_dim)
        x = keras.layers.Dense(7 * 7 * 64, use_bias=False)(z)                 # (B, 3136)
        x = keras.layers.Reshape((7, 7, 64))(x)                               # (B, 7, 7, 64)
        x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
        x = keras.layers.Conv2DTranspose(32, 4, strides=2, padding="same", use_bias=False)(x)  # (B, 14, 14, 32)
        x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
        x = keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")(x)  # (B, 28, 28, 1)
        return keras.Model(z, x)
    """,
    reference=_reference_build_generator,
)

# ---------------------------------------------------------------------------
# 3. Count a layer's parameters by hand
# ---------------------------------------------------------------------------

COUNT_LAYER = "Conv2DTranspose(filters=64, kernel_size=4, strides=2, padding='same')"
COUNT_INPUT = (7, 7, 128)
_COUNT_ANSWER = 4 * 4 * 128 * 64 + 64


def _check_count_params(answer):
    n = number(answer, int, "one integer")
    if n == _COUNT_ANSWER:
        return
    if n == 4 * 4 * 128 * 64:
        raise Incorrect("you counted the kernel but not the bias: one bias per output channel (use_bias=True by default).")
    if n in (4 * 4 * 64 + 64, 4 * 4 * 64):
        raise Incorrect("every output channel has a 4 x 4 kernel for *each* of the 128 input channels.")
    if n in (7 * 7 * 128 * 64 + 64, 7 * 7 * 128 * 64):
        raise Incorrect("the parameter count does not depend on the image size (7 x 7): a kernel is shared across positions.")
    if n in (4 * 4 * 128 * 64 * 2 + 64, 4 * 4 * 128 * 64 * 4 + 64):
        raise Incorrect("the stride changes where the kernel is stamped, not how many weights it has.")
    raise Incorrect(f"{n:,} is not it. Count kernel weights (k x k x C_in x C_out) plus one bias per output channel.")


count_params = Problem(
    "Count a layer's parameters",
    f"""
    How many trainable parameters does `keras.layers.{COUNT_LAYER}` have when its input has
    shape {COUNT_INPUT}? Pass an integer: `count_params.check(12345)`.
    """,
    _check_count_params,
    hint="The weights are a kernel of shape (k, k, C_out, C_in) and a bias of shape (C_out,).",
    solution=f"""
    4 * 4 * 128 * 64 + 64 = {_COUNT_ANSWER:,}: a 4 x 4 kernel per (input channel, output channel) pair,
    plus one bias per output channel. The 7 x 7 size and the stride play no part.
    """,
    reference=_COUNT_ANSWER,
)

# ---------------------------------------------------------------------------
# 4. Spherical interpolation
# ---------------------------------------------------------------------------


def _reference_slerp(z0, z1, t):
    from stylegan_edu.models import slerp

    return slerp(z0, z1, t)


def _check_slerp(fn):
    function(fn, "my_slerp")
    rng = np.random.default_rng(1)
    z0, z1 = rng.standard_normal((2, 100))
    ts = (0.0, 0.3, 0.5, 1.0)
    gots = []
    for t in ts:
        got = np.asarray(fn(z0, z1, t), dtype=np.float64)
        if got.shape != z0.shape:
            raise Incorrect(f"for t={t} your function returns shape {got.shape}; expected {z0.shape}.")
        gots.append(got)
    wants = [_reference_slerp(z0, z1, t) for t in ts]
    if all(np.allclose(g, w, atol=1e-5) for g, w in zip(gots, wants)):
        return
    if all(abs(np.linalg.norm(g) - 1.0) < 1e-6 for g in gots):
        raise Incorrect("your results all have norm 1: normalise the vectors only to compute the angle Ω, "
                        "then interpolate the original z0 and z1.")
    for t, g, w in zip(ts, gots, wants):
        if np.allclose(g, (1 - t) * z0 + t * z1, atol=1e-6) and not np.allclose(g, w, atol=1e-6):
            raise Incorrect("that is linear interpolation; slerp weights z0 and z1 by sin((1-t)Ω)/sin Ω and sin(tΩ)/sin Ω.")
    for t, g, w in zip(ts, gots, wants):
        if t in (0.0, 1.0) and not np.allclose(g, w, atol=1e-5):
            raise Incorrect(f"at t={t} slerp must return {'z0' if t == 0 else 'z1'} exactly.")
    err = max(np.abs(g - w).max() for g, w in zip(gots, wants))
    raise Incorrect(f"your results differ from the reference by up to {err:.4g}. Check the formula for Ω and the two weights.")


slerp_problem = Problem(
    "Spherical interpolation",
    """
    Write `my_slerp(z0, z1, t)` for two vectors z0, z1 of shape (D,) and a float t in [0, 1]:
    spherical linear interpolation, returning a vector of shape (D,).
    Run `slerp_problem.check(my_slerp)`.
    """,
    _check_slerp,
    hint="Ω = arccos(z0·z1 / (|z0| |z1|)); the weights are sin((1 - t) Ω) / sin Ω and sin(t Ω) / sin Ω.",
    solution="""
    def my_slerp(z0, z1, t):
        cos = np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1))
        omega = np.arccos(np.clip(cos, -1.0, 1.0))
        return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)
    """,
    reference=_reference_slerp,
)

PROBLEMS = (transpose_shape, build_generator, count_params, slerp_problem)

__all__ = [
    "PROBLEMS", "SHAPE_IN", "SHAPE_LAYER", "transpose_shape", "build_generator", "COUNT_LAYER", "COUNT_INPUT",
    "count_params", "slerp_problem",
]
