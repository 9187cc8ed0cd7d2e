"""The shipped assets: one checked loader (damaged or missing files give one clear error, for every
file that a SHA256SUMS lists), and the MNIST generator's quality matches what its README records."""

import json
import re
import shutil

import numpy as np
import pytest

from stylegan_edu import pretrained
from stylegan_edu.metrics import mnist_fid
from stylegan_edu.pretrained import mnist_generator, mnist_generator_info


def test_mnist_generator_loads_offline_and_matches_its_recorded_fid():
    info = mnist_generator_info()
    assert info["fid_samples"] == 10_000 and info["metrics"]["num_samples"] == 10_000 and info["steps"] >= 1
    assert info["train_config"]["ema_decay"] and info["n_images"] == 8000  # EMA weights, trained on the 8,000 digits
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


def test_mnist_generator_record_is_what_its_weights_give():
    """The recorded 10,000-sample FID, KID, legible rate and class shares, measured again from the weights."""
    from stylegan_edu.metrics import sample_quality

    info = mnist_generator_info()
    m = info["metrics"]
    z = np.random.default_rng(m["noise_seed"]).standard_normal((10_000, 100)).astype(np.float32)
    g = mnist_generator()
    x = np.concatenate([np.asarray(g(z[i:i + 2000], training=False)) for i in range(0, 10_000, 2000)])
    q = sample_quality(x, dataset="mnist")
    for key in ("fid", "kid", "legible_rate", "mean_confidence"):
        assert q[key] == pytest.approx(m[key], rel=1e-3, abs=1e-3), key
    assert q["class_shares"] == pytest.approx(m["class_shares"], abs=2e-3)
    frames = pretrained.mnist_generator_progress()
    assert frames[0][0] == 1 and frames[-1][0] == info["epochs_done"] and len(frames) <= 24


# ---------------------------------------------------------------------------
# The checked loader: every shipped weights/statistics file, damaged or missing
# ---------------------------------------------------------------------------

#: Every shipped weights or statistics file, the script that rebuilds it, and the public loader that reads it.
ASSETS = {
    "mnist_generator/generator.weights.h5": ("train_mnist_generator.py", pretrained.mnist_generator),
    **{f"clahe_generator/{variant}_seed{seed}.weights.h5": (
        "train_clahe_generator.py", lambda variant=variant, seed=seed: pretrained.clahe_generator(variant, seed=seed))
       for variant in ("l1", "gan", "gan_perceptual") for seed in (0, 1, 2)},
    "clahe_generator/restore_seed0.weights.h5": ("train_clahe_generator.py", lambda: pretrained.clahe_generator("restore")),
    "mnist_feature_net/mnist_feature_net.weights.h5": ("train_mnist_feature_net.py", pretrained.mnist_feature_net),
    "mnist_fid_stats.npz": ("compute_fid_stats.py", pretrained.mnist_fid_statistics),
    "fashion_mnist_feature_net/fashion_mnist_feature_net.weights.h5": ("train_fashion_mnist_feature_net.py",
                                                                       pretrained.fashion_mnist_feature_net),
    "fashion_mnist_fid_stats.npz": ("compute_fid_stats.py --dataset fashion_mnist", pretrained.fashion_mnist_fid_statistics),
}


@pytest.fixture
def asset_copy(tmp_path, monkeypatch):
    """A copy of the shipped assets that the loaders read instead of the package's."""
    root = tmp_path / "assets"
    shutil.copytree(pretrained.ASSETS, root, ignore=shutil.ignore_patterns("styles", "*.md"))
    monkeypatch.setattr(pretrained, "ASSETS", root)
    return root


def test_every_shipped_weights_and_statistics_file_is_recorded_and_current(tmp_path):
    """SHA256SUMS lists exactly the .h5/.npz files of each folder, with their current SHA-256."""
    folders = {(pretrained.ASSETS / name).parent for name in ASSETS}
    recorded = set()
    for folder in folders:
        copy = tmp_path / (folder.name if folder != pretrained.ASSETS else "root")
        copy.mkdir()
        for f in folder.iterdir():
            if f.is_file() and f.name.endswith((".h5", ".npz")):
                shutil.copy(f, copy / f.name)
        pretrained.write_checksums(copy)
        assert (copy / "SHA256SUMS").read_text() == (folder / "SHA256SUMS").read_text(), f"rerun write_checksums({folder})"
        recorded |= {str((folder / line.split("  ")[1]).relative_to(pretrained.ASSETS))
                     for line in (folder / "SHA256SUMS").read_text().splitlines()}
    assert recorded == set(ASSETS)


@pytest.mark.parametrize("name", ["mnist_feature_net/mnist_feature_net.weights.h5", "mnist_fid_stats.npz",
                                  "clahe_generator/gan_seed0.weights.h5", "clahe_generator/restore_seed0.weights.h5",
                                  "fashion_mnist_feature_net/fashion_mnist_feature_net.weights.h5",
                                  "fashion_mnist_fid_stats.npz"])
def test_an_intact_copy_loads(asset_copy, name):
    assert pretrained.asset_path(name) == asset_copy / name
    ASSETS[name][1]()


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "missing", "unrecorded"])
@pytest.mark.parametrize("name", list(ASSETS))
def test_a_damaged_or_missing_asset_gives_one_clear_error(asset_copy, name, damage):
    script, load = ASSETS[name]
    path = asset_copy / name
    if damage == "flipped byte":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "missing":
        path.unlink()
    else:
        sums = path.parent / "SHA256SUMS"
        sums.write_text("".join(line + "\n" for line in sums.read_text().splitlines() if not line.endswith(path.name)))
    problem = {"flipped byte": "damaged", "truncated": "damaged", "missing": "missing", "unrecorded": "unrecorded"}[damage]
    with pytest.raises(pretrained.AssetError) as e:
        load()
    message = str(e.value)
    assert message.startswith(f"The shipped asset `{name}` is {problem}. Expected ")
    assert "Received: " in message
    assert "Reinstall stylegan_edu" in message and f"scripts/{script}" in message
    if problem == "damaged":
        assert re.search(r"Expected SHA-256 [0-9a-f]{64} .* Received: SHA-256 [0-9a-f]{64}\.", message)


def test_docstrings_show_the_recorded_numbers():
    info = pretrained.mnist_generator_info()
    assert f"**MNIST-FID {info['metrics']['fid']:.2f}**" in pretrained.mnist_generator.__doc__
    accuracy = pretrained.mnist_feature_net_info()["heldout_accuracy"]
    assert f"**{100 * accuracy:.2f} %**" in pretrained.mnist_feature_net.__doc__
    from stylegan_edu.clahe import EVAL_IMAGES, METHOD_NAMES

    first = EVAL_IMAGES[0]  # the GAN (seed 0) on the first held-out photo, clean input
    gan_psnr = next(r["psnr"] for r in pretrained.clahe_generator_info()["metrics"]["clean"]
                    if r["method"] == METHOD_NAMES["gan"] and r["image"] == first and r.get("seed", 0) == 0)
    assert f"{first} {gan_psnr:.2f} dB" in pretrained.clahe_generator.__doc__
    fashion = pretrained.fashion_mnist_feature_net_info()["test_accuracy"]
    assert f"{100 * fashion:.2f} %**" in pretrained.fashion_mnist_feature_net.__doc__
    for floor in json.loads((pretrained.ASSETS / "fashion_mnist_fid_stats.json").read_text())["floor"]:
        assert (f"FID {floor['fid']:.2f} and KID {floor['kid']:.4f} for {floor['num_samples']:,}"
                in " ".join(pretrained.fashion_mnist_fid_statistics.__doc__.split()))
    for fn in (pretrained.mnist_generator, pretrained.mnist_feature_net, pretrained.clahe_generator,
               pretrained.fashion_mnist_feature_net, pretrained.fashion_mnist_fid_statistics):
        assert not re.search(r"\{[a-z_0-9]+\}", fn.__doc__), fn.__name__  # every placeholder was filled
