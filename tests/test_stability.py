"""stylegan_edu.stability: per-layer gradient norms against a numpy
back-propagation, vanishing/exploding gradients as measured properties, and
loss records that stop at the first NaN."""

import keras
import numpy as np
import pytest
from keras import ops

from stylegan_edu import stability


def _mse_to_zero(y):
    return 0.5 * ops.sum(y**2)


def test_deep_mlp_layers_params_and_init():
    m = stability.deep_mlp(depth=3, width=50, input_dim=20, outputs=4, init_std=0.1, seed=1)
    kernels = [l for l in m.layers if hasattr(l, "kernel")]
    assert [l.name for l in kernels] == ["dense_1", "dense_2", "dense_3", "logits"]
    assert m.count_params() == (20 * 50 + 50) + 2 * (50 * 50 + 50) + (50 * 4 + 4)
    w = np.concatenate([np.asarray(l.kernel).ravel() for l in kernels])
    assert np.std(w) == pytest.approx(0.1, rel=0.05)  # N(0, 0.1^2), measured
    bn = stability.deep_mlp(depth=2, width=8, input_dim=3, batchnorm=True, dropout=0.2)
    names = [l.name for l in bn.layers]
    assert "bn_1" in names and "dropout_2" in names


def test_deep_mlp_l2_penalty_matches_numpy():
    m = stability.deep_mlp(depth=2, width=8, input_dim=3, outputs=2, l2=0.01)
    m(np.zeros((1, 3), "float32"))
    kernels = [np.asarray(l.kernel) for l in m.layers if hasattr(l, "kernel")]
    want = 0.01 * sum(float(np.sum(k**2)) for k in kernels)
    assert float(ops.sum(ops.stack(m.losses))) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(activation="swish"), "Expected one of 'relu'"),
        (dict(init_std=0.0), "Invalid value for argument `init_std`"),
        (dict(dropout=1.0), "Invalid value for argument `dropout`"),
        (dict(depth=0), "Invalid value for argument `depth`"),
        (dict(l2=-1.0), "Invalid value for argument `l2`"),
    ],
)
def test_deep_mlp_rejects_bad_config(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stability.deep_mlp(**kwargs)


def test_layer_gradient_norms_match_numpy_backprop():
    """A linear 2-hidden-layer net, back-propagated by hand in numpy."""
    m = stability.deep_mlp(depth=2, width=5, activation="linear", input_dim=4, outputs=3, init_std=0.4, seed=3)
    x = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    w1, w2, w3 = (np.asarray(m.get_layer(n).kernel, np.float64) for n in ("dense_1", "dense_2", "logits"))
    h1 = x @ w1  # biases are initialised to 0
    h2 = h1 @ w2
    y = h2 @ w3
    g_y = y  # d(0.5 * sum y^2)/dy
    g_w3 = h2.T @ g_y
    g_h2 = g_y @ w3.T
    g_w2 = h1.T @ g_h2
    g_w1 = x.T @ (g_h2 @ w2.T)
    norms = stability.layer_gradient_norms(m, _mse_to_zero, x)
    assert list(norms) == ["dense_1", "dense_2", "logits"]
    for name, g in zip(norms, (g_w1, g_w2, g_w3)):
        assert norms[name] == pytest.approx(np.linalg.norm(g), rel=1e-4)


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, size=(64, 784)).astype("float32"), rng.integers(0, 10, 64)


def _profile(batch, **kwargs):
    x, y = batch
    m = stability.deep_mlp(depth=8, width=64, **kwargs)
    loss = lambda out: ops.mean(keras.losses.sparse_categorical_crossentropy(y, out, from_logits=True))  # noqa: E731
    return np.array(list(stability.layer_gradient_norms(m, loss, x).values()))


def test_sigmoid_vanishes_relu_does_not(batch):
    he = float(np.sqrt(2 / 64))
    sig, relu = _profile(batch, activation="sigmoid", init_std=he), _profile(batch, activation="relu", init_std=he)
    assert sig[0] / sig[-1] < 1e-3  # each sigmoid multiplies the gradient by at most 1/4
    assert 0.1 < relu[0] / relu[-1] < 10


def test_init_scale_explodes_and_batchnorm_fixes_it(batch):
    big = _profile(batch, activation="relu", init_std=1.0)
    small = _profile(batch, activation="relu", init_std=0.02)
    big_bn = _profile(batch, activation="relu", init_std=1.0, batchnorm=True)
    small_bn = _profile(batch, activation="relu", init_std=0.02, batchnorm=True)
    assert big.max() > 1e5 and small.max() < 1e-5  # exploding, and vanishing (the signal dies going forward)
    for prof in (big_bn, small_bn):
        assert 1e-2 < prof.min() and prof.max() < 1e2


def test_layer_gradient_norms_rejects_bad_input():
    m = stability.deep_mlp(depth=1, width=2, input_dim=2, outputs=1)
    x = np.ones((2, 2), "float32")
    with pytest.raises(ValueError, match="Expected a function returning a scalar"):
        stability.layer_gradient_norms(m, lambda y: y, x)
    with pytest.raises(ValueError, match="Expected a callable"):
        stability.layer_gradient_norms(m, 3.0, x)
    no_kernel = keras.Sequential([keras.Input((2,)), keras.layers.ReLU()])
    with pytest.raises(ValueError, match="at least one layer that has a kernel"):
        stability.layer_gradient_norms(no_kernel, _mse_to_zero, x)


def test_train_and_record_stops_at_divergence():
    x = np.random.default_rng(0).normal(size=(32, 10)).astype("float32")

    def loss(m, b):
        return ops.mean((m(b, training=True) - 1.0) ** 2)

    ok = stability.train_and_record(stability.deep_mlp(depth=3, width=16, input_dim=10, outputs=1, init_std=0.3), loss, keras.optimizers.SGD(0.01), [x], steps=15)
    assert ok["diverged_at"] is None and np.all(np.isfinite(ok["loss"])) and ok["loss"][-1] < ok["loss"][0]
    bad = stability.train_and_record(stability.deep_mlp(depth=3, width=16, input_dim=10, outputs=1, init_std=0.3), loss, keras.optimizers.SGD(50.0), [x], steps=15)
    k = bad["diverged_at"]
    assert k is not None
    assert not (np.isfinite(bad["loss"][k]) and np.isfinite(bad["grad_norm"][k]))  # the loss or its gradient overflowed
    assert np.all(np.isnan(bad["loss"][k + 1 :])) and np.all(np.isfinite(bad["loss"][:k]))


def test_train_and_record_uses_schedule_and_checks_args():
    x = np.ones((4, 3), "float32")
    seen = []
    opt = keras.optimizers.SGD(1.0)

    def loss(m, b):
        seen.append(float(opt.learning_rate))
        return ops.mean(m(b, training=True) ** 2)

    m = stability.deep_mlp(depth=1, width=2, input_dim=3, outputs=1)
    stability.train_and_record(m, loss, opt, [x], steps=3, learning_rate=lambda s: 0.1 * (s + 1))
    assert seen == pytest.approx([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="Expected at least one batch"):
        stability.train_and_record(m, loss, opt, [], steps=1)
    with pytest.raises(ValueError, match="Invalid value for argument `steps`"):
        stability.train_and_record(m, loss, opt, [x], steps=0)


def test_first_nonfinite():
    assert stability.first_nonfinite([1.0, np.inf, np.nan]) == 1
    assert stability.first_nonfinite(np.array([[1.0, 2.0], [np.nan, 0.0]])) == 2
    assert stability.first_nonfinite([]) is None
