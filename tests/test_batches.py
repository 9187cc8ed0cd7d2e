"""The shared batched-inference loop (stylegan_edu._batches)."""

import keras
import numpy as np
import pytest

from stylegan_edu._batches import map_in_batches


@pytest.mark.parametrize("batch_size", [1, 3, 7, 100])
def test_map_in_batches_equals_one_call(batch_size):
    layer = keras.layers.Dense(4, kernel_initializer=keras.initializers.RandomNormal(seed=0))
    x = np.random.default_rng(0).normal(size=(7, 5)).astype("float32")  # 7 inputs: a last, partial slice for 3
    expected = np.asarray(layer(x))
    got = map_in_batches(layer, x, batch_size)
    assert got.shape == (7, 4)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_map_in_batches_calls_fn_once_per_slice():
    calls = []
    map_in_batches(lambda v: calls.append(len(v)) or v, np.zeros((10, 2)), 4)
    assert calls == [4, 4, 2]


def test_map_in_batches_errors():
    with pytest.raises(ValueError, match=r"Invalid value for argument `images`\. Expected at least one input .*Received: images of shape \(0, 3\)"):
        map_in_batches(lambda v: v, np.zeros((0, 3)), 2, name="images")
    with pytest.raises(ValueError, match="batch_size"):
        map_in_batches(lambda v: v, np.zeros((4, 3)), 0)
