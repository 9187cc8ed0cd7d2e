"""stylegan_edu.viz: grid pixels against numpy, scaling, figures, bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from stylegan_edu.viz import image_grid, plot_history, show_images  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_image_grid_places_each_image():
    rng = np.random.default_rng(0)
    imgs = rng.uniform(0, 1, (5, 4, 3, 1)).astype("float32")
    grid = image_grid(imgs, ncols=2, value_range=(0, 1), pad=1, pad_value=0.25)
    assert grid.shape == (3 * 5 - 1, 2 * 4 - 1)
    for i in range(5):
        r, c = divmod(i, 2)
        np.testing.assert_array_equal(grid[r * 5 : r * 5 + 4, c * 4 : c * 4 + 3], imgs[i, :, :, 0])
    assert grid[4, 0] == 0.25 and grid[10, 4] == 0.25  # borders and the empty last cell


def test_image_grid_scaling_and_rgb():
    x = np.array([-1.0, -0.5, 0.0, 1.0, 3.0]).reshape(1, 1, 5, 1)
    np.testing.assert_allclose(image_grid(x, value_range=(-1, 1))[0], [0, 0.25, 0.5, 1, 1])
    np.testing.assert_allclose(image_grid(x, value_range=(0, 1))[0], [0, 0, 0, 1, 1])
    np.testing.assert_allclose(image_grid(x, value_range=None)[0], [0, 0.125, 0.25, 0.5, 1])
    rgb = image_grid(np.zeros((3, 2, 2, 3)), ncols=3, value_range=(0, 1))
    assert rgb.shape == (2, 8, 3)
    assert image_grid(np.zeros((2, 6, 6)), value_range=(0, 255)).shape == (6, 13)  # (N, H, W) grey


def test_image_grid_accepts_tensors():
    keras = pytest.importorskip("keras")
    x = keras.ops.ones((2, 3, 3, 1))
    np.testing.assert_array_equal(image_grid(x, value_range=(0, 1), pad=0), np.ones((3, 6)))


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((2, 28, 28, 2)), "Expected images of shape (N, H, W, C) with C = 1 (grey) or 3 (RGB) channels. Received: shape (2, 28, 28, 2)"),
        (np.zeros((2, 2, 28, 28, 1)), "Received: shape (2, 2, 28, 28, 1)"),
        (np.zeros(5), "Received: shape (5,)"),
        (np.array(["a", "b"]), "Expected a numeric array of images"),
        (np.zeros((0, 28, 28, 1)), "Expected at least one image"),
    ],
)
def test_rejects_non_images(images, message):
    for fn in (show_images, image_grid):
        with pytest.raises(ValueError) as err:
            fn(images)
        assert message in str(err.value) and "Invalid value for argument `images`" in str(err.value)


def test_rejects_bad_options():
    x = np.zeros((2, 4, 4))
    with pytest.raises(ValueError, match="Invalid value for argument `value_range`"):
        show_images(x, value_range=(1, -1))
    with pytest.raises(ValueError, match="Invalid value for argument `ncols`"):
        image_grid(x, ncols=0)
    with pytest.raises(ValueError, match="Expected one title per image"):
        show_images(x, titles=["one"])


def test_show_images_figures():
    x = np.linspace(-1, 1, 6 * 8 * 8).reshape(6, 8, 8)
    fig = show_images(x, ncols=3, title="six")
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 1
    shown = fig.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(shown, image_grid(x, ncols=3))
    fig = show_images(x, ncols=4, titles=[str(i) for i in range(6)])
    assert len(fig.axes) == 8 and fig.axes[5].get_title() == "5"
    fig, ax = plt.subplots()
    assert show_images(x, ax=ax) is fig
    assert "contrast stretched" in show_images(x * 0.01, value_range=None).axes[0].get_title()


def test_plot_history_dict_and_keras_history():
    keras = pytest.importorskip("keras")
    hist = keras.callbacks.History()
    hist.history = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.6]}
    fig = plot_history(hist)
    lines = fig.axes[0].get_lines()
    assert [l.get_label() for l in lines] == ["loss", "val_loss"]
    np.testing.assert_array_equal(lines[0].get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    assert lines[1].get_linestyle() == "--" and lines[1].get_color() == lines[0].get_color()
    fig = plot_history({"a": [1, 2], "b": [3, 4]}, keys="b", logy=True)
    assert [l.get_label() for l in fig.axes[0].get_lines()] == ["b"] and fig.axes[0].get_yscale() == "log"


def test_plot_history_rejects():
    with pytest.raises(ValueError, match="Expected a non-empty dict of lists or a keras History"):
        plot_history([1, 2, 3])
    with pytest.raises(ValueError, match="names present in the history: 'loss'"):
        plot_history({"loss": [1.0]}, keys=["acc"])
    with pytest.raises(ValueError, match="'loss' is empty"):
        plot_history({"loss": []})
