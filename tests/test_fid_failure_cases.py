"""FID's known failure cases (issue 13): too few images warn, a collapsed generator gives a finite, large value."""

import warnings

import numpy as np
import pytest

from stylegan_edu import metrics


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_fewer_images_than_feature_dimensions_warn(dataset):
    rng = np.random.default_rng(0)
    with pytest.warns(UserWarning, match=r"FID from 50 images in a 128-dimensional feature space.*rank at most 49"):
        value = metrics.fid(rng.uniform(-1, 1, (50, 28, 28, 1)), dataset=dataset)
    assert np.isfinite(value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 128 images: enough for a full-rank covariance, no warning
        metrics.fid(rng.uniform(-1, 1, (128, 28, 28, 1)), dataset=dataset)


def test_a_collapsed_generator_gives_a_finite_large_fid():
    rng = np.random.default_rng(1)
    one = rng.uniform(-1, 1, (1, 28, 28, 1)).astype("float32")
    collapsed = np.repeat(one, 300, axis=0)  # every sample the same: covariance of rank 0
    varied = rng.uniform(-1, 1, (300, 28, 28, 1)).astype("float32")
    value = metrics.fid(collapsed, dataset="mnist")
    assert np.isfinite(value) and value > 100
    # rank-deficient but not zero: a handful of distinct images repeated
    few = np.repeat(varied[:3], 100, axis=0)
    assert np.isfinite(metrics.fid(few, dataset="mnist"))
