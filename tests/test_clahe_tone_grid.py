"""The tone grid (chapter 11's learned CLAHE): CLAHE's fixed steps, checked against scikit-image, around a
learned curve network; the enhancer built from it, its restoration CNN, `enhance`, and the JAX backend."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import skimage.data
from skimage.exposure._adapthist import clip_histogram as skimage_clip_histogram

from stylegan_edu import clahe as C
from stylegan_edu.clahe.tone_grid import (CurveNet, ToneGrid, ToneGridConfig, ToneGridEnhancer, bin_width,
                                          make_tone_grid_enhancer, tile_layout)
from stylegan_edu.metrics import psnr
from tests._jax_subprocess import jax_cpu_env
from tests._notebooks import ROOT

# ---------------------------------------------------------------------------
# The fixed steps: skimage's bins and tile layout
# ---------------------------------------------------------------------------


def test_bin_width_is_skimages():
    assert bin_width(256) == 65  # 1 + 16384 // 256
    assert ToneGridConfig().bins == 253 == (2**14 - 1) // 65 + 1  # skimage's "256 bins" fill only 253
    assert bin_width(2) == 8193 and ToneGridConfig(nbins=2).bins == 2
    assert bin_width(2**14) == 2 and ToneGridConfig(nbins=2**14).bins == 2**13


@pytest.mark.parametrize("shape", [(512, 512), (300, 451), (100, 128), (37, 50), (2, 2), (65, 1000), (130, 97, 3)])
@pytest.mark.parametrize("tile_px", [64, 16])
def test_tile_layout_pads_like_skimage_and_blends_with_unit_weights(shape, tile_px):
    lay = tile_layout(shape, tile_px)
    grid = C.tile_grid_for(shape, tile_px)
    for axis in range(2):
        s, k = shape[axis], shape[axis] // grid[axis]  # the kernel clahe_target gives skimage
        assert lay["kernel"][axis] == k
        pad_start, pad_end = k // 2, (k - s % k) % k + math.ceil(k / 2)  # skimage.exposure._adapthist._clahe
        assert lay["pad"][axis] == (pad_start, pad_end)
        m = lay["tiles"][axis]
        assert m == int((s + pad_start + pad_end) / k) - 1  # skimage's histogram blocks (ns_hist)
        index, weight = lay["index"][axis], lay["weight"][axis]
        assert index.shape == weight.shape == (2, s)
        assert index.min() >= 0 and index.max() <= m - 1
        assert weight.min() >= 0.0 and weight.max() <= 1.0
        np.testing.assert_allclose(weight.sum(axis=0), 1.0)


# ---------------------------------------------------------------------------
# The ceiling: with CLAHE's exact curves, the fixed steps give skimage's CLAHE
# ---------------------------------------------------------------------------


def _exact_clahe_curves(counts, n, redistribute_over):
    """skimage's curve per tile: clip at int(0.01 n), spread the excess over ``redistribute_over`` bins, cumsum / n.

    counts: (my, mx, K) tile histograms; returns (my, mx, K) curves.
    """
    clim = int(0.01 * n)
    curves = np.zeros(counts.shape)
    extra = np.zeros(redistribute_over - counts.shape[-1], counts.dtype)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            h = skimage_clip_histogram(np.concatenate([counts[i, j], extra]), clim)
            curves[i, j] = (np.cumsum(h) / n)[: counts.shape[-1]]
    return curves


@pytest.fixture(scope="module")
def ceiling_photos():
    return {"camera": skimage.data.camera().astype(np.float32) / 255, **C.load_photos(["cat"])}  # (512, 512), (300, 451)


@pytest.mark.parametrize("name", ["camera", "cat"])
@pytest.mark.parametrize("redistribute_over, floor_db", [
    (253, 40.0),  # the curves as a CurveNet writes them: increasing to exactly 1 over the 253 bins
    (256, 45.0),  # skimage's own: the excess also goes to its 3 empty bins
])
def test_the_exact_clahe_curves_give_skimages_clahe(ceiling_photos, name, redistribute_over, floor_db):
    img = ceiling_photos[name]
    layer = ToneGrid(ToneGridConfig())
    b, hist = layer.histograms(img[None, :, :, None])
    hist = np.asarray(hist, np.float64)[0]  # (my, mx, 253)
    lay = tile_layout(img.shape)
    n = lay["kernel"][0] * lay["kernel"][1]
    counts = np.round(hist * n).astype(np.int64)
    np.testing.assert_allclose(hist * n, counts, atol=1e-3)  # whole counts
    curves = _exact_clahe_curves(counts, n, redistribute_over)
    y = np.asarray(layer.apply_curves(b, curves[None].astype("float32")))[0, :, :, 0]
    target = C.clahe_target(img)
    assert y.shape == target.shape == img.shape
    got = psnr(target, y, data_range=1.0)
    assert got >= floor_db, (name, redistribute_over, got)


# ---------------------------------------------------------------------------
# Tile histograms, the curve network
# ---------------------------------------------------------------------------


def test_histograms_count_the_reflect_padded_bin_image_per_tile():
    config = ToneGridConfig(tile_px=16, nbins=32)  # bins of 513 levels: 32 bins; tiles of about 16 pixels
    K, w = config.bins, bin_width(config.nbins)
    assert (K, w) == (32, 513)
    rng = np.random.default_rng(0)
    levels = rng.integers(0, 2**14, size=(2, 37, 50))  # on skimage's 16,384 grey levels exactly
    levels[:, 0, 0], levels[:, -1, -1] = 0, 2**14 - 1  # min 0 and max 1: the stretch leaves them alone
    x = (levels / (2**14 - 1)).astype(np.float32)[..., None]  # (2, 37, 50, 1)
    b, hist = ToneGrid(config).histograms(x)
    b, hist = np.asarray(b), np.asarray(hist, np.float64)
    np.testing.assert_array_equal(b, levels // w)
    lay = tile_layout((37, 50), config.tile_px)
    (ky, kx), (my, mx) = lay["kernel"], lay["tiles"]
    assert hist.shape == (2, my, mx, K) and (my, mx) == (3, 4)
    np.testing.assert_allclose(hist.sum(axis=-1), 1.0, atol=1e-5)
    for i in range(2):
        padded = np.pad(levels[i] // w, lay["pad"], mode="reflect")
        (py, _), (px, _) = lay["pad"]
        for ty in range(my):
            for tx in range(mx):
                tile = padded[py + ty * ky : py + (ty + 1) * ky, px + tx * kx : px + (tx + 1) * kx]
                expected = np.bincount(tile.ravel(), minlength=K)
                np.testing.assert_allclose(hist[i, ty, tx] * ky * kx, expected, atol=1e-3)


def test_curve_net_gives_increasing_curves_that_end_at_one():
    net = CurveNet(features=8, hidden=16)
    hist = np.random.default_rng(1).dirichlet(np.full(40, 0.3), size=(2, 3, 4)).astype("float32")  # (2, 3, 4, 40)
    curves = np.asarray(net(hist))
    assert curves.shape == hist.shape
    assert np.all(np.diff(curves, axis=-1) > 0)
    np.testing.assert_array_equal(curves[..., -1], 1.0)
    assert curves.min() > 0.0


@pytest.mark.parametrize("seed", range(6))
def test_a_new_curve_net_has_live_rises(seed):
    """A fair share of the bins of typical histograms start with a rise above the ReLU's floor, so that the
    curve network gets a gradient (an initialisation where they are all cut to zero stays a ramp for ever)."""
    from keras import ops

    net = make_tone_grid_enhancer(ToneGridConfig(seed=seed)).tone_grid.curves
    hist = np.random.default_rng(12).dirichlet(np.full(253, 0.3), size=(8,)).astype("float32")  # (8, 253)
    f = net.bin_features(ops.expand_dims(hist * 253, -1))  # (8, 253, F): the layers of CurveNet.call
    c = ops.broadcast_to(ops.mean(f, axis=-2, keepdims=True), ops.shape(f))
    logits = np.asarray(net.rise(net.mix(ops.concatenate([f, c], axis=-1))))[..., 0]  # (8, 253), before the ReLU
    assert (logits > 0).mean() > 0.1, (logits > 0).mean()


# ---------------------------------------------------------------------------
# The enhancer
# ---------------------------------------------------------------------------


def test_the_enhancer_has_1121_weights_and_keeps_any_size():
    model = make_tone_grid_enhancer()
    assert isinstance(model, ToneGridEnhancer) and model.count_params() == 1121
    rng = np.random.default_rng(2)
    two_by_two = np.array([[0.0, 0.3], [0.7, 1.0]])[None, :, :, None]
    for x in (rng.uniform(size=(1, 37, 50, 1)), rng.uniform(size=(3, 70, 129, 1)), two_by_two):
        y = np.asarray(model(x.astype("float32")))
        assert y.shape == x.shape
        assert 0.0 <= y.min() and y.max() <= 1.0
        np.testing.assert_allclose(y.min(axis=(1, 2, 3)), 0.0, atol=1e-6)  # the final stretch, per image
        np.testing.assert_allclose(y.max(axis=(1, 2, 3)), 1.0, atol=1e-6)


def test_the_same_config_and_seed_give_the_same_weights():
    a, b = make_tone_grid_enhancer(), make_tone_grid_enhancer()
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    other = make_tone_grid_enhancer(ToneGridConfig(seed=1))
    assert any(not np.array_equal(wa, wo) for wa, wo in zip(a.get_weights(), other.get_weights(), strict=True))


@pytest.mark.parametrize("restore_filters", [0, 16])
def test_weights_round_trip_through_a_weights_file(tmp_path, restore_filters):
    config = ToneGridConfig(restore_filters=restore_filters)
    model = make_tone_grid_enhancer(config)
    model.set_weights([w + 0.01 * np.random.default_rng(i).normal(size=w.shape).astype(w.dtype)
                       for i, w in enumerate(model.get_weights())])  # not the initial weights (the last conv is 0)
    path = str(tmp_path / "tg.weights.h5")
    model.save_weights(path)
    loaded = make_tone_grid_enhancer(ToneGridConfig(restore_filters=restore_filters, seed=5))
    loaded.load_weights(path)
    x = np.random.default_rng(3).uniform(size=(2, 70, 90, 1)).astype("float32")
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))


def test_the_restoring_enhancer_starts_as_the_plain_tone_grid_and_learns_through_the_lookup():
    import tensorflow as tf

    config = ToneGridConfig(restore_filters=8, restore_levels=3, restore_repairs=("TV", "unsharp"))
    restoring = make_tone_grid_enhancer(config)
    assert config.in_channels == 3
    widths = [layer.filters for layer in restoring.restore]
    assert widths == [8, 16, 16, 16, 32, 32, 32, 16, 16, 8, 8, 3]  # encoder 8 / 16 x 3 / 32 x 3, decoder 16 x 2 / 8 x 2, head
    head = restoring.head
    assert not np.any(np.asarray(head.kernel)) and not np.any(np.asarray(head.bias))
    plain = make_tone_grid_enhancer()
    plain.tone_grid.set_weights(restoring.tone_grid.get_weights())
    rng = np.random.default_rng(4)
    photo = rng.uniform(0.05, 0.95, size=(2, 66, 81, 1)).astype("float32")  # odd sizes: the decoder crops
    x = np.concatenate([photo, np.clip(photo + 0.1, 0, 1), photo[:, ::-1]], axis=-1)  # (B, H, W, 3): photo + 2 "repairs"
    np.testing.assert_array_equal(np.asarray(restoring.cleaned(x)), photo)
    np.testing.assert_array_equal(np.asarray(restoring(x)), np.asarray(plain(photo)))
    target = np.stack([C.clahe_target(im[..., 0])[..., None] for im in photo]).astype("float32")
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.abs(restoring(x, training=True) - target))
    grads = tape.gradient(loss, [head.kernel, restoring.tone_grid.trainable_weights[0]])
    assert all(g is not None for g in grads)
    assert float(tf.reduce_max(tf.abs(grads[0]))) > 0.0  # through the straight-through lookup
    assert float(tf.reduce_max(tf.abs(grads[1]))) > 0.0  # and to the curve network
    # Without the straight-through term the lookup is a step function: nothing reaches the U-Net.
    layer = restoring.tone_grid
    with tf.GradientTape() as tape:
        cleaned = restoring.cleaned(x)
        b, hist = layer.histograms(cleaned)
        loss = tf.reduce_mean(tf.abs(layer.apply_curves(b, layer.curves(hist)) - target))
    g = tape.gradient(loss, head.kernel)
    assert g is None or float(tf.reduce_max(tf.abs(g))) == 0.0


def test_the_cleaning_head_mixes_the_repairs_by_its_weights():
    """x' = clip(x + sum_k a_k (R_k - x) + r): set the head's bias to a = (1, 0), r = 0 and the output is R_1."""
    config = ToneGridConfig(restore_filters=4, restore_levels=2, restore_repairs=("TV", "unsharp"))
    model = make_tone_grid_enhancer(config)
    model.head.bias.assign(np.array([1.0, 0.0, 0.0], "float32"))  # the kernel stays 0: a constant mix
    rng = np.random.default_rng(2)
    x = rng.uniform(0.2, 0.8, size=(1, 32, 40, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(model.cleaned(x)), x[..., 1:2], atol=1e-6)
    model.head.bias.assign(np.array([0.5, 0.5, 0.1], "float32"))
    expected = np.clip(x[..., :1] + 0.5 * (x[..., 1:2] - x[..., :1]) + 0.5 * (x[..., 2:3] - x[..., :1]) + 0.1, 0, 1)
    np.testing.assert_allclose(np.asarray(model.cleaned(x)), expected, atol=1e-6)


def test_the_global_context_lets_a_pixel_see_the_whole_photo():
    """A 3-level U-Net sees a few dozen pixels around each pixel (the change below is 80 away); with
    restore_context also the mean of its bottleneck over the whole photo."""
    rng = np.random.default_rng(5)
    x = rng.uniform(0.2, 0.8, size=(1, 128, 128, 2)).astype("float32")  # (B, H, W, 1 + 1 repair)
    far = x.copy()
    far[:, 96:, 96:, :] = 0.0  # a change far from the top-left corner
    for context in (False, True):
        config = ToneGridConfig(restore_filters=4, restore_levels=3, restore_repairs=("TV",), restore_context=context)
        model = make_tone_grid_enhancer(config)
        assert (model.context is not None) == context
        assert len(model.restore) == 12 + context  # the dense layer is one of the U-Net's layers (cleaner() trains it)
        model.head.kernel.assign(np.random.default_rng(6).normal(0, 0.1, model.head.kernel.shape).astype("float32"))
        corner = [np.asarray(model.mixing(v))[0, :16, :16] for v in (x, far)]  # (16, 16, K + 1) near the top-left
        assert np.array_equal(*corner) != context  # the corner's weights change only through the context
    config = ToneGridConfig(restore_filters=4, restore_levels=3, restore_repairs=("TV",), restore_context=True)
    assert len(make_tone_grid_enhancer(config).cleaner().trainable_weights) == 2 * 13


def _lookup_slopes(pixels):
    """d output / d frac at ``pixels`` [(row, col, bin)], for one increasing curve shared by all tiles."""
    import tensorflow as tf

    config = ToneGridConfig(tile_px=16, nbins=8)  # 8 bins; a 32 x 64 image has 2 x 4 tiles
    layer = ToneGrid(config)
    layer.build((None, None, None, 1))
    b = np.random.default_rng(11).integers(1, config.bins, (1, 32, 64)).astype("int32")
    for i, j, k in pixels:
        b[0, i, j] = k
    curves = np.tile(np.linspace(0.1, 1.0, config.bins, dtype="float32"), (1, 2, 4, 1))  # (1, 2, 4, 8)
    frac = tf.Variable(np.full((1, 32, 64), 0.5, "float32"))
    slopes = []
    for i, j, _ in pixels:
        with tf.GradientTape() as tape:
            y = layer.apply_curves(tf.constant(b), tf.constant(curves), frac)[0, i, j, 0]
        slopes.append(float(tape.gradient(y, frac)[0, i, j]))
    return slopes


def test_the_straight_through_slope_is_the_curves_rise_inside_the_bin():
    slopes = _lookup_slopes([(5, 40, 3), (20, 10, 4), (5, 2, 5)])
    t = np.linspace(0.1, 1.0, 8)  # the curve; the image's bins run from 1 to 7
    np.testing.assert_allclose(slopes, (t[1] - t[0]) / (t[7] - t[1]), rtol=1e-5)  # the rise, over the final stretch


def test_the_straight_through_slope_is_not_negative_in_bin_0():
    """Bin 0 reads T[0] as the value below (slope 0), not the previous tile's last value."""
    slopes = _lookup_slopes([(5, 40, 0), (20, 10, 0)])  # bin 0 of tiles (0, 2) and (1, 0)
    assert min(slopes) >= 0.0, slopes


# ---------------------------------------------------------------------------
# enhance with a tone-grid enhancer
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def enhancer():
    model = make_tone_grid_enhancer()
    rng = np.random.default_rng(6)
    model.set_weights([w + 0.1 * rng.normal(size=w.shape).astype(w.dtype) for w in model.get_weights()])
    return model


@pytest.mark.parametrize("shape, dtype", [((37, 50), np.uint8), ((37, 50), np.float32), ((37, 50), np.float64),
                                          ((45, 61, 1), np.uint8), ((45, 61, 1), np.float32), ((40, 52, 3), np.uint8),
                                          ((2, 2), np.float32)])
def test_enhance_keeps_shape_and_dtype(enhancer, shape, dtype):
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, shape).astype(np.uint8) if dtype == np.uint8 else rng.uniform(size=shape).astype(dtype)
    out = C.enhance(img, model=enhancer)
    assert out.shape == img.shape and out.dtype == img.dtype
    if dtype != np.uint8:
        assert 0.0 <= out.min() and out.max() <= 1.0


def test_enhance_runs_the_tone_grid_on_the_whole_grey_image(enhancer):
    x = np.random.default_rng(8).uniform(size=(70, 90))
    expected = np.asarray(enhancer(x[None, :, :, None].astype("float32")))[0, :, :, 0]
    np.testing.assert_allclose(C.enhance(x, model=enhancer), expected, atol=1e-7)
    np.testing.assert_allclose(C.enhance(x[..., None], model=enhancer)[..., 0], expected, atol=1e-7)


def test_enhance_rgb_changes_luminance_only(enhancer):
    rgb = np.random.default_rng(9).uniform(0.2, 0.8, (48, 64, 3))
    out = C.enhance(rgb, model=enhancer)
    assert out.shape == rgb.shape and out.dtype == rgb.dtype
    y, y_out = C.to_luminance(rgb), C.to_luminance(out)
    ok = np.all((out > 1e-9) & (out < 1 - 1e-9), axis=-1)  # pixels where no channel was clipped
    assert ok.mean() > 0.3
    np.testing.assert_allclose(y_out[ok], C.enhance(y, model=enhancer)[ok], atol=1e-6)
    for ch in (0, 2):  # Cr and Cb are linear in R - Y and B - Y
        np.testing.assert_allclose((out[..., ch] - y_out)[ok], (rgb[..., ch] - y)[ok], atol=1e-6)


@pytest.mark.parametrize("shape", [(1, 5), (5, 1), (1, 1, 3)])
def test_enhance_refuses_images_below_2_by_2(enhancer, shape):
    with pytest.raises(ValueError, match="at least 2 x 2 pixels"):
        C.enhance(np.zeros(shape, np.float32), model=enhancer)


# ---------------------------------------------------------------------------
# The JAX backend gives the same output (same weights file)
# ---------------------------------------------------------------------------

_JAX_SCRIPT = """
import json, sys
import numpy as np
import keras
from stylegan_edu.clahe.tone_grid import ToneGridConfig, make_tone_grid_enhancer
assert keras.backend.backend() == "jax", keras.backend.backend()
folder = sys.argv[1]
outputs = {}
for name, config in json.load(open(folder + "/configs.json")).items():
    model = make_tone_grid_enhancer(ToneGridConfig(**config))
    model.load_weights(f"{folder}/{name}.weights.h5")
    np.save(f"{folder}/{name}_jax.npy", np.asarray(model(np.load(folder + "/x.npy"))))
"""


def test_the_jax_backend_gives_the_same_output(tmp_path):
    pytest.importorskip("jax", reason="the dev extra installs jax")
    x = np.random.default_rng(10).uniform(size=(1, 70, 90, 1)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    configs = {"plain": {"seed": 3}, "restoring": {"seed": 3, "restore_filters": 8, "restore_levels": 3}}
    expected = {}
    for name, cfg in configs.items():
        model = make_tone_grid_enhancer(ToneGridConfig(**cfg))
        model.save_weights(str(tmp_path / f"{name}.weights.h5"))
        expected[name] = np.asarray(model(x))
    (tmp_path / "configs.json").write_text(json.dumps(configs))
    env = jax_cpu_env(PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _JAX_SCRIPT, str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    for name in configs:
        got = np.load(tmp_path / f"{name}_jax.npy")
        assert got.shape == (1, 70, 90, 1)
        np.testing.assert_allclose(got, expected[name], atol=1e-5, err_msg=name)


def test_cleaner_and_mixing_need_a_restoring_model():
    plain = make_tone_grid_enhancer()
    with pytest.raises(ValueError, match="argument `config`. Expected a restoring model"):
        plain.cleaner()
    with pytest.raises(ValueError, match="Received: restore_filters=0"):
        plain.mixing(np.zeros((1, 8, 8, 1), "float32"))
    np.testing.assert_array_equal(np.asarray(plain.cleaned(np.ones((1, 8, 8, 1), "float32"))), 1.0)  # no U-Net: x itself


# ---------------------------------------------------------------------------
# The geometric self-ensemble of the cleaning U-Net
# ---------------------------------------------------------------------------


def _random_restorer(seed=7):
    config = ToneGridConfig(restore_filters=4, restore_levels=3, restore_repairs=("TV",), restore_context=True)
    model = make_tone_grid_enhancer(config)
    model.head.kernel.assign(np.random.default_rng(seed).normal(0, 0.1, model.head.kernel.shape).astype("float32"))
    return model


def test_the_self_ensemble_is_numpys_mean_over_the_eight_orientations():
    """Against numpy's rot90 and flips: the mean over 4 turns, with and without a mirror, of the tone grid
    of rot^-1(x'(rot(x))), the U-Net's output turned back."""
    model = _random_restorer()
    x = np.random.default_rng(8).uniform(0.1, 0.9, size=(1, 24, 40, 2)).astype("float32")  # not square
    outs = []
    for mirror in (False, True):
        for turns in range(4):
            v = x[:, :, ::-1] if mirror else x
            v = np.ascontiguousarray(np.rot90(v, turns, axes=(1, 2)))
            back = np.rot90(np.asarray(model.cleaned(v)), -turns, axes=(1, 2))
            back = np.ascontiguousarray(back[:, :, ::-1] if mirror else back)
            outs.append(np.asarray(model.tone_grid(back)))
    expected = np.mean(outs, axis=0)
    np.testing.assert_allclose(np.asarray(model(x, self_ensemble=True)), expected, atol=1e-6)
    np.testing.assert_allclose(np.asarray(model.ensembled(x)), expected, atol=1e-6)
    assert np.abs(np.asarray(model(x)) - expected).max() > 1e-3  # the U-Net is not equivariant: the ensemble differs


def test_the_self_ensemble_is_equivariant_where_the_unet_is_not():
    """On a square photo whose tiles are laid out symmetrically (128 px, 64-px tiles) the tone grid turns with
    the photo, so the ensemble does too; the single model does not."""
    model = _random_restorer()
    x = np.random.default_rng(9).uniform(0.1, 0.9, size=(1, 128, 128, 2)).astype("float32")
    turned = np.ascontiguousarray(np.rot90(x, 1, axes=(1, 2)))
    gaps = {}
    for ensemble in (True, False):
        a = np.rot90(np.asarray(model(x, self_ensemble=ensemble)), 1, axes=(1, 2))
        gaps[ensemble] = np.abs(a - np.asarray(model(turned, self_ensemble=ensemble))).max()
    assert gaps[True] < 1e-3 < 0.1 < gaps[False]  # float round-off only, against a different photo


def test_enhance_with_the_self_ensemble_and_its_errors():
    model = _random_restorer()
    image = (np.random.default_rng(10).uniform(size=(36, 52)) * 255).astype(np.uint8)
    plain, ensembled = C.enhance(image, model=model), C.enhance(image, model=model, self_ensemble=True)
    assert ensembled.shape == image.shape and ensembled.dtype == np.uint8
    assert not np.array_equal(plain, ensembled)
    stack = C.repair_stack(image, model.config.restore_repairs)[None]  # what enhance feeds the model
    expected = np.round(np.clip(np.asarray(model(stack, self_ensemble=True))[0, :, :, 0], 0, 1) * 255)
    assert np.abs(ensembled.astype(float) - expected).max() <= 1
    with pytest.raises(ValueError, match="argument `self_ensemble`. Expected True or False"):
        C.enhance(image, model=model, self_ensemble="yes")
    with pytest.raises(ValueError, match="argument `self_ensemble`. Expected False unless the model is a restoring"):
        C.enhance(image, model=make_tone_grid_enhancer(), self_ensemble=True)
    with pytest.raises(ValueError, match="argument `self_ensemble`. Expected False for a model without a cleaning U-Net"):
        make_tone_grid_enhancer()(np.zeros((1, 8, 8, 1), "float32"), self_ensemble=True)


# ---------------------------------------------------------------------------
# The oracle bound: the best global mix of the repairs, fitted to the target
# ---------------------------------------------------------------------------


def _camera_stack(size=128):
    photo = skimage.data.camera()[::4, ::4][:size, :size].astype("float32") / 255.0  # (size, size)
    return C.repair_stack(photo, ("Gaussian", "unsharp"))[None]  # (1, size, size, 3)


def _mixed(x, weights):
    """The photo of stack ``x`` (1, H, W, 1 + K) with ``weights`` of its K repairs mixed in: the oracle's formula."""
    return np.clip(x[..., :1] + np.sum(weights * (x[..., 1:] - x[..., :1]), axis=-1, keepdims=True), 0, 1)


def test_the_oracle_finds_the_mix_that_made_the_target_and_leaves_the_model_alone():
    """A target made by the tone grid from a known mix, 0.6 of the Gaussian repair and -0.3 of the unsharp one:
    the fitted weights come back within 0.1 and the output within a few grey levels; no weight of the model moves."""
    config = ToneGridConfig(restore_filters=4, restore_levels=2, restore_repairs=("Gaussian", "unsharp"))
    model = make_tone_grid_enhancer(config)
    x = _camera_stack()
    known = np.array([0.6, -0.3], "float32")
    target = np.asarray(model.tone_grid(_mixed(x, known)))  # (1, 128, 128, 1)
    before = [w.copy() for w in model.get_weights()]
    weights, out = model.oracle_mixing(x, target, steps=200)
    assert weights.shape == (2,) and out.shape == target.shape
    np.testing.assert_allclose(weights, known, atol=0.1)
    assert psnr(out[0], target[0]) > 40.0 > psnr(np.asarray(model(x))[0], target[0]) + 10.0  # far closer than from 0
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_the_oracle_returns_the_best_mix_it_visited_so_more_steps_never_lower_the_bound():
    """At a constant learning rate Adam's last step need not be its best: with a step as large as 3.0 the weights
    overshoot, and after 3 steps the mix is about 9 times as far from the target (squared error) as at the start.
    The bound is the best mix the fit visited, so it is never below the start (the plain tone grid, all weights 0)
    and never falls when the fit runs longer."""
    config = ToneGridConfig(restore_filters=4, restore_levels=2, restore_repairs=("Gaussian", "unsharp"))
    model = make_tone_grid_enhancer(config)
    x = _camera_stack(64)
    target = np.asarray(model.tone_grid(_mixed(x, np.array([0.6, -0.3], "float32"))))  # (1, 64, 64, 1)
    start = float(np.mean((np.asarray(model.tone_grid(x[..., :1])) - target) ** 2))  # weights 0
    errors = []
    for steps in (3, 10, 30):
        weights, out = model.oracle_mixing(x, target, steps=steps, learning_rate=3.0)
        errors.append(float(np.mean((out - target) ** 2)))
        np.testing.assert_allclose(out, np.asarray(model.tone_grid(_mixed(x, weights))), atol=1e-6)  # their output
    assert errors[0] <= start, (errors, start)
    assert errors[2] <= errors[1] * (1 + 1e-4) and errors[1] <= errors[0] * (1 + 1e-4), errors  # round-off aside


def test_the_oracle_refuses_what_it_cannot_fit():
    with pytest.raises(ValueError, match="argument `config`. Expected a restoring model"):
        make_tone_grid_enhancer().oracle_mixing(np.zeros((1, 8, 8, 1)), np.zeros((1, 8, 8, 1)))
    model = make_tone_grid_enhancer(ToneGridConfig(restore_filters=4, restore_levels=2, restore_repairs=("TV",)))
    x = np.zeros((1, 16, 16, 2), "float32")
    with pytest.raises(ValueError, match=r"argument `x`. Expected one photo and its repairs, of shape \(1, None, None, 2\)"):
        model.oracle_mixing(np.zeros((2, 16, 16, 2)), np.zeros((2, 16, 16, 1)))
    with pytest.raises(ValueError, match=r"argument `x`. .* Received: x of shape \(1, 16, 16, 3\)"):
        model.oracle_mixing(np.zeros((1, 16, 16, 3)), np.zeros((1, 16, 16, 1)))
    with pytest.raises(ValueError, match=r"argument `target`. Expected an array of shape \(1, 16, 16, 1\)"):
        model.oracle_mixing(x, np.zeros((1, 16, 15, 1)))
    with pytest.raises(ValueError, match="argument `steps`"):
        model.oracle_mixing(x, np.zeros((1, 16, 16, 1)), steps=0)
    with pytest.raises(ValueError, match="argument `learning_rate`"):
        model.oracle_mixing(x, np.zeros((1, 16, 16, 1)), learning_rate=-1.0)
