"""Small I/O helpers shared by the package, its widgets and the benchmark scripts.

* :func:`png_bytes` and :func:`figure_png`: encode an image array or a
  matplotlib figure as PNG bytes (for ``ipywidgets.Image``, IPython display,
  files).
* :func:`atomic_write`: write a file so that a reader (or a kill) never sees
  half of it.
* :func:`machine_info`: the machine a benchmark or a training run ran on,
  with the same keys everywhere.
"""

import io
import json
import os
import platform
import sys

import numpy as np

from stylegan_edu._validation import _range_bounds, as_image, check_path, check_positive_int, concrete, invalid

__all__ = ["atomic_write", "figure_png", "machine_info", "png_bytes", "recorded_seconds"]


def png_bytes(image, value_range=(0, 1), zoom=1):
    """Encode an image as PNG bytes, optionally enlarged (nearest neighbour).

    Args:
        image: (H, W) grey or (H, W, 3) RGB array in ``value_range`` (values
            outside are clipped), or a ``PIL.Image``.
        value_range: the range of ``image``: ``(0, 1)``, ``(-1, 1)`` or
            ``"uint8"`` (see :func:`stylegan_edu._validation.as_image`).
        zoom: integer magnification (each pixel becomes a zoom x zoom block).

    Returns:
        bytes: the PNG file's content.

    Example:

    >>> import numpy as np
    >>> data = png_bytes(np.zeros((2, 3)), zoom=2)
    >>> data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    from PIL import Image

    zoom = check_positive_int("zoom", zoom)
    if isinstance(image, Image.Image):
        img = image.resize((image.width * zoom, image.height * zoom), Image.NEAREST) if zoom > 1 else image
    else:
        if value_range != "uint8":  # slightly out of range is clipped; 0..255 shown as [0, 1] is an error, not white
            lo, hi = _range_bounds("value_range", value_range)
            arr = concrete(image)  # numpy, or None for what as_image rejects below
            if arr is not None and arr.size and arr.dtype.kind in "uif" and np.isfinite(arr).all():
                if float(arr.min()) < lo - 4 * (hi - lo) or float(arr.max()) > hi + 4 * (hi - lo):
                    as_image(arr, value_range, name="image")  # raises, with a hint at 0..255
        a = as_image(image, value_range, to="uint8", name="image", clip=True, ndim=(2, 3))  # (H, W) or (H, W, C)
        if zoom > 1:
            a = a.repeat(zoom, axis=0).repeat(zoom, axis=1)  # (zoom H, zoom W[, C])
        img = Image.fromarray(a[..., 0] if a.ndim == 3 and a.shape[-1] == 1 else a)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def figure_png(fig, dpi=72):
    """Render a matplotlib figure as PNG bytes (the figure is left open).

    Args:
        fig: a ``matplotlib.figure.Figure``.
        dpi: resolution.

    Returns:
        bytes: the PNG file's content.
    """
    if not callable(getattr(fig, "savefig", None)):
        raise invalid("fig", "a matplotlib Figure", f"fig of type {type(fig).__name__}")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def atomic_write(path, content, fsync=False):
    """Write a file atomically: readers see the old file or the new one, never half of one.

    The content goes to ``<path>.tmp-<pid>`` first, which then replaces
    ``path`` with :func:`os.replace` (atomic on POSIX and Windows). The
    temporary file is removed if writing fails.

    Args:
        path: the file to write (str or ``pathlib.Path``).
        content: ``bytes``, ``str`` (written as UTF-8), or a callable that
            writes into the binary file object it is given, such as
            ``lambda f: image.save(f, format="PNG")`` or
            ``lambda f: np.savez(f, **arrays)``.
        fsync: flush the file to disk before renaming, and the folder after
            (for checkpoints, which must survive a power cut).

    Returns:
        str: ``path``.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "note.txt")
    >>> atomic_write(path, "hello") == path, open(path).read()
    (True, 'hello')
    """
    path = os.fspath(check_path("path", path, kind="file"))
    if not (callable(content) or isinstance(content, (str, bytes, bytearray, memoryview))):
        raise invalid("content", "a str, bytes, or a callable that writes to a binary file",
                      f"content of type {type(content).__name__}")
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            if callable(content):
                content(f)
            else:
                f.write(content.encode() if isinstance(content, str) else content)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    if fsync:
        _fsync_dir(os.path.dirname(os.path.abspath(path)))
    return path


def recorded_seconds(path):
    """The training seconds a time-budget record holds (``callbacks.TimeBudget(record=path)`` writes it).

    Lives here, not only in :mod:`stylegan_edu.callbacks`, so that a script can read a run's
    record before Keras and TensorFlow load.

    Args:
        path: the record, a JSON file ``{"train_seconds": ...}``.

    Returns:
        float: its seconds, or 0.0 when there is no record yet (a run that has not started).

    Example:

    >>> recorded_seconds("no/such/run/train_seconds.json")
    0.0
    """
    path = os.fspath(check_path("path", path, kind="file"))
    if not os.path.isfile(path):
        return 0.0
    with open(path) as f:
        return float(json.load(f)["train_seconds"])


def _fsync_dir(directory):
    """Flush a folder's entry table (the rename) to disk, where the OS allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def _version(package):
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info(**extra):
    """The machine a benchmark ran on, with the same keys in every record.

    Library versions are read from the installed package metadata (nothing
    is imported); GPUs are listed through TensorFlow only if it is already
    imported (benchmarks that use another backend pass their device in
    ``extra``).

    Args:
        **extra: script-specific entries (say ``opencv=cv2.__version__``,
            ``vgg_weights="imagenet"``), added after the common ones.

    Returns:
        dict: ``platform``, ``processor``, ``cpu_count``, ``python``,
        ``numpy``, ``tensorflow``, ``keras`` (versions, ``None`` if not
        installed), ``gpus`` (a list of names), ``load_average`` (1, 5 and 15
        minutes, or ``None``), then ``extra``.

    Example:

    >>> info = machine_info(note="test")
    >>> sorted(info)[:4], info["cpu_count"] >= 1, info["note"]
    (['cpu_count', 'gpus', 'keras', 'load_average'], True, 'test')
    """
    gpus = []
    tf = sys.modules.get("tensorflow")
    if tf is not None and hasattr(tf, "config"):
        gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "tensorflow": _version("tensorflow") or _version("tensorflow-cpu"),
        "keras": _version("keras"),
        "gpus": gpus,
        "load_average": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    info.update(extra)
    return info
