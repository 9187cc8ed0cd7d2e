"""The shipped assets: one checked loader (damaged or missing files give one clear error, for every
file that a SHA256SUMS lists), and the MNIST generators' quality matches what their records state."""

import json
import re
import shutil

import numpy as np
import pytest

from stylegan_edu import pretrained
from stylegan_edu.metrics import mnist_fid
from stylegan_edu.pretrained import mnist_dcgan_generator, mnist_dcgan_generator_info, mnist_generator, mnist_generator_info


def test_reference_mnist_generator_loads_offline_and_keeps_its_recorded_quality():
    """The style-based reference generator: EMA weights, trained on the 8,000 digits, 28 x 28 digits in [-1, 1], and on
    2,000 fresh samples the quality its record states for 10,000 (FID is biased upwards for fewer samples)."""
    from stylegan_edu.metrics import sample_quality
    from stylegan_edu.models import StyleGANGenerator

    info = mnist_generator_info()
    m = info["metrics"]
    assert m["num_samples"] == 10_000 and m["truncation_psi"] == 1.0 and info["heldout_metrics"]["num_samples"] == 2000
    assert info["train_config"]["ema_decay"] and info["n_images"] == 8000 and info["train_seconds"] <= 60 * 60
    g = mnist_generator()
    assert isinstance(g, StyleGANGenerator) and g.count_params() == info["generator_params"]
    z = np.random.default_rng(7).standard_normal((2000, g.latent_dim)).astype(np.float32)
    x = np.concatenate([np.asarray(g(z[i:i + 500], training=False)) for i in range(0, 2000, 500)])  # (2000, 28, 28, 1)
    assert x.shape == (2000, 28, 28, 1) and -1 <= x.min() and x.max() <= 1
    q = sample_quality(x, dataset="mnist")
    assert m["fid"] - 1 < q["fid"] < m["fid"] + 4, (q["fid"], m["fid"])
    assert abs(q["legible_rate"] - m["legible_rate"]) < 0.03, (q["legible_rate"], m["legible_rate"])
    assert q["class_shares"] == pytest.approx(m["class_shares"], abs=0.025)
    untrained = StyleGANGenerator(g.config, output_crop=2)
    assert mnist_fid(np.asarray(untrained(z[:500]))) > 10 * q["fid"]
    frames = pretrained.mnist_generator_progress()
    assert frames[0][0] == 1 and frames[-1][0] == info["epochs_done"] and 2 <= len(frames) <= 24
    assert frames[0][1].shape == frames[-1][1].shape == (526, 526)  # 8 x 8 grids of 32 x 32 samples (+ 2 px gaps)


def test_reference_mnist_generator_is_the_cropped_style_based_one():
    from stylegan_edu.stylegan import crop_to_28

    z = np.random.default_rng(1).standard_normal((4, 64)).astype(np.float32)
    full = np.asarray(pretrained.stylegan_generator("mnist")(z, noise="const"))  # (4, 32, 32, 1)
    assert full.shape == (4, 32, 32, 1)
    np.testing.assert_allclose(np.asarray(mnist_generator()(z, noise="const")), crop_to_28(full), atol=1e-6)
    with pytest.raises(ValueError, match="Invalid value for argument `crop`"):
        pretrained.stylegan_generator("mnist", crop=2)


def test_mnist_dcgan_generator_record_describes_its_weights():
    """The DCGAN (the former reference) loads offline and its record describes it. Its recorded 10,000-sample FID,
    KID, legible rate and class shares are recomputed from the weights by chapter 9 (the cell after "The shipped
    DCGAN"), whose printed numbers strict nbval compares in `make test`; this test does not compute them twice."""
    info = mnist_dcgan_generator_info()
    m = info["metrics"]
    assert info["fid_samples"] == 10_000 and info["n_images"] == 8000 and info["train_config"]["ema_decay"]
    assert m["num_samples"] == 10_000 and 0 < m["fid"] < 20 and abs(sum(m["class_shares"].values()) - 1) < 1e-6
    g = mnist_dcgan_generator()
    assert g.count_params() == info["generator_params"]
    z = np.random.default_rng(m["noise_seed"]).standard_normal((8, 100)).astype(np.float32)
    x = np.asarray(g(z, training=False))
    assert x.shape == (8, 28, 28, 1) and np.abs(x).max() <= 1 and x.std() > 0.1  # digits, not a constant image
    frames = pretrained.mnist_dcgan_generator_progress()
    assert frames[0][0] == 1 and frames[-1][0] == info["epochs_done"] and len(frames) <= 24


def test_write_progress_frames_keeps_the_first_the_last_and_more_early(tmp_path):
    run = tmp_path / "samples"
    run.mkdir()
    for e in range(1, 31):
        (run / f"epoch_{e:04d}.png").write_bytes(bytes([e]))
    out = tmp_path / "progress"
    out.mkdir()
    (out / "epoch_0999.png").write_bytes(b"stale")
    kept = pretrained.write_progress_frames(run, out, max_frames=6)
    assert kept[0] == 1 and kept[-1] == 30 and len(kept) <= 6 and kept == sorted(set(kept))
    assert np.diff(kept).tolist() == sorted(np.diff(kept).tolist())  # gaps grow: denser early
    assert sorted(p.name for p in out.iterdir()) == [f"epoch_{e:04d}.png" for e in kept]  # the stale frame is gone
    assert (out / "epoch_0030.png").read_bytes() == bytes([30])
    assert pretrained.write_progress_frames(run, tmp_path / "all", max_frames=100) == list(range(1, 31))
    with pytest.raises(ValueError, match="Invalid value for argument `samples`"):
        pretrained.write_progress_frames(tmp_path / "empty", out)


# ---------------------------------------------------------------------------
# The checked loader: every shipped weights/statistics file, damaged or missing
# ---------------------------------------------------------------------------

#: Every shipped weights or statistics file, the script that rebuilds it, and the public loader that reads it.
ASSETS = {
    "mnist_generator/generator.weights.h5": ("train_stylegan.py --dataset mnist", pretrained.mnist_generator),
    "mnist_dcgan_generator/generator.weights.h5": ("train_mnist_dcgan.py", pretrained.mnist_dcgan_generator),
    "stylegan_generator/generator.weights.h5": ("train_stylegan.py", pretrained.stylegan_generator),
    **{f"clahe_generator/{variant}_seed{seed}.weights.h5": (
        "train_clahe_generator.py", lambda variant=variant, seed=seed: pretrained.clahe_generator(variant, seed=seed))
       for variant in ("l1", "gan", "gan_perceptual", "restore") for seed in (0, 1, 2)},
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
    for fn, info in ((pretrained.mnist_generator, pretrained.mnist_generator_info()),
                     (pretrained.mnist_dcgan_generator, pretrained.mnist_dcgan_generator_info())):
        assert f"**MNIST-FID {info['metrics']['fid']:.2f}**" in fn.__doc__
        assert f"legible rate {100 * info['metrics']['legible_rate']:.1f}%" in " ".join(fn.__doc__.split())
    fashion_fid = pretrained.stylegan_generator_info()["metrics"]["fid"]
    assert f"**FID {fashion_fid:.2f}," in pretrained.stylegan_generator.__doc__
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
    for fn in (pretrained.mnist_generator, pretrained.mnist_dcgan_generator, pretrained.stylegan_generator,
               pretrained.mnist_feature_net, pretrained.clahe_generator,
               pretrained.fashion_mnist_feature_net, pretrained.fashion_mnist_fid_statistics):
        assert not re.search(r"\{[a-z_0-9]+\}", fn.__doc__), fn.__name__  # every placeholder was filled
