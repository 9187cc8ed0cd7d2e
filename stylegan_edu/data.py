"""Data loading: MNIST and Fashion-MNIST from IDX files (offline) or Keras (online).

Chapters 3, 4 and 9 read MNIST through :func:`load_mnist`; the trainer batches
it with :func:`stylegan_edu.pipeline.epoch_batches`. The style-based generator
chapters read Fashion-MNIST through :func:`load_fashion_mnist`, whose class names
are :data:`FASHION_MNIST_CLASSES`.

Where the data comes from, in order:

1. a folder of the original IDX files: ``data_dir`` if given, else
   ``$STYLEGAN_EDU_DATA/mnist`` (``$STYLEGAN_EDU_DATA/fashion_mnist``);
2. ``keras.datasets.mnist.load_data()`` (``keras.datasets.fashion_mnist.load_data()``),
   which downloads (what Colab users get).

Both datasets use the same file names and format, and one private loader.
"""

import gzip
import os
from pathlib import Path

import numpy as np

from stylegan_edu._validation import as_image, check_choice, check_positive_int, invalid

__all__ = ["DataError", "read_idx", "load_mnist", "mnist_gan_split", "load_fashion_mnist", "FASHION_MNIST_CLASSES", "to_unit_range",
           "list_style_images", "style_image"]

_ENV = "STYLEGAN_EDU_DATA"
_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
#: Fashion-MNIST's class names, in label order (label 0 is "T-shirt/top").
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


class _IdxDataset:
    """What differs between the IDX datasets: a title for messages, the folder and the Keras loader."""

    def __init__(self, title, folder, keras_name):
        self.title, self.folder, self.keras_name = title, folder, keras_name


_MNIST = _IdxDataset("MNIST", "mnist", "mnist")
_FASHION_MNIST = _IdxDataset("Fashion-MNIST", "fashion_mnist", "fashion_mnist")
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.int16, 0x0C: np.int32, 0x0D: np.float32, 0x0E: np.float64}


class DataError(ValueError):
    """A data file is missing, truncated or not what it claims to be."""


def read_idx(path, expected_ndim=None):
    """Read one IDX file (optionally gzip-compressed) into a numpy array.

    The IDX format is a big-endian header, two zero bytes, a type code and
    the number of dimensions, one uint32 per dimension, then the values.
    Every part is checked: the magic number, the type code, the number of
    dimensions and the exact file length. A truncated or corrupt file raises
    :class:`DataError` instead of returning a silently wrong array.

    Args:
        path: path to a ``*-ubyte`` file, or the same with ``.gz``.
        expected_ndim: if given, the number of dimensions the file must have
            (3 for images, 1 for labels).

    Returns:
        numpy.ndarray: the array, in the file's dtype.

    Example:

    >>> import tempfile, os, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny-idx1-ubyte")
    >>> _ = open(path, "wb").write(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))
    >>> read_idx(path)
    array([7, 8, 9], dtype=uint8)
    """
    if not isinstance(path, (str, os.PathLike)):
        raise invalid("path", "the path of an IDX file (a str or os.PathLike)", f"path={path!r}")
    if expected_ndim is not None:
        check_positive_int("expected_ndim", expected_ndim)
    path = Path(path)
    if not path.is_file():  # not "corrupt": missing
        raise invalid("path", "an existing IDX file", f"path={str(path)!r} (no such file)")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:  # includes a truncated gzip stream
        raise DataError(f"Could not read IDX file {path}: {e}. The file is corrupt or truncated; delete it and provide it again.") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(
            f"{path} is not an IDX file: expected the magic number to start with two zero bytes, "
            f"received {raw[:4].hex() or 'an empty file'}."
        )
    type_code, ndim = raw[2], raw[3]
    if type_code not in _IDX_DTYPES:
        raise DataError(f"{path} has an unknown IDX type code 0x{type_code:02x}; expected one of {sorted(hex(k) for k in _IDX_DTYPES)}.")
    if expected_ndim is not None and ndim != expected_ndim:
        raise DataError(f"{path} holds a {ndim}-dimensional array; expected {expected_ndim} dimensions. Is it the right file?")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated: its header needs {header} bytes, the file has {len(raw)}.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[type_code]).newbyteorder(">")
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        kind = "truncated" if len(raw) < expected else "longer than its header says"
        raise DataError(
            f"{path} is {kind}: a header of shape {shape} needs {expected} bytes, the file has {len(raw)}. "
            "Delete it and provide the original file again."
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(folder, stem):
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def _dataset_folder(data_dir, dataset):
    if data_dir is not None:
        folder = Path(data_dir)
        # Accept either the folder of IDX files or its parent holding e.g. mnist/.
        return folder / dataset.folder if (folder / dataset.folder).is_dir() else folder
    env = os.environ.get(_ENV)
    return Path(env) / dataset.folder if env else None


def _read_split(folder, split, dataset=_MNIST):
    img_stem, lbl_stem = _SPLIT_FILES[split]
    img_path, lbl_path = _find(folder, img_stem), _find(folder, lbl_stem)
    if img_path is None or lbl_path is None:
        return None
    images = read_idx(img_path, expected_ndim=3)
    labels = read_idx(lbl_path, expected_ndim=1)
    if images.shape[1:] != (28, 28):
        raise DataError(f"{img_path} holds images of shape {images.shape[1:]}; {dataset.title} images are (28, 28).")
    if len(images) != len(labels):
        raise DataError(f"{img_path} holds {len(images)} images but {lbl_path} holds {len(labels)} labels.")
    return images.astype(np.uint8), labels.astype(np.uint8)


def _load_idx_dataset(dataset, split, data_dir):
    """The shared body of :func:`load_mnist` and :func:`load_fashion_mnist`."""
    check_choice("split", split, ("train", "test", "all"))
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise invalid("data_dir", "None or the path of a folder of IDX files", f"data_dir={data_dir!r}")
    # The culprit of a missing file: the data_dir argument, or the environment variable when it set the folder.
    source, given = ("data_dir", data_dir) if data_dir is not None else (_ENV, os.environ.get(_ENV))
    folder = _dataset_folder(data_dir, dataset)
    if folder is None:
        return _load_keras(dataset, split)
    if not folder.is_dir():
        raise invalid(source, f"an existing folder holding the {dataset.title} IDX files (or its parent holding {dataset.folder}/)",
                      f"{source}={str(given)!r} (no such folder: {folder})")
    found = {s: _read_split(folder, s, dataset) for s in _SPLIT_FILES}
    wanted = ["train", "test"] if split == "all" else [split]
    parts = [found[s] for s in wanted if found.get(s) is not None]
    if not parts or (split != "all" and len(parts) != 1):
        present = sorted(p.name for p in folder.iterdir())
        raise ValueError(  # the folder exists, the split asked for is not in it
            f"Invalid value for argument `split`. The {dataset.title} {split!r} split is not in {folder} "
            f"(searched for {_SPLIT_FILES.get(split, _SPLIT_FILES['test'])[0]}[.gz]; found: "
            f"{', '.join(present) if present else 'nothing'}). "
            f"Either put the original IDX files there (set STYLEGAN_EDU_DATA to the folder that holds {dataset.folder}/, "
            "or pass data_dir=), or unset STYLEGAN_EDU_DATA and pass no data_dir so that "
            f"keras.datasets.{dataset.keras_name}.load_data() downloads them. Received: split={split!r}"
        )
    images = np.concatenate([p[0] for p in parts])  # (N, 28, 28)
    labels = np.concatenate([p[1] for p in parts])  # (N,)
    return images, labels


def _load_keras(dataset, split):
    import keras

    (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, dataset.keras_name).load_data()
    if split == "train":
        return x_train, y_train
    if split == "test":
        return x_test, y_test
    return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])


def load_mnist(split="train", data_dir=None):
    """Load MNIST digits as uint8 arrays.

    Looks first in a local folder of the original IDX files (``data_dir``,
    else ``$STYLEGAN_EDU_DATA/mnist``); files may be gzip-compressed. With no
    local folder it falls back to ``keras.datasets.mnist.load_data()``, which
    downloads the data (this is what happens in Colab).

    Args:
        split: ``"train"`` (60,000 digits), ``"test"`` (10,000) or ``"all"``
            (every split that is available, joined: train first).
        data_dir: a folder holding the IDX files, or a folder holding
            ``mnist/``. Defaults to ``$STYLEGAN_EDU_DATA``.

    Returns:
        tuple: ``(images, labels)``, ``images`` uint8 of shape (N, 28, 28)
        with values 0..255, ``labels`` uint8 of shape (N,).

    Raises:
        ValueError: for an unknown split, or a requested split that the local
            folder does not have (the message names the folder, what was
            found there, and both ways to provide the data).
        DataError: for a truncated or corrupt file.

    Example:

    >>> images, labels = load_mnist("test")  # doctest: +SKIP
    >>> images.shape, images.dtype, labels[:5]  # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'), array([7, 2, 1, 0, 4], dtype=uint8))
    """
    return _load_idx_dataset(_MNIST, split, data_dir)


def mnist_gan_split(data_dir=None):
    """The digits a GAN trains on, and the held-out digits its FID and KID are measured against.

    A generator must be scored on digits it never saw, or FID cannot notice
    memorisation:

    * with the full MNIST (Colab, or a folder holding both splits): train on
      the 60,000 training digits, hold out the 10,000 test digits;
    * offline, where only the 10,000 test digits exist (this repository's CI):
      train on the same 8,000 the feature net trained on, hold out the other
      2,000 (image ``i`` when ``i % 5 == 4``,
      :func:`stylegan_edu.features.mnist_feature_split`).

    The shipped MNIST FID/KID statistics
    (:func:`stylegan_edu.metrics.reference_statistics`) are those 2,000 held-out
    digits, which neither the feature net nor any generator has seen in
    either case.

    Args:
        data_dir: as for :func:`load_mnist`.

    Returns:
        tuple: ``(train, heldout, source)``: uint8 digits (N, 28, 28) and
        (M, 28, 28), and a sentence saying which digits they are.

    Example:

    >>> train, heldout, source = mnist_gan_split()  # offline: the test digits only
    >>> len(train), len(heldout), source
    (8000, 2000, 'MNIST test digits i % 5 != 4 (8,000) for training, i % 5 == 4 (2,000) held out')
    """
    try:
        train, _ = load_mnist("train", data_dir=data_dir)
        test, _ = load_mnist("test", data_dir=data_dir)
        return train, test, f"MNIST train split ({len(train):,}) for training, test split ({len(test):,}) held out"
    except ValueError:  # a local folder with the test split only
        from stylegan_edu.features import mnist_feature_split

        test, _ = load_mnist("test", data_dir=data_dir)
        train_idx, held_idx = mnist_feature_split(len(test))
        return (test[train_idx], test[held_idx],
                f"MNIST test digits i % 5 != 4 ({len(train_idx):,}) for training, i % 5 == 4 ({len(held_idx):,}) held out")


def load_fashion_mnist(split="train", data_dir=None):
    """Load Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017) as uint8 arrays.

    70,000 greyscale 28x28 images of clothing in 10 classes
    (:data:`FASHION_MNIST_CLASSES`), in the same IDX format and file names as
    MNIST, and loaded the same way as :func:`load_mnist`: first from a local
    folder of the original IDX files (``data_dir``, else
    ``$STYLEGAN_EDU_DATA/fashion_mnist``; files may be gzip-compressed), else
    from ``keras.datasets.fashion_mnist.load_data()``, which downloads them.

    Args:
        split: ``"train"`` (60,000 images), ``"test"`` (10,000) or ``"all"``
            (every split that is available, joined: train first).
        data_dir: a folder holding the IDX files, or a folder holding
            ``fashion_mnist/``. Defaults to ``$STYLEGAN_EDU_DATA``.

    Returns:
        tuple: ``(images, labels)``, ``images`` uint8 of shape (N, 28, 28)
        with values 0..255, ``labels`` uint8 of shape (N,), values 0..9
        (``FASHION_MNIST_CLASSES[label]`` names the class).

    Raises:
        ValueError: for an unknown split, or a requested split that the local
            folder does not have (the message names the folder, what was
            found there, and both ways to provide the data).
        DataError: for a truncated or corrupt file.

    Example:

    >>> images, labels = load_fashion_mnist("test")  # doctest: +SKIP
    >>> images.shape, images.dtype, [FASHION_MNIST_CLASSES[i] for i in labels[:3]]  # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'), ['Ankle boot', 'Pullover', 'Trouser'])
    >>> load_fashion_mnist("validation")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `split`. Expected one of 'train', 'test', 'all'. Received: split='validation'
    """
    return _load_idx_dataset(_FASHION_MNIST, split, data_dir)


def to_unit_range(images):
    """Scale uint8 images 0..255 to float32 in [-1, 1] (the generator's tanh range).

    Formula:
        x = p / 127.5 - 1

    Args:
        images: uint8 array of any shape.

    Returns:
        numpy.ndarray: float32, same shape, values in [-1, 1].

    Example:

    >>> import numpy as np
    >>> to_unit_range(np.array([0, 255], dtype=np.uint8))
    array([-1.,  1.], dtype=float32)
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise invalid("images", "a uint8 array with values 0..255", f"dtype={images.dtype}")
    return as_image(images, "uint8", to=(-1, 1), name="images", dtype="float32")


# ---------------------------------------------------------------------------
# Style images: public-domain paintings shipped in the wheel.
# ---------------------------------------------------------------------------


def _styles_folder():
    from importlib import resources

    return resources.files("stylegan_edu") / "assets" / "styles"


def list_style_images():
    """Names of the paintings shipped with the package, for style transfer.

    Their titles, artists, dates and public-domain status are in
    ``stylegan_edu/assets/styles/README.md``.

    Returns:
        list: sorted names, each usable with :func:`style_image`.

    Example:

    >>> list_style_images()
    ['great_wave_hokusai', 'shipwreck_minotaur_turner', 'starry_night_van_gogh', 'the_scream_munch']
    """
    return sorted(p.name[: -len(".jpg")] for p in _styles_folder().iterdir() if p.name.endswith(".jpg"))


def style_image(name):
    """Load one of the shipped public-domain paintings (at most 512 px on the long side).

    Args:
        name: one of :func:`list_style_images`, e.g. ``"starry_night_van_gogh"``.

    Returns:
        numpy.ndarray: uint8, shape (H, W, 3), values 0..255.

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).

    Example:

    >>> style_image("starry_night_van_gogh").shape
    (320, 512, 3)
    """
    names = list_style_images()
    if not isinstance(name, str) or name not in names:
        raise invalid("name", "the name of a shipped style image, one of " + ", ".join(repr(n) for n in names), f"name={name!r}")
    from PIL import Image

    with (_styles_folder() / f"{name}.jpg").open("rb") as f:
        return np.asarray(Image.open(f).convert("RGB"), dtype=np.uint8)  # (H, W, 3)
