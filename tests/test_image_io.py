"""The shared converters and I/O helpers, against independent references (numpy, scikit-image, PIL)."""

import io
import json
import os

import numpy as np
import pytest
from PIL import Image
from skimage.util import img_as_float32, img_as_ubyte

from stylegan_edu._io import atomic_write, figure_png, machine_info, png_bytes
from stylegan_edu._validation import as_image, check_finite

RNG = np.random.default_rng(0)
U8 = RNG.integers(0, 256, (5, 7, 3)).astype(np.uint8)
F01 = RNG.uniform(0, 1, (5, 7)).astype(np.float32)


def test_uint8_to_unit_interval_matches_skimage():
    np.testing.assert_allclose(as_image(U8, to=(0, 1)), img_as_float32(U8), rtol=0, atol=1e-7)
    np.testing.assert_array_equal(as_image(U8, to=(0, 1), dtype="float64"), U8 / 255.0)


def test_unit_interval_to_uint8_matches_skimage_img_as_ubyte():
    np.testing.assert_array_equal(as_image(F01, (0, 1), to="uint8"), img_as_ubyte(F01))


def test_tanh_range_round_trips():
    x = as_image(U8, "uint8", to=(-1, 1))
    np.testing.assert_array_equal(x, U8.astype(np.float32) / 127.5 - 1.0)  # what data.to_unit_range computes
    np.testing.assert_array_equal(as_image(x, (-1, 1), to="uint8"), U8)
    np.testing.assert_allclose(as_image(x, (-1, 1), to=(0, 1)), (x + 1) / 2, atol=1e-7)


def test_uint8_to_uint8_and_keep_range_are_identities():
    np.testing.assert_array_equal(as_image(U8, to="uint8"), U8)
    y = as_image(F01.astype(np.float64))
    assert y.dtype == np.float32 and np.array_equal(y, F01)


def test_clip_for_display_and_other_ranges():
    x = np.array([-3.0, 0.5, 7.0])
    np.testing.assert_array_equal(as_image(x, (0, 1), clip=True), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(as_image(np.array([0.0, 50.0, 100.0]), (0, 100), to=(0, 1)), [0, 0.5, 1])


def test_errors_in_keras_template_with_hints():
    with pytest.raises(ValueError, match=r"Expected values in \[0, 1\] \(this looks like 0\.\.255: divide by 255.*Received: min=0, max=200"):
        as_image(np.array([0.0, 200.0]))
    with pytest.raises(ValueError, match=r"this looks like \[-1, 1\]: use \(x \+ 1\) / 2\)"):
        as_image(np.array([-0.5, 0.5]), (0, 1))
    with pytest.raises(ValueError, match=r"this looks like 0\.\.255: scale it with x / 127\.5 - 1.*Received: min=0, max=255 in batch 3$"):
        as_image(np.array([0.0, 255.0]), (-1, 1), where="batch 3")
    with pytest.raises(ValueError, match=r"1 non-finite value\(s\) out of 2 in batch 3$"):
        as_image(np.array([0.0, np.nan]), (-1, 1), where="batch 3")
    with pytest.raises(ValueError, match=r"Expected values in \[0, 1\]\. Received: min=-3, max=0$"):
        as_image(np.array([-3.0, 0.0]))  # no familiar range: no hint
    with pytest.raises(ValueError, match=r"Invalid value for argument `img`. Expected finite values. Received: 1 non-finite"):
        as_image(np.array([0.0, np.nan]), name="img")
    with pytest.raises(ValueError, match=r"Expected an image array of rank 2 or 3. Received: shape \(2,\)"):
        as_image(np.zeros(2), ndim=(2, 3))
    with pytest.raises(ValueError, match=r"an integer array with values 0\.\.255"):
        as_image(np.zeros((2, 2)), "uint8")
    with pytest.raises(ValueError, match=r"Invalid value for argument `value_range`"):
        as_image(np.zeros((2, 2)), (1, 0))
    with pytest.raises(ValueError, match=r"Expected a numeric image array"):
        as_image(np.array(["a"]))


def test_check_finite_counts_like_numpy():
    a = np.array([1.0, np.inf, -np.inf, np.nan, 0.0])
    with pytest.raises(ValueError, match=rf"{int(np.sum(~np.isfinite(a)))} non-finite value\(s\) out of 5"):
        check_finite("a", a)
    assert check_finite("n", [1, 2]).tolist() == [1, 2]


def test_png_bytes_round_trips_through_pil():
    for image in (U8, U8[..., 0], U8[..., :1]):
        back = np.asarray(Image.open(io.BytesIO(png_bytes(image, "uint8"))))
        np.testing.assert_array_equal(back, image[..., 0] if image.shape[-1:] == (1,) else image)
    big = np.asarray(Image.open(io.BytesIO(png_bytes(F01, zoom=3))))
    np.testing.assert_array_equal(big, np.kron(img_as_ubyte(F01), np.ones((3, 3), np.uint8)))
    pil = Image.fromarray(U8)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png_bytes(pil)))), U8)


def test_figure_png():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1))
    try:
        assert Image.open(io.BytesIO(figure_png(fig, dpi=20))).size == (20, 20)
    finally:
        plt.close(fig)


def test_atomic_write_replaces_and_cleans_up(tmp_path):
    path = tmp_path / "f.txt"
    atomic_write(path, "one")
    atomic_write(path, b"two", fsync=True)
    assert path.read_text() == "two"

    def boom(f):
        f.write(b"half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write(path, boom)
    assert path.read_text() == "two" and os.listdir(tmp_path) == ["f.txt"]


def test_machine_info_keys_and_json():
    info = machine_info(extra=1)
    assert list(info)[:9] == ["platform", "processor", "cpu_count", "python", "numpy", "tensorflow", "keras", "gpus", "load_average"]
    assert info["numpy"] == np.__version__ and info["extra"] == 1
    json.dumps(info)
