"""The latent explorer redraws when its controls' values are set from code."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("ipywidgets")

from stylegan_edu.models import GeneratorConfig, make_generator, sample_latent  # noqa: E402
from stylegan_edu.widgets import latent_explorer  # noqa: E402


@pytest.fixture(scope="module")
def generator():
    return make_generator(GeneratorConfig(latent_dim=16, filters=(16, 8), seed=0))


def _decoded(panel):
    from io import BytesIO

    from PIL import Image

    return np.asarray(Image.open(BytesIO(panel.image.value)))


def test_slider_redraws_image(generator):
    panel = latent_explorer(generator, dims=3, seed=1, value_range=None, zoom=2)
    assert len(panel.sliders) == 3 and [s.description for s in panel.sliders] == ["z[0]", "z[1]", "z[2]"]
    before_array, before_png = panel.array.copy(), _decoded(panel)
    assert before_png.shape == (56, 56)  # 28 x 28 enlarged twice
    panel.sliders[1].value = 2.75
    assert panel.z[1] == pytest.approx(2.75)
    assert not np.array_equal(panel.array, before_array)
    assert not np.array_equal(_decoded(panel), before_png)
    # What is shown is the generator's output for the panel's z.
    expected = keras.ops.convert_to_numpy(generator(panel.z[None], training=False))[0, :, :, 0]
    np.testing.assert_allclose(panel.array, expected, rtol=1e-5, atol=1e-6)


def test_seed_redraws_and_moves_sliders(generator):
    panel = latent_explorer(generator, dims=(4, 7), seed=0)
    before = panel.array.copy()
    panel.seed.value = 5
    z = sample_latent(1, 16, seed=5)[0]
    np.testing.assert_allclose(panel.z, z)
    assert [s.value for s in panel.sliders] == pytest.approx([z[4], z[7]])
    assert not np.array_equal(panel.array, before)
    assert "z[4, 7]" in repr(panel)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(dims=(0, 99)), "Invalid value for argument `dims`. Expected an int or indices in [0, 16)"),
        (dict(dims=0), "Invalid value for argument `dims`. Expected an integer >= 1"),
        (dict(seed=-1), "Invalid value for argument `seed`"),
        (dict(value_range=(1, 0)), "Invalid value for argument `value_range`"),
    ],
)
def test_rejects_bad_arguments(generator, kwargs, message):
    with pytest.raises(ValueError) as err:
        latent_explorer(generator, **kwargs)
    assert message in str(err.value)


def test_rejects_non_generator():
    with pytest.raises(ValueError, match="Expected a Keras model with inputs of shape"):
        latent_explorer(lambda z: z)
