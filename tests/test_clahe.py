"""Classical CLAHE against scikit-image and OpenCV, degradations, the pair pipeline, evaluation, the panel."""

import cv2
import numpy as np
import pytest
import skimage.data
from skimage.exposure import equalize_adapthist, equalize_hist
from skimage.util import img_as_ubyte

from stylegan_edu import clahe as C


@pytest.fixture(scope="module")
def camera():
    return skimage.data.camera()[::2, ::2]  # (256, 256) uint8


@pytest.fixture(scope="module")
def photos():
    return C.load_photos(["camera", "astronaut", "coins", "brick", "retina"], max_side=192)


@pytest.mark.parametrize("clip, grid", [(0.01, (8, 8)), (0.03, (4, 6)), (1.0, (2, 2))])
def test_skimage_backend_equals_equalize_adapthist(camera, clip, grid):
    h, w = camera.shape
    ks = (h // grid[0], w // grid[1])
    ref = equalize_adapthist(camera, kernel_size=ks, clip_limit=clip)  # float64 in [0, 1]
    as_float = camera.astype(np.float32) / 255
    out = C.clahe(as_float, clip, grid)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, equalize_adapthist(as_float, kernel_size=ks, clip_limit=clip).astype(np.float32))
    out8 = C.clahe(camera, clip, grid)
    assert out8.dtype == np.uint8
    np.testing.assert_array_equal(out8, img_as_ubyte(ref))


@pytest.mark.parametrize("clip, grid", [(0.01, (8, 8)), (0.02, (3, 5)), (0.005, (16, 16))])
def test_opencv_backend_equals_create_clahe(camera, clip, grid):
    ref = cv2.createCLAHE(clipLimit=256 * clip, tileGridSize=(grid[1], grid[0])).apply(camera)
    np.testing.assert_array_equal(C.clahe(camera, clip, grid, backend="opencv"), ref)


def test_opencv_float_goes_through_uint8(camera):
    out = C.clahe(camera / 255.0, 0.01, (4, 4), backend="opencv")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(np.round(out * 255).astype(np.uint8), C.clahe(camera, 0.01, (4, 4), backend="opencv"))


def test_opencv_clip_limit_mapping_gives_the_same_bin_cap():
    # skimage caps a bin at int(c * n); OpenCV at L * n / 256: equal for L = 256 c
    n = 64 * 64
    for c in (0.01, 0.02, 0.5):
        assert C.opencv_clip_limit(c) * n / 256 == pytest.approx(c * n)


def test_rgb_is_enhanced_on_luminance_keeping_chroma():
    rgb = skimage.data.astronaut()[::4, ::4].astype(np.float64) / 255  # (128, 128, 3)
    out = C.clahe(rgb, 0.01, (4, 4))
    y, y_out = C.to_luminance(rgb), C.to_luminance(out)
    ok = np.all((out > 1e-9) & (out < 1 - 1e-9), axis=-1)  # pixels where no channel was clipped
    assert ok.mean() > 0.5
    np.testing.assert_allclose(y_out[ok], C.clahe(y, 0.01, (4, 4))[ok], atol=1e-9)
    # Cb and Cr are linear in B - Y and R - Y: unchanged where nothing was clipped
    np.testing.assert_allclose((out[..., 2] - y_out)[ok], (rgb[..., 2] - y)[ok], atol=1e-9)
    np.testing.assert_allclose((out[..., 0] - y_out)[ok], (rgb[..., 0] - y)[ok], atol=1e-9)


@pytest.mark.parametrize("kwargs, match", [
    ({"clip_limit": 0.0}, "clip_limit"),
    ({"clip_limit": -1.0}, r"Expected a float in \(0.0, 1.0\]. Received: clip_limit=-1.0"),
    ({"clip_limit": 1.5}, "clip_limit"),
    ({"tile_grid": (300, 2)}, "at most one tile per pixel"),
    ({"tile_grid": (0, 2)}, "positive integers"),
    ({"tile_grid": 8}, "positive integers"),
    ({"backend": "pillow"}, "Expected one of 'skimage', 'opencv'"),
])
def test_clahe_bad_arguments(camera, kwargs, match):
    with pytest.raises(ValueError, match=match):
        C.clahe(camera, **kwargs)


@pytest.mark.parametrize("image, match", [
    ("not an image", "dtype"),
    (np.zeros((2, 8, 8, 1)), "grey image"),
    (np.zeros((8, 8, 4)), "grey image"),
    (np.zeros((8, 8), bool), "dtype"),
    (np.full((8, 8), 2.0), r"float values in \[0, 1\]"),
    (np.full((8, 8), np.nan), "finite"),
    (np.zeros((8, 8), np.uint16), "dtype"),
])
def test_clahe_rejects_non_images(image, match):
    with pytest.raises(ValueError, match=match):
        C.clahe(image, tile_grid=(2, 2))


def test_clip_histogram_keeps_the_total_and_caps_before_redistribution():
    rng = np.random.default_rng(0)
    h = rng.integers(0, 50, 256).astype(float)
    out = C.clip_histogram(h, 20)
    assert out.sum() == pytest.approx(h.sum())
    excess = np.maximum(h - 20, 0).sum()
    np.testing.assert_allclose(out - excess / 256, np.minimum(h, 20))
    with pytest.raises(ValueError, match="clip_limit"):
        C.clip_histogram(h, 0)


def test_global_equalize_equals_equalize_hist(camera):
    x = camera / 255.0
    np.testing.assert_allclose(C.global_equalize(x), equalize_hist(x, nbins=256))


@pytest.mark.parametrize("kind", C.DEGRADATIONS)
def test_degradations_lower_contrast(photos, kind):
    for name, img in photos.items():
        for strength in (0.3, 0.7, 1.0):
            out = C.low_contrast(img, kind, strength, seed=3)
            assert out.dtype == img.dtype and out.shape == img.shape
            assert 0.0 <= out.min() and out.max() <= 1.0
            assert out.std() < img.std(), (name, kind, strength)


def test_degradations_are_seeded_keep_dtype_and_are_identity_at_zero(camera):
    a = C.low_contrast(camera, "haze", 0.6, seed=1)
    assert a.dtype == np.uint8
    np.testing.assert_array_equal(a, C.low_contrast(camera, "haze", 0.6, seed=1))
    assert not np.array_equal(a, C.low_contrast(camera, "haze", 0.6, seed=2))
    for kind in C.DEGRADATIONS:
        np.testing.assert_array_equal(C.low_contrast(camera, kind, 0.0, seed=0), camera)
    with pytest.raises(ValueError, match="kind"):
        C.low_contrast(camera, "blur")
    with pytest.raises(ValueError, match="strength"):
        C.low_contrast(camera, "gamma", 1.5)


def test_clahe_pairs_shapes_ranges_and_seed(photos):
    ds = C.clahe_pairs(photos, patch=64, batch_size=4, seed=5)
    (x1, t1), = list(ds.take(1))
    (x2, t2), = list(C.clahe_pairs(photos, patch=64, batch_size=4, seed=5).take(1))
    assert x1.shape == t1.shape == (4, 64, 64, 1)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(t1, t2)
    x1 = np.asarray(x1)
    assert 0 <= x1.min() and x1.max() <= 1
    np.testing.assert_array_equal(np.round(x1 * 255), x1 * 255)  # 8-bit inputs
    assert x1.std(axis=(1, 2, 3)).mean() < np.asarray(t1).std(axis=(1, 2, 3)).mean()  # targets have more contrast


def test_clahe_pairs_take_any_multiple_of_64_up_to_512():
    img = C.load_photos(["camera"], max_side=256)["camera"]
    for patch in (192, 256):
        (x, t), = list(C.clahe_pairs({"camera": img}, patch=patch, batch_size=2, seed=1).take(1))
        assert x.shape == t.shape == (2, patch, patch, 1)


def _views(t):
    """The eight rotations/flips of a crop (the pipeline's dihedral augmentation)."""
    return [np.rot90(t, -k) for k in range(4)] + [np.rot90(t[:, ::-1], -k) for k in range(4)]


def test_clahe_pairs_targets_are_crops_of_the_whole_image_target():
    img = C.load_photos(["camera"], max_side=128)["camera"]
    target = C.clahe_target(img)
    (x, t), = list(C.clahe_pairs({"camera": img}, patch=64, batch_size=1, clean_fraction=1.0, seed=0).take(1))
    t = np.asarray(t)[0, :, :, 0]
    windows = [target[r : r + 64, c : c + 64] for r in range(65) for c in range(65)]
    assert any(np.array_equal(w, v) for w in windows for v in _views(t))


def test_clahe_pairs_crop_targets_are_the_clahe_of_each_clean_crop():
    img = C.load_photos(["camera"], max_side=192)["camera"]
    img8 = np.round(img * 255) / 255  # what an undegraded input looks like
    (x, t), = list(C.clahe_pairs({"camera": img}, patch=128, batch_size=1, seed=3, clean_fraction=1.0,
                                 target_from="crop").take(1))
    x, t = np.asarray(x)[0, :, :, 0], np.asarray(t)[0, :, :, 0]
    hits = [(r, c, k) for r in range(65) for c in range(65) for k, v in enumerate(_views(x))
            if np.array_equal(img8[r : r + 128, c : c + 128].astype(np.float32), v)]
    assert len(hits) == 1
    r, c, k = hits[0]
    ref = C.clahe(img[r : r + 128, c : c + 128], 0.01, (2, 2))  # 64-pixel tiles on a 128 crop, by hand
    np.testing.assert_allclose(_views(t)[k], ref, atol=1e-6)
    # Degraded inputs (same seed, same crop) keep the clean crop's target.
    (xd, td), = list(C.clahe_pairs({"camera": img}, patch=128, batch_size=1, seed=3, clean_fraction=0.0,
                                   target_from="crop").take(1))
    td = np.asarray(td)[0, :, :, 0]
    assert any(np.allclose(v, ref, atol=1e-6) for v in _views(td))
    assert np.asarray(xd).std() < t.std()


def test_clahe_pairs_clean_targets_are_the_clean_crop_of_a_damaged_input():
    img = C.load_photos(["camera"], max_side=192)["camera"]
    img8 = np.round(img * 255) / 255
    batches = list(C.clahe_pairs({"camera": img}, patch=128, batch_size=4, seed=5, clean_fraction=0.0,
                                 kinds=("noise", "blur"), max_strength=1.0, target_from="clean").take(2))
    damaged = 0
    for x, t in batches:
        for xi, ti in zip(np.asarray(x)[..., 0], np.asarray(t)[..., 0]):
            hits = [(r, c) for r in range(65) for c in range(65) for v in _views(ti)
                    if np.array_equal(img8[r : r + 128, c : c + 128].astype(np.float32), v)]
            assert len(hits) == 1  # the target is an undamaged 8-bit crop of the photo ...
            damaged += np.abs(xi - ti).mean() > 1e-3  # ... the input a damaged copy (strength ~ U[0, 1])
    assert damaged >= 6
    # Same seed, same stream: deterministic.
    again = list(C.clahe_pairs({"camera": img}, patch=128, batch_size=4, seed=5, clean_fraction=0.0,
                               kinds=("noise", "blur"), max_strength=1.0, target_from="clean").take(2))
    for (x, t), (x2, t2) in zip(batches, again):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(x2))
        np.testing.assert_array_equal(np.asarray(t), np.asarray(t2))


def test_random_tone_is_a_seeded_monotone_8bit_reexposure():
    img = C.load_photos(["camera"], max_side=128)["camera"]
    a, b = C.random_tone(img, seed=4), C.random_tone(img, seed=4)
    np.testing.assert_array_equal(a, b)
    assert a.shape == img.shape and a.dtype == np.float32 and 0 <= a.min() and a.max() <= 1
    np.testing.assert_allclose(np.round(a * 255), a * 255, atol=1e-4)  # 8-bit levels
    order = np.argsort(img.ravel(), kind="stable")
    assert np.all(np.diff(a.ravel()[order]) >= 0)  # a monotone map of the grey levels: no new structure
    ranges = [np.ptp(C.random_tone(img, seed=k)) for k in range(20)]
    assert min(ranges) < 0.5 * np.ptp(img) < max(ranges)  # narrow and wide histograms both occur


def test_tone_fraction_gives_targets_that_are_the_clahe_of_the_reexposed_photo():
    img = C.load_photos(["camera"], max_side=128)["camera"]
    (x, t), = list(C.clahe_pairs({"camera": img}, patch=128, batch_size=1, seed=1, clean_fraction=1.0,
                                 tone_fraction=1.0).take(1))
    x, t = np.asarray(x)[0, :, :, 0], np.asarray(t)[0, :, :, 0]  # the whole 128 photo, re-exposed
    hits = [k for k, v in enumerate(_views(x)) if np.allclose(C.clahe_target(v), _views(t)[k], atol=1e-5)]
    assert hits, "the target is the CLAHE of the re-exposed input, not of the original photo"
    assert not any(np.allclose(v, img, atol=1e-3) for v in _views(x))


def test_clahe_pairs_bad_arguments(photos):
    with pytest.raises(ValueError, match="tone_fraction"):
        C.clahe_pairs(photos, tone_fraction=1.5)
    with pytest.raises(ValueError, match="target_from"):
        C.clahe_pairs(photos, target_from="tile")
    for patch in (100, 32, 0, 576, 1024, 64.0):  # multiples of 64 from 64 to 512 only
        with pytest.raises(ValueError, match="patch"):
            C.clahe_pairs(photos, patch=patch)
    with pytest.raises(ValueError, match="at least 128 x 128"):
        C.clahe_pairs({"small": np.zeros((100, 200), np.float32)}, patch=128)
    with pytest.raises(ValueError, match="kinds"):
        C.clahe_pairs(photos, kinds=("fog",))
    assert C.clahe_pairs(photos, kinds=("blur", "gamma")) is not None  # restoration and contrast kinds mix


def test_split_is_disjoint_and_fixed():
    assert not set(C.TRAIN_IMAGES) & set(C.EVAL_IMAGES)
    assert C.EVAL_IMAGES == ("moon", "retina", "hubble_deep_field", "cat", "coffee")
    assert "chelsea" not in C.TRAIN_IMAGES  # skimage.data.chelsea is skimage.data.cat under another name
    assert len(C.TRAIN_IMAGES) == 12
    assert C.tile_grid_for((512, 446)) == (8, 7)


def test_no_training_photo_is_a_held_out_photo_under_another_name():
    train = C.load_photos(C.TRAIN_IMAGES, max_side=64)
    held_out = C.load_photos(C.EVAL_IMAGES, max_side=64)
    for a, x in train.items():
        for b, y in held_out.items():
            assert not (x.shape == y.shape and np.allclose(x, y, atol=0.02)), (a, b)


def test_clahe_panel_redraws_image_and_histogram_from_its_sliders():
    from stylegan_edu.widgets import clahe_panel

    img = C.load_photos(["coins"], max_side=128)["coins"]
    panel = clahe_panel(img, clip_limit=0.01, tile_grid=(4, 4))
    np.testing.assert_array_equal(panel.array, C.clahe(img.astype(np.float64), 0.01, (4, 4)))
    panel.rows.value, panel.cols.value = 2, 3
    panel.clip.value = 0.1
    assert panel.redraws == 4
    expected = C.clahe(img.astype(np.float64), panel.clip.value, (2, 3))
    np.testing.assert_array_equal(panel.array, expected)
    np.testing.assert_array_equal(panel.histogram, np.histogram(expected, bins=256, range=(0, 1))[0])
    assert panel.image.value[:4] == b"\x89PNG" and panel.plot.value[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="tile_grid"):
        clahe_panel(img, tile_grid=(20, 2), max_tiles=16)


def test_training_script_help_runs_without_training():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "train_clahe_generator.py"
    out = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for option in ("--runs", "--quick", "--out", "--work", "--d-lr", "--reuse", "--eval-training-photos"):
        assert option in out.stdout, option


@pytest.fixture(scope="module")
def quick_training_run(tmp_path_factory):
    """One quick run of the training script (two steps per stage, small photos) with the L1, GAN and restore
    variants, in a subprocess as a user starts it: (out folder, work folder). One run, not one per variant, so
    that the script's start-up and evaluation are paid once."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "train_clahe_generator.py"
    tmp = tmp_path_factory.mktemp("clahe_script")
    out, work = tmp / "out", tmp / "work"
    proc = subprocess.run([sys.executable, str(script), "--quick", "--out", str(out), "--work", str(work),
                           "--runs", "l1:0;gan:0;restore:0", "--eval-training-photos"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return out, work


def test_training_script_quick_run_writes_loadable_weights_and_metrics(quick_training_run):
    """Every output the loader needs, for each of the quick run's three runs; the L1 weights load and enhance."""
    import json

    from stylegan_edu import pretrained

    out, _ = quick_training_run
    names = ("l1_seed0", "gan_seed0", "restore_seed0")
    for name in ("config.json", "metrics.json", "metrics.md", "SHA256SUMS", *(f"{n}.weights.h5" for n in names),
                 *(f"history_{n}.json" for n in names)):
        assert (out / name).is_file(), name
    assert (out / "SHA256SUMS").read_text() == "".join(f"{pretrained.sha256(out / f'{n}.weights.h5')}  {n}.weights.h5\n"
                                                       for n in sorted(names))
    record = json.loads((out / "config.json").read_text())
    assert list(record["runs"]) == list(names) and record["eval_images"] == list(C.EVAL_IMAGES)
    assert record["train_images"] == list(C.TRAIN_IMAGES)
    g = C.make_tone_grid_enhancer(C.generator_config_for("l1"))
    g.load_weights(str(out / "l1_seed0.weights.h5"))
    x = np.random.default_rng(0).uniform(size=(1, 40, 70, 1)).astype("float32")
    assert np.asarray(g(x)).shape == x.shape
    metrics = json.loads((out / "metrics.json").read_text())
    methods = {r["method"] for r in metrics["clean"]}
    assert {"identity", "global HE", C.METHOD_NAMES["l1"], C.METHOD_NAMES["gan"], "classical CLAHE"} <= methods
    assert {r["image"] for r in metrics["clean"]} == set(C.EVAL_IMAGES)
    assert all(r["seed"] == 0 for r in metrics["clean"] if r["method"] == C.METHOD_NAMES["l1"])
    assert {r["image"].split("/")[1] for r in metrics["restoration"]} == set(C.RESTORATION_DEGRADATIONS)
    assert {r["image"].split("/")[0] for r in metrics["restoration"]} == {C.EVAL_IMAGES[0]}  # --quick: one photo


def test_training_script_quick_restore_run_trains_in_two_stages_and_records_the_ablation(quick_training_run, tmp_path):
    """The restore run's two stages (a few steps each) are recorded; the U-Net moved, the GAN's tone grid did not."""
    import json

    from tests._scripts import load_script

    out, work = quick_training_run
    run = json.loads((out / "config.json").read_text())["runs"]["restore_seed0"]
    for stage in ("pretrain", "finetune"):
        assert run[stage]["steps"] == 2 and len(run[stage]["l2_per_epoch"]) == 1 and run[stage]["loss"] == "mse"
    assert run["pretrain"]["probe_l1_input"] > 0 and run["pretrain"]["probe_l1_cleaned"] > 0
    assert run["finetune"]["probe_l1_cleaned"] > 0
    assert run["tone_grid_from"] == "gan_seed0" and run["steps"] == 4
    history = json.loads((out / "history_restore_seed0.json").read_text())
    assert [sorted(h) for h in history] == [["clean_l2"], ["g_l2"]]  # L2 by default; --restore-loss mae: L1
    g = C.make_tone_grid_enhancer(C.generator_config_for("restore"))
    g.load_weights(str(out / "restore_seed0.weights.h5"))
    assert np.abs(g.head.kernel.numpy()).max() > 0  # zero-initialised: training moved it
    assert g.context is not None and g.count_params() == C.make_tone_grid_enhancer(C.RESTORE_CONFIG).count_params()
    gan = C.make_tone_grid_enhancer(C.generator_config_for("gan"))
    gan.load_weights(str(out / "gan_seed0.weights.h5"))
    for mine, theirs in zip(g.tone_grid.get_weights(), gan.tone_grid.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)  # frozen in both stages
    assert (work / "restore_seed0_stage1.weights.h5").exists()
    methods = {r["method"] for r in json.loads((out / "metrics.json").read_text())["restoration"]}
    assert {C.METHOD_NAMES["restore"], "restoring tone grid, stage 1 only", "CLAHE",
            "restoring tone grid (GAN), self-ensemble"} <= methods
    seen = json.loads((out / "metrics.json").read_text())["training_photos"]  # --eval-training-photos
    first = C.TRAIN_IMAGES[0]
    assert {(r["method"], r["image"]) for r in seen} == {
        (m, f"{first}/{kind}") for m in (*C.CLASSICAL_PIPELINES, C.METHOD_NAMES["restore"]) for kind in C.RESTORATION_DEGRADATIONS}
    assert {r["seed"] for r in seen if r["method"] == C.METHOD_NAMES["restore"]} == {0}

    # Without the gan run before it, the restore run is refused before anything loads or trains (in this process:
    # the script checks the order of the runs first).
    with pytest.raises(SystemExit, match="needs the gan run of seed 0"):
        load_script("scripts/train_clahe_generator.py").main(
            ["--quick", "--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"), "--runs", "restore:0"])
    assert not (tmp_path / "out").exists()
