"""The public-domain paintings shipped in the package (chapter 10)."""

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import stylegan_edu
from stylegan_edu.data import list_style_images, style_image

ASSETS = Path(stylegan_edu.__file__).parent / "assets" / "styles"
NAMES = sorted(p.stem for p in ASSETS.glob("*.jpg"))


def test_list_matches_the_files():
    assert list_style_images() == NAMES
    assert len(NAMES) == 4


@pytest.mark.parametrize("name", NAMES)
def test_each_image_loads_small_and_rgb(name):
    img = style_image(name)
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    assert max(img.shape[:2]) == 512, "downscaled to 512 px on the long side"
    assert 20 < img.mean() < 235 and img.std() > 20, "a real picture, not a blank"


@pytest.mark.parametrize("name", NAMES)
def test_each_image_is_the_original_downscaled(name, shared_data):
    original = Image.open(Path(shared_data) / "styles" / f"{name}.jpg").convert("RGB")
    ours = style_image(name)
    # Independent reference: the original, resized by Pillow to our size (Lanczos, as the README says).
    ref = np.asarray(original.resize((ours.shape[1], ours.shape[0]), Image.LANCZOS), dtype=np.float32)
    assert abs(original.width / original.height - ours.shape[1] / ours.shape[0]) < 0.01, "aspect ratio kept"
    # JPEG quality 90 (4:4:4) costs ~2-3 grey levels on these detailed paintings; another
    # painting, a crop or a flip would differ by 40+.
    assert np.mean(np.abs(ours.astype(np.float32) - ref)) < 4.0, "only JPEG quality-90 differences"


def test_readme_attributes_every_painting():
    text = (ASSETS / "README.md").read_text()
    assert "public domain" in text.lower()
    for name in NAMES:
        row = next(line for line in text.splitlines() if f"`{name}`" in line)
        assert re.search(r"\(\d{4}\)", row), f"{name}: the artist's death year"
        assert re.search(r"\| (c\. )?\d{4} \|", row), f"{name}: the date of the work"


@pytest.mark.parametrize("bad", ["mona_lisa", "starry_night", "", 3])
def test_unknown_name_lists_the_valid_ones(bad):
    with pytest.raises(ValueError, match=r"Invalid value for argument `name`. Expected the name of a shipped style image") as e:
        style_image(bad)
    for name in NAMES:
        assert repr(name) in str(e.value)
    assert f"Received: name={bad!r}" in str(e.value)
