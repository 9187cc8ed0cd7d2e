"""A static picture of any panel, for pages where widgets cannot run (the rendered book, a PDF)."""

import html
import io
import re

from stylegan_edu._validation import invalid

_CONTROLS = ("IntText", "IntSlider", "FloatSlider", "FloatLogSlider", "Dropdown", "Checkbox", "ToggleButtons", "BoundedIntText")


def _walk(widget, label=None):
    """Yield ``("image", widget, label)`` and ``("control", widget, None)`` in display order."""
    import ipywidgets

    if isinstance(widget, ipywidgets.Image):
        yield "image", widget, label
        return
    if type(widget).__name__ in _CONTROLS:
        yield "control", widget, None
        return
    children = list(getattr(widget, "children", ()))
    current = None
    for child in children:
        if isinstance(child, ipywidgets.HTML) and child.value:  # a label for the next image in this container
            current = re.sub(r"<[^>]+>", "", html.unescape(child.value)).strip()
            continue
        yield from _walk(child, current)


def _value_text(control):
    value = control.value
    if isinstance(value, float):
        value = f"{value:.3g}"
    return f"{control.description or type(control).__name__} = {value}"


def snapshot(panel, title=None):
    """Draw a panel's current images and control values as a matplotlib figure.

    Widgets need a live kernel; the rendered book and printed pages do not
    have one. Each chapter therefore shows, under a panel, ``snapshot(panel)``:
    every image the panel shows (with the label above it, if the panel has
    one), and one line with the values of its controls (sliders, seeds,
    drop-downs). Set a control's ``.value`` from code and call it again to
    picture another state.

    Args:
        panel: an ipywidgets container, e.g. any panel of :mod:`stylegan_edu.widgets`.
        title: optional title; default the panel's class name.

    Returns:
        matplotlib.figure.Figure: closed (shown by the notebook when it is a cell's value).

    Example:

    >>> import ipywidgets
    >>> from stylegan_edu._io import png_bytes
    >>> import numpy as np
    >>> image = ipywidgets.Image(value=png_bytes(np.zeros((4, 4))), format="png")
    >>> box = ipywidgets.VBox([ipywidgets.IntSlider(value=3, description="k"), ipywidgets.HTML("result"), image])
    >>> fig = snapshot(box, title="demo")
    >>> [ax.get_title() for ax in fig.axes], fig._suptitle.get_text()
    (['result'], 'demo\\nk = 3')
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    if not hasattr(panel, "children"):
        raise invalid("panel", "an ipywidgets container (a panel of stylegan_edu.widgets)", f"panel of type {type(panel).__name__}")
    items = list(_walk(panel))
    images = [(w, label) for kind, w, label in items if kind == "image" and w.value]
    if not images:
        raise invalid("panel", "a panel that shows at least one image", "no image drawn yet")
    controls = "; ".join(_value_text(w) for kind, w, _ in items if kind == "control")
    arrays = [np.asarray(Image.open(io.BytesIO(w.value))) for w, _ in images]
    widths = [a.shape[1] for a in arrays]
    height = max(a.shape[0] for a in arrays)
    scale = 3.2 / height  # inches per pixel: the tallest image 3.2 inches high
    fig, axes = plt.subplots(1, len(arrays), figsize=(max(2.5, scale * sum(widths) + 0.3 * len(arrays)), 3.2 + 0.9),
                             gridspec_kw={"width_ratios": widths}, squeeze=False)
    for ax, a, (_, label) in zip(axes[0], arrays, images):
        ax.imshow(a, cmap="gray" if a.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
        ax.set_title(label or "", fontsize=9)
        ax.axis("off")
    heading = title or type(panel).__name__
    fig.suptitle(heading + (f"\n{controls}" if controls else ""), fontsize=9)
    fig.tight_layout()
    plt.close(fig)
    return fig
