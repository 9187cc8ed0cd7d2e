"""The StyleGAN panels (chapter 13) redraw when their controls' values are set from code, and show the right images."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from stylegan_edu.models import MappingConfig, StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig  # noqa: E402
from stylegan_edu.stylegan import mix_styles  # noqa: E402
from stylegan_edu.widgets import noise_panel, style_mixing_panel, truncation_panel  # noqa: E402


@pytest.fixture(scope="module")
def generator():
    g = StyleGANGenerator(StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
                                                  SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)))
    g.build()
    for layer in g.synthesis.noises:
        layer.noise_scale.assign(np.full(layer.noise_scale.shape, 0.5, "float32"))
    g.w_avg.assign(np.linspace(-1, 1, 8).astype("float32"))
    return g


def _z(seed):
    return np.random.default_rng(seed).standard_normal((1, 8)).astype("float32")


def _png(widget):
    from io import BytesIO

    from PIL import Image

    return np.asarray(Image.open(BytesIO(widget.value)))


@pytest.mark.parametrize("k", [0, 2, 5, 8])
def test_mixing_panel_shows_mix_styles(generator, k):
    panel = style_mixing_panel(generator, seed_a=3, seed_b=4)
    panel.crossover.value = k
    w_a, w_b = generator.mapping(_z(3)), generator.mapping(_z(4))
    want = np.asarray(generator.synthesize(mix_styles(w_a, w_b, k, 8), noise="const"))[0, ..., 0]
    # the panel synthesises its rows in one batch: oneDNN's summation order may differ (seen: 1.2e-6 apart); another
    # crossover would be off by 0.1 or more
    np.testing.assert_allclose(panel.arrays[2], want, atol=1e-5)
    assert _png(panel.images[2]).shape == (160, 160)  # 32 px x zoom 5


def test_mixing_panel_reseeds(generator):
    panel = style_mixing_panel(generator, seed_a=0, seed_b=1, crossover=8)
    before = panel.arrays[0].copy()
    panel.seed_a.value = 7
    want = np.asarray(generator(_z(7), noise="const"))[0, ..., 0]
    np.testing.assert_allclose(panel.arrays[0], want, atol=1e-6)
    np.testing.assert_allclose(panel.arrays[2], want, atol=1e-6)  # k = num_ws: the mix is A
    assert np.abs(before - panel.arrays[0]).max() > 1e-4
    fig = panel.figure()
    assert "crossover k = 8" in fig._suptitle.get_text()


def test_truncation_slider(generator):
    panel = truncation_panel(generator, seeds=[0, 1, 2, 3], psi=1.0)
    full = panel.arrays.copy()
    panel.psi.value = 0.5
    z = np.concatenate([_z(s) for s in range(4)])
    np.testing.assert_allclose(panel.arrays, np.asarray(generator(z, truncation_psi=0.5, noise="const"))[..., 0], atol=1e-6)
    assert np.abs(panel.arrays - full).max() > 1e-4
    panel.psi.value = 0.0
    assert np.abs(panel.arrays - panel.arrays[:1]).max() == 0.0  # psi = 0: one image
    mean_image = np.asarray(generator.synthesize(generator.broadcast(generator.w_avg[None]), noise="const"))[0, ..., 0]
    np.testing.assert_allclose(panel.arrays[0], mean_image, atol=1e-6)


def test_new_noise_button_and_value(generator):
    panel = noise_panel(generator, seed=2)
    assert np.abs(panel.arrays[2]).max() == 0.0
    panel.button.click()
    panel.button.click()
    assert panel.noise_seed.value == 2
    one = panel.arrays[1].copy()
    assert np.abs(panel.arrays[2]).max() > 0
    panel.noise_seed.value = 0
    assert np.abs(panel.arrays[2]).max() == 0.0
    panel.noise_seed.value = 2
    np.testing.assert_allclose(panel.arrays[1], one, atol=0)  # the same draw gives the same image
    assert "±" in panel.labels[2].value


def test_negative_seed_typed_into_a_box_is_refused(generator):
    panel = style_mixing_panel(generator)
    with pytest.raises(ValueError, match="seed_a"):
        panel.seed_a.value = -3


def test_snapshot_pictures_any_panel_with_its_labels_and_controls(generator):
    from stylegan_edu.models import GeneratorConfig, make_generator
    from stylegan_edu.widgets import latent_explorer, snapshot

    panel = style_mixing_panel(generator, seed_a=3, seed_b=4, crossover=2)
    fig = snapshot(panel)
    assert [ax.get_title() for ax in fig.axes] == ["A (seed 3)", "B (seed 4)", "mix: w0..w1 from A"]
    assert "seed A = 3; seed B = 4; crossover k = 2" in fig._suptitle.get_text()
    shown = fig.axes[2].images[0].get_array()
    np.testing.assert_array_equal(np.asarray(shown), _png(panel.images[2]))  # the pixels the panel shows
    explorer = latent_explorer(make_generator(GeneratorConfig(latent_dim=8, filters=(8, 8), seed=0)), dims=2, value_range=None)
    fig = snapshot(explorer, title="latent")
    assert len(fig.axes) == 1 and "z[0] = " in fig._suptitle.get_text()


def test_snapshot_refuses_what_is_not_a_panel():
    import ipywidgets

    from stylegan_edu.widgets import snapshot

    with pytest.raises(ValueError, match="`panel`.*container"):
        snapshot("panel")
    with pytest.raises(ValueError, match="`panel`.*at least one image"):
        snapshot(ipywidgets.VBox([ipywidgets.IntSlider()]))
