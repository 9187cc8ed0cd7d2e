"""The restoration task: damage (noise, blur, JPEG, dim and noisy), the classical restore-then-CLAHE pipelines, evaluation."""

import io

import numpy as np
import pytest
import skimage.data
from PIL import Image
from scipy.ndimage import gaussian_filter

from stylegan_edu import clahe as C


@pytest.fixture(scope="module")
def camera():
    return skimage.data.camera()[::2, ::2]  # (256, 256) uint8


@pytest.fixture(scope="module")
def camera_float(camera):
    return (camera / 255.0).astype(np.float32)  # (256, 256) float32


def _psnr(target, x):
    """PSNR in dB for data range 1, written out (independent of stylegan_edu.metrics)."""
    mse = np.mean((np.asarray(target, np.float64) - np.asarray(x, np.float64)) ** 2)
    return 10.0 * np.log10(1.0 / mse)


def _jpeg(uint8_image, quality):
    """An independent Pillow JPEG round trip of an 8-bit grey image."""
    buffer = io.BytesIO()
    Image.fromarray(uint8_image).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())))


def test_the_kinds():
    assert C.RESTORATION_DEGRADATIONS == ("noise", "blur", "jpeg", "dim_noisy")
    assert not set(C.RESTORATION_DEGRADATIONS) & set(C.DEGRADATIONS)


@pytest.mark.parametrize("kind", ["noise", "dim_noisy"])
def test_damage_is_seeded(camera_float, kind):
    a = C.damage(camera_float, kind, 0.5, seed=1)
    np.testing.assert_array_equal(a, C.damage(camera_float, kind, 0.5, seed=1))
    assert not np.array_equal(a, C.damage(camera_float, kind, 0.5, seed=2))


@pytest.mark.parametrize("kind", C.RESTORATION_DEGRADATIONS)
def test_damage_keeps_shape_dtype_and_range_and_changes_the_image(camera, camera_float, kind):
    for img in (camera, camera_float, camera_float.astype(np.float64)):
        out = C.damage(img, kind, 0.7, seed=0)
        assert out.shape == img.shape and out.dtype == img.dtype
        if img.dtype.kind == "f":
            assert 0.0 <= out.min() and out.max() <= 1.0
        assert not np.array_equal(out, img)


@pytest.mark.parametrize("kind", ["noise", "blur", "dim_noisy"])
def test_strength_zero_is_the_identity(camera, camera_float, kind):
    for img in (camera, camera_float):
        np.testing.assert_array_equal(C.damage(img, kind, 0.0, seed=3), img)


def test_jpeg_at_strength_zero_only_rounds_to_8_bits(camera, camera_float):
    np.testing.assert_array_equal(C.damage(camera, "jpeg", 0.0), camera)
    x = np.random.default_rng(0).uniform(size=(32, 32))
    np.testing.assert_array_equal(C.damage(x, "jpeg", 0.0), np.round(x * 255) / 255)


@pytest.mark.parametrize("strength", [0.2, 0.5, 1.0])
def test_noise_has_the_documented_standard_deviation(strength):
    flat = np.full((512, 512), 0.5)
    out = C.damage(flat, "noise", strength, seed=0)
    residual = out - flat  # sigma <= 0.1: clipping at 0 or 1 is 5 sigma away, negligible
    assert abs(residual.mean()) < 0.002
    assert residual.std() == pytest.approx(0.1 * strength, rel=0.02)


def test_dim_noisy_is_compress_then_noise():
    flat = np.full((512, 512), 0.5)
    out = C.damage(flat, "dim_noisy", 0.5, seed=0)
    assert (out - 0.5).std() == pytest.approx(0.06 * 0.5, rel=0.02)  # compress keeps a flat image flat
    ramp = np.tile(np.linspace(0.2, 0.8, 256), (256, 1))
    dim = C.low_contrast(ramp, "compress", 0.5)
    smooth = gaussian_filter(C.damage(ramp, "dim_noisy", 0.5, seed=0), 8.0, mode="reflect")  # noise averaged away
    np.testing.assert_allclose(smooth[16:-16, 16:-16], dim[16:-16, 16:-16], atol=0.01)
    assert C.damage(ramp, "dim_noisy", 0.5, seed=0).std() < ramp.std()


@pytest.mark.parametrize("strength", [0.1, 0.5, 1.0])
def test_blur_equals_scipy_gaussian_filter(camera_float, strength):
    ref = gaussian_filter(camera_float.astype(np.float64), 3.0 * strength, mode="reflect")
    np.testing.assert_allclose(C.damage(camera_float, "blur", strength), ref, atol=1e-6)


@pytest.mark.parametrize("strength, quality", [(0.5, 48), (1.0, 5), (0.2, 73)])
def test_jpeg_equals_a_pillow_round_trip(camera, camera_float, strength, quality):
    ref = _jpeg(camera, quality)
    np.testing.assert_array_equal(C.damage(camera, "jpeg", strength), ref)
    np.testing.assert_array_equal(np.round(C.damage(camera_float, "jpeg", strength) * 255).astype(np.uint8), ref)


def test_rgb_is_damaged_on_its_luminance():
    rgb = skimage.data.astronaut()[::4, ::4].astype(np.float64) / 255  # (128, 128, 3)
    out = C.damage(rgb, "blur", 0.5)
    assert out.shape == rgb.shape and out.dtype == rgb.dtype
    ok = np.all((out > 1e-9) & (out < 1 - 1e-9), axis=-1)  # no channel clipped
    y, y_out = C.to_luminance(rgb), C.to_luminance(out)
    np.testing.assert_allclose(y_out[ok], gaussian_filter(y, 1.5, mode="reflect")[ok], atol=1e-9)
    np.testing.assert_allclose((out[..., 2] - y_out)[ok], (rgb[..., 2] - y)[ok], atol=1e-9)  # chroma kept


# ---- the classical pipelines ------------------------------------------------


def test_the_pipelines():
    assert list(C.CLASSICAL_PIPELINES) == ["CLAHE", "Gaussian + CLAHE", "bilateral + CLAHE", "NL-means + CLAHE",
                                           "TV + CLAHE", "unsharp + CLAHE"]


@pytest.mark.parametrize("name", list(C.CLASSICAL_PIPELINES))
def test_every_pipeline_keeps_shape_dtype_and_range(camera, camera_float, name):
    fn = C.CLASSICAL_PIPELINES[name]
    noisy = C.damage(camera_float, "noise", 0.5, seed=0)
    rect = noisy[:200, :150]
    rgb = skimage.data.astronaut()[::4, ::4]  # (128, 128, 3) uint8
    for img in (noisy, rect, camera, rgb, noisy.astype(np.float64)):
        out = fn(img)
        assert out.shape == img.shape and out.dtype == img.dtype, (name, img.shape, img.dtype)
        if img.dtype.kind == "f":
            assert 0.0 <= out.min() and out.max() <= 1.0


def test_clahe_pipeline_is_clahe_target(camera, camera_float):
    for img in (camera, camera_float):
        np.testing.assert_array_equal(C.CLASSICAL_PIPELINES["CLAHE"](img), C.clahe_target(img))
    target = C.ClaheTarget(clip_limit=0.02, tile_px=32)
    np.testing.assert_array_equal(C.classical_pipeline("CLAHE", target)(camera_float), C.clahe_target(camera_float, target))


def test_gaussian_pipeline_is_gaussian_then_clahe_target(camera_float):
    ref = C.clahe_target(gaussian_filter(camera_float.astype(np.float64), 1.0, mode="reflect").astype(np.float32))
    np.testing.assert_allclose(C.CLASSICAL_PIPELINES["Gaussian + CLAHE"](camera_float), ref, atol=1e-5)


def test_nl_means_pipeline_restores_a_noisy_photo_better_than_clahe_alone():
    clean = C.load_photos(["camera"], max_side=256)["camera"]
    target = C.clahe_target(clean)
    noisy = C.damage(clean, "noise", 0.5, seed=0)
    plain = _psnr(target, C.CLASSICAL_PIPELINES["CLAHE"](noisy))
    nl_means = _psnr(target, C.CLASSICAL_PIPELINES["NL-means + CLAHE"](noisy))
    assert nl_means > plain + 3.0, (plain, nl_means)  # about 18.7 dB against 26.1 dB


def test_nl_means_leaves_a_flat_image_alone():
    flat = np.full((32, 32), 0.5, np.float32)  # no noise to estimate: h = 0 must not divide by zero
    np.testing.assert_array_equal(C.CLASSICAL_PIPELINES["NL-means + CLAHE"](flat), C.clahe_target(flat))


# ---- evaluation ---------------------------------------------------------------


def test_restoration_evaluation_pairs():
    photos = C.load_photos(["camera", "coins"], max_side=128)
    pairs = C.evaluation_pairs(photos, "restoration", strength=0.4)
    assert list(pairs) == [f"{n}/{k}" for n in photos for k in C.RESTORATION_DEGRADATIONS]
    for name, img in photos.items():
        target = C.clahe_target(img)
        for i, kind in enumerate(C.RESTORATION_DEGRADATIONS):
            x, t = pairs[f"{name}/{kind}"]
            assert x.shape == t.shape == img.shape and x.dtype == t.dtype == np.float32
            np.testing.assert_array_equal(t, target)  # the CLAHE of the clean photo
            np.testing.assert_allclose(np.round(x * 255), x * 255, atol=1e-4)  # 8-bit inputs
            expected = np.round(C.damage(img, kind, 0.4, seed=i).astype(np.float64) * 255) / 255
            np.testing.assert_allclose(x, expected, atol=1e-6)
    rows = C.evaluate({"CLAHE": C.CLASSICAL_PIPELINES["CLAHE"]}, pairs)
    assert len(rows) == 8 and all(np.isfinite(r["psnr"]) for r in rows)


# ---- bad input ------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, match", [
    ({"kind": "gamma"}, r"Invalid value for argument `kind`. Expected one of 'noise', 'blur', 'jpeg', 'dim_noisy'"),
    ({"kind": "salt"}, "kind"),
    ({"strength": 1.5}, r"Expected a float in \[0.0, 1.0\]. Received: strength=1.5"),
    ({"strength": -0.1}, "strength"),
    ({"seed": -1}, "seed"),
])
def test_damage_bad_arguments(camera, kwargs, match):
    with pytest.raises(ValueError, match=match):
        C.damage(camera, **kwargs)


@pytest.mark.parametrize("image, match", [
    ("not an image", "Invalid value for argument `image`"),
    (np.zeros((2, 8, 8, 1)), "grey image"),
    (np.full((8, 8), 2.0), r"float values in \[0, 1\]"),
    (np.full((8, 8), np.nan), "finite"),
])
def test_damage_and_pipelines_reject_non_images(image, match):
    with pytest.raises(ValueError, match=match):
        C.damage(image, "noise")
    for name, fn in C.CLASSICAL_PIPELINES.items():
        with pytest.raises(ValueError, match=match):
            fn(image)


def test_classical_pipeline_bad_arguments():
    with pytest.raises(ValueError, match="Invalid value for argument `name`. Expected one of 'CLAHE'"):
        C.classical_pipeline("median + CLAHE")
    with pytest.raises(ValueError, match="Invalid value for argument `target`. Expected a ClaheTarget"):
        C.classical_pipeline("CLAHE", target="clahe")
    flat = {"flat": np.full((64, 64), 0.5, "float32")}
    with pytest.raises(ValueError, match="argument `setting`. Expected one of 'clean', 'degraded', 'restoration'"):
        C.evaluation_pairs(flat, "restore")


def test_the_cleaning_unet_learns_to_denoise_on_clean_target_pairs():
    """Stage 1 of the restoring model: the U-Net alone, L1 to the clean crop (as scripts/train_clahe_generator.py
    does it), its inputs the damaged crop and its classical repairs. Forty steps on noisy crops must cut the error
    to the clean crop to well under the input's (measured: 0.49 of it after 25 steps, 0.42 after 40, 0.38 after 50,
    0.36 after 150; the untrained U-Net returns the input)."""
    import dataclasses

    import keras

    photos = C.load_photos(["camera", "brick"], max_side=256)
    config = dataclasses.replace(C.RESTORE_CONFIG, seed=0)
    model = C.make_tone_grid_enhancer(config)
    pairs = dict(patch=64, clean_fraction=0.0, kinds=("noise",), max_strength=1.0, target_from="clean",
                 repairs=config.restore_repairs)
    cleaner = model.cleaner()
    assert {id(w) for w in cleaner.trainable_weights} == {id(w) for layer in model.restore for w in layer.trainable_weights}
    cleaner.compile(keras.optimizers.Adam(3e-3), "mae")
    cleaner.fit(C.clahe_pairs(photos, batch_size=8, seed=0, **pairs), epochs=1, steps_per_epoch=40, verbose=0)
    noisy, clean = (np.asarray(v) for v in next(iter(C.clahe_pairs(photos, batch_size=32, seed=99, **pairs))))
    assert noisy.shape == (32, 64, 64, 1 + len(config.restore_repairs))
    before = np.abs(noisy[..., :1] - clean).mean()
    after = np.abs(np.asarray(cleaner(noisy)) - clean).mean()
    assert after < 0.6 * before, (before, after)
    assert np.abs(np.asarray(model.cleaned(noisy)) - np.asarray(cleaner(noisy))).max() == 0  # the same layers


def test_restoration_pairs_carry_the_repairs_and_keep_contrast_changes_in_the_clean_target():
    """target_from="clean": noise is removed from the target, a contrast change is not (CLAHE undoes it);
    repairs: channel k of the input is repair_stack's channel k of the 8-bit damaged crop."""
    photos = {"camera": C.load_photos(["camera"], max_side=128)["camera"]}
    for kind in ("dim_noisy", "compress"):
        x, t = next(iter(C.clahe_pairs(photos, patch=64, batch_size=4, clean_fraction=0.0, kinds=(kind,),
                                       max_strength=1.0, target_from="clean", repairs=("TV", "unsharp"), seed=3)))
        x, t = np.asarray(x), np.asarray(t)
        assert x.shape == (4, 64, 64, 3) and t.shape == (4, 64, 64, 1)
        for i in range(4):
            np.testing.assert_allclose(x[i], C.repair_stack(x[i, :, :, 0], ("TV", "unsharp")), atol=1e-6)
        if kind == "compress":  # no noise: the target is the degraded crop itself
            np.testing.assert_array_equal(t[..., 0], x[..., 0])
        else:  # the dim exposure without its noise: as flat as the input, far smoother
            assert abs(float(t.std() - x[..., 0].std())) < 0.02
            assert np.abs(np.diff(t[..., 0], axis=-1)).mean() < 0.8 * np.abs(np.diff(x[..., 0], axis=-1)).mean()


def test_repair_stack_is_the_pipelines_restoration_step():
    """CLAHE of repair_stack's channel k is the classical pipeline "<name> + CLAHE" (one implementation)."""
    img = C.load_photos(["camera"], max_side=96)["camera"]
    stack = C.repair_stack(img, tuple(C.REPAIRS))
    assert stack.shape == img.shape + (1 + len(C.REPAIRS),) and stack.dtype == np.float32
    for k, name in enumerate(C.REPAIRS, start=1):
        np.testing.assert_allclose(C.clahe_target(stack[..., k]), C.CLASSICAL_PIPELINES[f"{name} + CLAHE"](img), atol=2e-6)
    with pytest.raises(ValueError, match="argument `repairs`"):
        C.repair_stack(img, ("median",))