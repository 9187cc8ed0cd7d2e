"""The shipped MNIST generator: loads offline, and its quality matches what its README records."""

import numpy as np

from stylegan_edu.metrics import mnist_fid
from stylegan_edu.pretrained import mnist_generator, mnist_generator_info


def test_mnist_generator_loads_offline_and_matches_its_recorded_fid():
    info = mnist_generator_info()
    assert info["fid_samples"] == 10_000 and info["train_config"]["epochs"] >= 1
    g = mnist_generator()
    assert g.count_params() == info["generator_params"]
    z = np.random.default_rng(7).standard_normal((2000, 100)).astype(np.float32)
    x = np.asarray(g(z, training=False))  # (2000, 28, 28, 1)
    assert x.shape == (2000, 28, 28, 1) and -1 <= x.min() and x.max() <= 1
    fid = mnist_fid(x)
    # Another noise sample of 2,000 (FID is biased upwards for fewer samples): close to the recorded
    # 10,000-sample value, and far below an untrained generator's.
    assert info["fid"] - 5 < fid < info["fid"] + 15, (fid, info["fid"])
    from stylegan_edu.models import GeneratorConfig, make_generator

    untrained = np.asarray(make_generator(GeneratorConfig(seed=0))(z[:500], training=False))
    assert mnist_fid(untrained) > 2 * fid
