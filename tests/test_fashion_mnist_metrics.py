"""The Fashion-MNIST feature net and its FID/KID: loads offline, reaches 90 % on the test split, its
reference statistics are current, and real images score at the recorded real-against-real floor."""

import json

import numpy as np
import pytest

from stylegan_edu import metrics, pretrained
from stylegan_edu.data import to_unit_range

N_REAL = 1000  # training images scored against the test statistics (a size the floor records)


@pytest.fixture(scope="module")
def fashion_test(shared_data):
    """(images (10000, 28, 28, 1) in [-1, 1], labels (10000,)) of the offline test split."""
    from stylegan_edu.data import load_fashion_mnist

    images, labels = load_fashion_mnist("test", data_dir=shared_data)
    return to_unit_range(images)[..., None], labels


@pytest.fixture(scope="module")
def fashion_train_sample(shared_data):
    """N_REAL random training images, which neither the reference statistics nor the KID features hold."""
    from stylegan_edu.data import load_fashion_mnist

    images, _ = load_fashion_mnist("train", data_dir=shared_data)
    idx = np.random.default_rng(1).choice(len(images), N_REAL, replace=False)
    return to_unit_range(images[idx])[..., None]  # (N_REAL, 28, 28, 1)


@pytest.fixture(scope="module")
def test_features(fashion_test):
    from stylegan_edu.features import penultimate_features

    return penultimate_features(fashion_test[0], "fashion_mnist", batch_size=1000).astype(np.float64)  # (10000, 128)


def _floor(what_starts, num_samples):
    rows = json.loads((pretrained.ASSETS / "fashion_mnist_fid_stats.json").read_text())["floor"]
    return next(r for r in rows if r["what"].startswith(what_starts) and r["num_samples"] == num_samples)


# ---------------------------------------------------------------------------
# The feature net
# ---------------------------------------------------------------------------


def test_feature_net_loads_offline_and_reaches_90_percent_on_the_test_split(fashion_test):
    images, labels = fashion_test
    info = pretrained.fashion_mnist_feature_net_info()
    net = pretrained.fashion_mnist_feature_net()
    assert net is pretrained.fashion_mnist_feature_net()  # loaded once, shared
    assert net.count_params() == info["parameters"] and not net.trainable
    predictions = np.concatenate([np.argmax(np.asarray(net(images[i:i + 1000], training=False)), axis=1)
                                  for i in range(0, len(images), 1000)])  # (10000,)
    accuracy = float(np.mean(predictions == labels))
    assert accuracy >= 0.90
    assert accuracy == pytest.approx(info["test_accuracy"], abs=2e-3)  # the recorded number (oneDNN may move a few)
    assert info["n_train"] == 60_000 and info["n_test"] == 10_000
    weights = pretrained.asset_path("fashion_mnist_feature_net/fashion_mnist_feature_net.weights.h5")
    assert weights.stat().st_size <= 2_000_000  # the budget
    doc = pretrained.fashion_mnist_feature_net.__doc__
    assert f"{100 * info['test_accuracy']:.2f} %**" in doc and "{" not in doc  # the recorded number, filled in


# ---------------------------------------------------------------------------
# The reference statistics
# ---------------------------------------------------------------------------


def test_reference_statistics_are_current_and_match_a_recomputation(test_features):
    mu, sigma, info = metrics.reference_statistics("fashion_mnist")
    weights = pretrained.asset_path("fashion_mnist_feature_net/fashion_mnist_feature_net.weights.h5")
    assert info["feature_net_sha256"] == pretrained.sha256(weights), "rerun scripts/compute_fid_stats.py --dataset fashion_mnist"
    assert pretrained.asset_path("fashion_mnist_fid_stats.npz").name == "fashion_mnist_fid_stats.npz"  # its SHA-256 is recorded
    assert mu.shape == (128,) and sigma.shape == (128, 128) and info["n"] == 10_000 and "test" in info["source"]
    assert info["features"].shape == (10_000, 128)
    # the same images through the shipped net give the same statistics and (float16-rounded) features
    mu_again, sigma_again = metrics.feature_statistics(test_features)
    np.testing.assert_allclose(mu_again, mu, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(sigma_again, sigma, rtol=1e-3, atol=1e-3 * np.abs(sigma).max())
    np.testing.assert_allclose(info["features"], test_features, rtol=2e-3, atol=2e-3)


# ---------------------------------------------------------------------------
# FID and KID at the recorded floor
# ---------------------------------------------------------------------------


def test_fid_and_kid_of_test_halves_are_at_the_recorded_floor(test_features):
    order = np.random.default_rng(123).permutation(len(test_features))  # other halves than the script's
    a, b = test_features[order[:5000]], test_features[order[5000:]]
    fid = metrics.frechet_distance(*metrics.feature_statistics(a), *metrics.feature_statistics(b))
    kid = metrics.kernel_distance(a, b, num_subsets=20)
    recorded = _floor("test images against other test images", 5000)
    assert 0.5 * recorded["fid"] < fid < 2 * recorded["fid"], (fid, recorded)
    assert abs(kid) < 0.3, kid  # unbiased: about 0 (images of another data set score tens)


def test_real_training_images_score_at_the_floor_and_noise_far_above(fashion_train_sample, mnist_test):
    recorded = _floor("training images against the test statistics", N_REAL)
    fid = metrics.fid(fashion_train_sample, dataset="fashion_mnist")
    assert fid < recorded["fid"] + 5 * recorded["fid_std"] + 0.5, (fid, recorded)
    kid = metrics.kid(fashion_train_sample, dataset="fashion_mnist", num_subsets=20)
    assert abs(kid) < 5 * recorded["kid_std"] + 0.1, (kid, recorded)
    # images of another data set are far above the floor
    digits = to_unit_range(mnist_test[0][:N_REAL])[..., None]
    assert metrics.fid(digits, dataset="fashion_mnist") > 20 * fid
    assert metrics.kid(digits, dataset="fashion_mnist", num_subsets=10) > 50 * (abs(kid) + recorded["kid_std"])


def test_fid_sees_missing_classes(fashion_test):
    images, labels = fashion_test
    shoes = images[np.isin(labels, [5, 7, 9])][:1000]  # sandals, sneakers, ankle boots only
    mixed = images[np.random.default_rng(0).choice(len(images), 1000, replace=False)]
    assert metrics.fid(shoes, "fashion_mnist") > 10 * metrics.fid(mixed, "fashion_mnist")
    assert metrics.classifier_score(shoes, dataset="fashion_mnist")[0] < metrics.classifier_score(mixed, dataset="fashion_mnist")[0]


# ---------------------------------------------------------------------------
# The dataset argument
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda x: metrics.fid(x, dataset="cifar10"),
    lambda x: metrics.kid(x, dataset="cifar10"),
    lambda x: metrics.classifier_score(x, dataset="cifar10"),
    lambda x: metrics.reference_statistics("cifar10"),
    lambda x: pretrained.feature_net("cifar10"),
    lambda x: pretrained.fid_statistics("cifar10"),
])
def test_an_unknown_dataset_gives_a_keras_template_error(call):
    with pytest.raises(ValueError) as err:
        call(np.zeros((2, 28, 28, 1), np.float32))
    assert str(err.value) == ("Invalid value for argument `dataset`. Expected one of 'mnist', 'fashion_mnist'. "
                              "Received: dataset='cifar10'")


def test_one_list_of_data_sets():
    from stylegan_edu.features import FEATURE_NETS

    assert tuple(FEATURE_NETS) == pretrained.DATASETS == ("mnist", "fashion_mnist")


def test_penultimate_features_rejects_an_unknown_dataset():
    from stylegan_edu.features import penultimate_features

    with pytest.raises(ValueError, match=r"Invalid value for argument `dataset`\. Expected one of 'mnist', 'fashion_mnist'"):
        penultimate_features(np.zeros((2, 28, 28, 1), np.float32), dataset="svhn")


def test_kid_needs_shipped_feature_vectors(monkeypatch):
    """Statistics without real feature vectors (mean and covariance only) cannot give a KID: it says so."""
    real = metrics.reference_statistics

    def without_features(dataset="mnist"):
        mu, sigma, info = real(dataset)
        return mu, sigma, {k: v for k, v in info.items() if k != "features"}

    monkeypatch.setattr(metrics, "reference_statistics", without_features)
    with pytest.raises(ValueError, match="Invalid value for argument `dataset`. Expected a data set whose shipped "
                                         "statistics hold real feature vectors"):
        metrics.kid(np.zeros((2, 28, 28, 1), np.float32), dataset="mnist")


def test_mnist_fid_is_fid_on_mnist():
    noise = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype(np.float32)
    assert metrics.mnist_fid(noise) == metrics.fid(noise, dataset="mnist")
    assert metrics.fid(noise) == metrics.fid(noise, "mnist")  # mnist is the default


def test_one_builder_for_both_feature_nets():
    from stylegan_edu.features import FEATURE_NETS, FeatureNetConfig, build_feature_net, build_mnist_feature_net

    mnist, fashion = build_feature_net("mnist"), build_feature_net("fashion_mnist")
    assert build_mnist_feature_net().count_params() == mnist.count_params() == 225_034  # the shipped MNIST weights' layout
    assert [w.shape for w in fashion.get_layer("features").weights] == [w.shape for w in mnist.get_layer("features").weights]
    assert "bn1" in [layer.name for layer in fashion.layers] and "bn1" not in [layer.name for layer in mnist.layers]
    assert build_feature_net(FEATURE_NETS["fashion_mnist"]).count_params() == fashion.count_params()
    with pytest.raises(ValueError, match="Invalid value for argument `dropout`. Expected a float in \\[0, 1\\)"):
        FeatureNetConfig(dropout=1.0)
    with pytest.raises(ValueError, match="Invalid value for argument `filters`"):
        FeatureNetConfig(filters=(32,))
