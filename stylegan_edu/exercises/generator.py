"""Exercises for chapter 2, the generator.

Example:

>>> from stylegan_edu.exercises import generator as ex
>>> ex.transpose_shape.check(ex.transpose_shape.reference)
✓ Correct: Output shape of a Conv2DTranspose.
"""

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, Problem, function, integers, number

# ---------------------------------------------------------------------------
# 1. The output shape of a Conv2DTranspose
# ---------------------------------------------------------------------------

SHAPE_IN = (7, 7, 64)
SHAPE_LAYER = "Conv2DTranspose(filters=32, kernel_size=3, strides=2, padding='valid')"


def _as_shape(answer):
    shape = integers(answer, "a tuple (height, width, channels) of three numbers")
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

COUNT_LAYER = "Conv2DTranspose(filters=32, kernel_size=5, strides=2, padding='same')"
COUNT_INPUT = (14, 14, 64)
_K, _C_IN, _C_OUT, _H = 5, 64, 32, 14
_COUNT_ANSWER = _K * _K * _C_IN * _C_OUT + _C_OUT  # 51,232: not a layer the chapter prints


def _check_count_params(answer):
    n = number(answer, int, "one integer")
    kernel = _K * _K * _C_IN * _C_OUT
    if n == _COUNT_ANSWER:
        return
    if n == kernel:
        raise Incorrect("you counted the kernel but not the bias: one bias per output channel (use_bias=True by default).")
    if n in (_K * _K * _C_OUT + _C_OUT, _K * _K * _C_OUT):
        raise Incorrect(f"every output channel has a {_K} x {_K} kernel for *each* of the {_C_IN} input channels.")
    if n in (_H * _H * _C_IN * _C_OUT + _C_OUT, _H * _H * _C_IN * _C_OUT):
        raise Incorrect(f"the parameter count does not depend on the image size ({_H} x {_H}): a kernel is shared across positions.")
    if n in (kernel * 2 + _C_OUT, kernel * 4 + _C_OUT):
        raise Incorrect("the stride changes where the kernel is stamped, not how many weights it has.")
    if n == kernel + _C_IN:
        raise Incorrect(f"the bias belongs to the output channels: {_C_OUT} of them, not {_C_IN}.")
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
    5 * 5 * 64 * 32 + 32 = {_COUNT_ANSWER:,}: a 5 x 5 kernel per (input channel, output channel) pair,
    plus one bias per output channel. The 14 x 14 size and the stride play no part.
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
    fn = function(fn, "my_slerp", returns="a vector of shape (D,)")
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

# ---------------------------------------------------------------------------
# 5. Extension: the truncation trick
# ---------------------------------------------------------------------------

TRUNCATION = 1.5  # |z_i| above this is redrawn


def _reference_truncated_latent(num_samples, latent_dim, threshold, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((num_samples, latent_dim))  # (N, D)
    outside = np.abs(z) > threshold
    while outside.any():  # redraw only the coordinates that fell outside, until none is left
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > threshold
    return z


def _truncated_normal_std(t):
    """The standard deviation of N(0, 1) conditioned on |z| <= t (an independent closed form)."""
    from math import erf, exp, pi, sqrt

    phi, mass = exp(-t * t / 2) / sqrt(2 * pi), erf(t / sqrt(2))
    return sqrt(1 - 2 * t * phi / mass)


def _check_truncated_latent(fn):
    fn = function(fn, "truncated_latent", returns="an array of shape (num_samples, latent_dim)")
    n, d, t = 4000, 16, TRUNCATION
    z = np.asarray(fn(n, d, t, 0), dtype=np.float64)
    if z.shape != (n, d):
        raise Incorrect(f"truncated_latent({n}, {d}, {t}, 0) returned shape {z.shape}; expected {(n, d)}.")
    if not np.all(np.isfinite(z)):
        raise Incorrect("your latent vectors contain inf or NaN.")
    outside = np.mean(np.abs(z) > t + 1e-9)
    if 0 < outside < 0.05:
        raise Incorrect(f"{outside:.1%} of the coordinates are still outside [-{t}, {t}]: a redrawn coordinate can "
                        "fall outside again. Repeat the redraw until none is left.")
    if outside:
        raise Incorrect(f"some coordinates are outside [-{t}, {t}] (largest |z_i| = {np.abs(z).max():.3f}): "
                        "every coordinate beyond the threshold must be replaced.")
    if np.all(z >= 0):
        raise Incorrect("all your coordinates are >= 0: truncate |z_i|, but keep the signs.")
    on_edge = np.isclose(np.abs(z), t)
    if np.all(on_edge.sum(axis=1) == 1):
        raise Incorrect(f"every vector has exactly one coordinate at ±{t}: you rescaled each vector by its largest "
                        "coordinate, which shrinks all the others too. Redraw only the coordinates outside instead.")
    at_edge = on_edge.mean()
    if at_edge > 0.01:
        raise Incorrect(f"{at_edge:.0%} of the coordinates sit exactly at ±{t}: that is np.clip. Clipping piles the "
                        "tails up on the threshold; redraw those coordinates from N(0, 1) instead.")
    if not np.array_equal(z, np.asarray(fn(n, d, t, 0), dtype=np.float64)):
        raise Incorrect("two calls with seed=0 gave different vectors: draw from np.random.default_rng(seed).")
    if np.array_equal(z, np.asarray(fn(n, d, t, 1), dtype=np.float64)):
        raise Incorrect("seed=0 and seed=1 gave the same vectors: use the seed argument.")
    std, want = z.std(), _truncated_normal_std(t)
    if abs(std - t / np.sqrt(3)) < 0.01 and abs(std - want) > 0.02:
        raise Incorrect(f"your coordinates look uniform on [-{t}, {t}] (std {std:.3f} = {t}/√3): redraw from N(0, 1), "
                        "not from a uniform distribution.")
    if abs(std - want) > 0.02:
        raise Incorrect(f"the standard deviation of your coordinates is {std:.3f}; a normal truncated at ±{t} has "
                        f"{want:.3f}. Did you rescale z instead of redrawing the coordinates outside the threshold?")
    inner = np.abs(z) < 0.5
    if abs(inner.mean() - 0.3829 / 0.8664) > 0.03:  # P(|z| < 0.5) / P(|z| < 1.5) for N(0, 1)
        raise Incorrect("the shape of your distribution differs from a truncated normal: too many or too few small values.")


truncation_problem = Problem(
    "The truncation trick",
    f"""
    Extension. BigGAN and StyleGAN trade variety for quality with the *truncation trick*: they sample
    z from a normal distribution with its tails cut off, so the generator only sees latent points it
    has been trained on often. Write `truncated_latent(num_samples, latent_dim, threshold, seed)`:
    an array (num_samples, latent_dim) of standard normal numbers in which every coordinate with
    |z_i| > threshold has been redrawn (again and again, until none is left), from
    np.random.default_rng(seed). Run `truncation_problem.check(truncated_latent)`; it uses threshold {TRUNCATION}.
    """,
    _check_truncated_latent,
    hint="Draw z, build the boolean mask |z| > threshold, and redraw z[mask] while the mask has any True in it. "
    "np.clip is tempting, and wrong: think about where the clipped values end up.",
    solution="""
    def truncated_latent(num_samples, latent_dim, threshold, seed):
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((num_samples, latent_dim))            # (N, D)
        outside = np.abs(z) > threshold
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum()))      # redraw only those coordinates
            outside = np.abs(z) > threshold
        return z
    Clipping instead would put about 13% of the coordinates exactly on ±1.5 (the mass of the two tails),
    points the generator sees no more often than any other. Rescaling each vector changes its length,
    which chapter 2 showed is nearly fixed for a normal z. Smaller thresholds give more typical, less
    varied images; StyleGAN applies the same idea in its w space.
    """,
    reference=_reference_truncated_latent,
)

PROBLEMS = (transpose_shape, build_generator, count_params, slerp_problem, truncation_problem)

__all__ = [
    "PROBLEMS", "SHAPE_IN", "SHAPE_LAYER", "transpose_shape", "build_generator", "COUNT_LAYER", "COUNT_INPUT",
    "count_params", "slerp_problem", "TRUNCATION", "truncation_problem",
]
