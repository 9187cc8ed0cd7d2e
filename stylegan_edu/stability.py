r"""Measuring training stability: gradient norms per layer, loss curves that
stop at the first NaN, and a deep test network to measure them on.

Chapter 8 uses these to *measure* vanishing and exploding gradients instead
of asserting them: the article's six tips (small normal initialisation, ReLU,
L2 or dropout, BatchNorm, a smaller learning rate early, restarting from a
good checkpoint) each become a number.

The measurements use ``tf.GradientTape`` (training code may use TensorFlow);
the network is built from ``keras.layers`` only.
"""

import math

import numpy as np

from stylegan_edu._validation import (check_allocation, check_array, check_bool, check_choice, check_float_range, check_model,
                                      check_positive_int, check_seed, invalid)

__all__ = ["deep_mlp", "layer_gradient_norms", "train_and_record", "first_nonfinite"]

_ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "linear")


def deep_mlp(
    depth=10,
    width=64,
    activation="relu",
    init_std=0.02,
    batchnorm=False,
    dropout=0.0,
    l2=0.0,
    input_dim=784,
    outputs=10,
    seed=0,
):
    r"""A deep fully connected network whose per-layer gradients are easy to read.

    ``depth`` hidden Dense layers of ``width`` units (named ``dense_1`` to
    ``dense_<depth>``, input side first), each optionally followed by
    BatchNorm, then the activation and optional dropout; then a linear
    output layer ``logits``. All kernels are drawn from
    :math:`\mathcal N(0, \texttt{init\_std}^2)` with a fixed seed, biases are 0.

    Args:
        depth: number of hidden layers.
        width: units per hidden layer.
        activation: one of ``"relu"``, ``"leaky_relu"``, ``"sigmoid"``,
            ``"tanh"``, ``"linear"``.
        init_std: standard deviation of the normal initialiser (DCGAN: 0.02).
        batchnorm: insert ``BatchNormalization`` before each activation.
        dropout: dropout rate after each hidden activation, in [0, 1).
        l2: L2 weight-decay factor on each kernel (0 disables it); the
            penalty appears in ``model.losses``.
        input_dim: length of the (flattened) input.
        outputs: number of output logits.
        seed: seed of the initialisers.

    Returns:
        keras.Model: maps (B, input_dim) to (B, outputs) logits.

    Example:

    >>> model = deep_mlp(depth=3, width=8, input_dim=4, outputs=2)
    >>> [layer.name for layer in model.layers if layer.name.startswith(("dense", "logits"))]
    ['dense_1', 'dense_2', 'dense_3', 'logits']
    >>> model.count_params()  # (4*8+8) + 2*(8*8+8) + (8*2+2)
    202
    """
    import keras

    check_positive_int("depth", depth)
    check_positive_int("width", width)
    check_choice("activation", activation, _ACTIVATIONS)
    check_float_range("init_std", init_std, 0.0, None, low_inclusive=False)
    check_float_range("dropout", dropout, 0.0, 1.0, high_inclusive=False)
    check_float_range("l2", l2, 0.0, None)
    check_positive_int("input_dim", input_dim)
    check_positive_int("outputs", outputs)
    batchnorm = check_bool("batchnorm", batchnorm)
    seed = check_seed("seed", seed, allow_none=False)
    reg = keras.regularizers.L2(l2) if l2 > 0 else None

    def init(i):
        return keras.initializers.RandomNormal(stddev=init_std, seed=seed * 1000 + i)

    x_in = keras.Input((input_dim,))  # (B, input_dim)
    x = x_in
    for i in range(1, depth + 1):
        x = keras.layers.Dense(
            width, kernel_initializer=init(i), kernel_regularizer=reg, use_bias=not batchnorm, name=f"dense_{i}"
        )(x)  # (B, width)
        if batchnorm:
            x = keras.layers.BatchNormalization(name=f"bn_{i}")(x)
        if activation == "leaky_relu":
            x = keras.layers.LeakyReLU(negative_slope=0.2, name=f"act_{i}")(x)
        else:
            x = keras.layers.Activation(activation, name=f"act_{i}")(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout, seed=seed * 1000 + i, name=f"dropout_{i}")(x)
    logits = keras.layers.Dense(outputs, kernel_initializer=init(depth + 1), kernel_regularizer=reg, name="logits")(x)
    return keras.Model(x_in, logits, name=f"mlp_{activation}_{depth}x{width}")


def _kernel_variables(model):
    """(layer name, kernel variable) for each layer with a kernel, input side first."""
    out = []
    for layer in model.layers:
        if getattr(layer, "trainable", False) and hasattr(layer, "kernel") and layer.kernel is not None:
            out.append((layer.name, layer.kernel))
        elif getattr(layer, "layers", None):  # a nested model (e.g. a generator inside a GAN)
            out.extend((f"{layer.name}/{n}", v) for n, v in _kernel_variables(layer))
    return out


def layer_gradient_norms(model, loss_fn, inputs, training=True):
    r"""The L2 norm of the loss gradient for each layer's kernel.

    Formula:
        :math:`g_\ell = \lVert \partial L / \partial W_\ell \rVert_2`
        (the Frobenius norm of the gradient of layer :math:`\ell`'s kernel).

    Vanishing gradients show as :math:`g_\ell` falling by orders of magnitude
    from the output layer towards the input; exploding gradients as the
    reverse.

    Args:
        model: a built Keras model.
        loss_fn: ``loss_fn(outputs) -> scalar``, applied to
            ``model(inputs, training=training)``. Close over the targets.
        inputs: a batch the model accepts.
        training: passed to the model (BatchNorm uses batch statistics and
            dropout is active when True).

    Returns:
        dict: ``{layer name: gradient norm}`` for every layer with a kernel,
        input side first (a nested model's layers as ``"model/layer"``).
        A non-finite gradient gives ``nan`` or ``inf``, never an error.

    Example:

    >>> import numpy as np
    >>> from keras import ops
    >>> model = deep_mlp(depth=2, width=4, activation="tanh", input_dim=3, outputs=1, init_std=0.5)
    >>> x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    >>> norms = layer_gradient_norms(model, lambda y: ops.sum(y ** 2), x)
    >>> list(norms)
    ['dense_1', 'dense_2', 'logits']
    >>> all(v > 0 for v in norms.values())
    True
    """
    import tensorflow as tf

    check_model("model", model)
    named = _kernel_variables(model)
    if not named:
        raise invalid("model", "a model with at least one layer that has a kernel (Dense, Conv2D, ...)", f"model {model.name!r}")
    if not callable(loss_fn):
        raise invalid("loss_fn", "a callable loss_fn(outputs) -> scalar", f"loss_fn of type {type(loss_fn).__name__}")
    with tf.GradientTape() as tape:
        loss = loss_fn(model(inputs, training=training))  # scalar
    if tuple(getattr(loss, "shape", ())) not in ((),):
        raise invalid("loss_fn", "a function returning a scalar", f"a value of shape {tuple(loss.shape)}")
    grads = tape.gradient(loss, [v for _, v in named])
    return {name: (float(tf.norm(g)) if g is not None else 0.0) for (name, _), g in zip(named, grads)}


def first_nonfinite(values):
    """Index of the first NaN or infinite value, or ``None`` if all are finite.

    Example:

    >>> first_nonfinite([0.5, 0.4, float("inf"), float("nan")])
    2
    >>> first_nonfinite([1.0, 2.0]) is None
    True
    """
    a = np.asarray(values) if values is not None else None
    if a is None or a.dtype.kind not in "biuf":
        raise invalid("values", "a sequence of real numbers (a loss curve)",
                      f"values of type {type(values).__name__}" + ("" if a is None else f" with dtype {a.dtype}"))
    a = a.astype(np.float64).ravel()
    bad = np.flatnonzero(~np.isfinite(a))
    return int(bad[0]) if bad.size else None


def train_and_record(model, loss_fn, optimizer, batches, steps, learning_rate=None):
    """Train for ``steps`` steps and record the loss and the gradient norm.

    The run stops at the first non-finite loss (the rest of the record is
    NaN), so a learning rate that is too high shows as a curve that blows up
    and ends, with the step where it happened.

    Args:
        model: a Keras model.
        loss_fn: ``loss_fn(model, batch) -> scalar``, evaluated under a
            ``GradientTape`` (call the model with ``training=True`` inside).
            ``model.losses`` (e.g. L2 penalties) is added to it.
        optimizer: a Keras optimizer.
        batches: an iterable of batches (cycled if shorter than ``steps``).
        steps: number of steps.
        learning_rate: optional ``learning_rate(step) -> float``, set before
            each step (for warm-up or restart schedules).

    Returns:
        dict: ``loss`` (steps,) and ``grad_norm`` (steps,) float arrays, NaN
        after a divergence; ``diverged_at``, the first step whose loss or
        gradient norm is not finite (no update is applied there), or ``None``.

    Example:

    >>> import keras, numpy as np
    >>> from keras import ops
    >>> model = deep_mlp(depth=2, width=8, input_dim=3, outputs=1, init_std=0.3)
    >>> x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    >>> mse = lambda m, b: ops.mean((m(b, training=True) - 1.0) ** 2)
    >>> rec = train_and_record(model, mse, keras.optimizers.SGD(0.05), [x], steps=20)
    >>> bool(rec["loss"][-1] < rec["loss"][0]), rec["diverged_at"]
    (True, None)
    """
    import tensorflow as tf

    steps = check_positive_int("steps", steps)
    check_allocation("steps", (steps, 2), 8, received=f"steps={steps}")
    if not hasattr(model, "trainable_variables") or not callable(model):
        raise invalid("model", "a Keras model", f"model of type {type(model).__name__}")
    if not callable(loss_fn):
        raise invalid("loss_fn", "a callable loss_fn(model, batch) -> scalar", f"loss_fn of type {type(loss_fn).__name__}")
    if not hasattr(optimizer, "apply_gradients"):
        raise invalid("optimizer", "a Keras optimizer", f"optimizer of type {type(optimizer).__name__}")
    if learning_rate is not None and not callable(learning_rate):
        raise invalid("learning_rate", "None or a callable learning_rate(step) -> float (set the optimizer's rate for a "
                      "constant one)", f"learning_rate={learning_rate!r}")

    def checked_rate(step):  # a negative rate trains uphill: the loss would rise and look like a plausible failure
        name = "learning_rate" if learning_rate is not None else "optimizer"
        where = f"learning_rate({step})" if learning_rate is not None else "optimizer.learning_rate"
        try:
            lr = float(learning_rate(step)) if learning_rate is not None else float(np.asarray(optimizer.learning_rate))
        except (TypeError, ValueError):
            raise invalid(name, "a learning rate that is a float >= 0", f"{where} of type "
                          f"{type(learning_rate(step) if learning_rate is not None else optimizer.learning_rate).__name__}") from None
        if not (math.isfinite(lr) and lr >= 0):
            raise invalid(name, "a learning rate that is a finite float >= 0", f"{where}={lr!r}")
        return lr

    if learning_rate is None:
        checked_rate(0)
    try:
        batches = list(batches) if not isinstance(batches, list) else batches
    except TypeError:
        raise invalid("batches", "an iterable of batches", f"batches of type {type(batches).__name__}") from None
    if not batches:
        raise invalid("batches", "at least one batch", "an empty iterable")
    losses = np.full(steps, np.nan)
    norms = np.full(steps, np.nan)
    diverged_at = None
    for step in range(steps):
        if learning_rate is not None:
            optimizer.learning_rate = checked_rate(step)
        batch = batches[step % len(batches)]
        with tf.GradientTape() as tape:
            loss = loss_fn(model, batch)
            if model.losses:
                loss = loss + tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        value = float(loss)
        norm = float(tf.linalg.global_norm([g for g in grads if g is not None]))
        losses[step], norms[step] = value, norm
        if not (math.isfinite(value) and math.isfinite(norm)):
            diverged_at = step
            break
        optimizer.apply_gradients([(g, v) for g, v in zip(grads, model.trainable_variables) if g is not None])
    return {"loss": losses, "grad_norm": norms, "diverged_at": diverged_at}
