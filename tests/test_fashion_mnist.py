"""Fashion-MNIST loader: the real IDX files in ../shared/data, corrupt copies, and the Keras fallback."""

import gzip
import hashlib
import os
import re

import numpy as np
import pytest

from stylegan_edu import data
from stylegan_edu.data import FASHION_MNIST_CLASSES, DataError, load_fashion_mnist, load_mnist

# md5 of the *uncompressed* IDX files, from ../shared/data/README.md (the published Fashion-MNIST files).
CHECKSUMS = {
    "train-images-idx3-ubyte.gz": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte.gz": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte.gz": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte.gz": "15d484375f8d13e6eb1aabb0c3f46965",
}
SIZES = {"train": 60000, "test": 10000, "all": 70000}


@pytest.fixture(scope="module")
def fashion_dir(shared_data):
    folder = os.path.join(shared_data, "fashion_mnist")
    if not os.path.isdir(folder):
        pytest.fail(f"offline Fashion-MNIST not found under {shared_data}; set STYLEGAN_EDU_DATA (make test does)")
    return folder


@pytest.fixture(scope="module")
def fashion(shared_data, fashion_dir):
    """{split: (images, labels)} for the three splits, loaded once."""
    return {split: load_fashion_mnist(split, data_dir=shared_data) for split in ("train", "test", "all")}


def test_checksums_of_the_offline_files_match_the_readme(fashion_dir, shared_data):
    for name, md5 in CHECKSUMS.items():
        raw = gzip.open(os.path.join(fashion_dir, name)).read()
        assert hashlib.md5(raw).hexdigest() == md5, name
    # The README this table was copied from says the same.
    readme = open(os.path.join(shared_data, "README.md")).read()
    section = readme[readme.index("## fashion_mnist/"):]
    for name, md5 in CHECKSUMS.items():
        assert re.search(rf"{re.escape(name)} \|[^|]*\| {md5}", section), name


@pytest.mark.parametrize("split", ["train", "test", "all"])
def test_shapes_dtypes_and_labels(fashion, split):
    images, labels = fashion[split]
    n = SIZES[split]
    assert images.shape == (n, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (n,) and labels.dtype == np.uint8
    assert labels.min() == 0 and labels.max() == 9
    # Balanced: 6,000 training and 1,000 test images per class (the README).
    assert np.bincount(labels, minlength=10).tolist() == [n // 10] * 10
    assert images.min() == 0 and images.max() == 255


def test_all_is_train_then_test(fashion):
    images, labels = fashion["all"]
    np.testing.assert_array_equal(images, np.concatenate([fashion["train"][0], fashion["test"][0]]))
    np.testing.assert_array_equal(labels, np.concatenate([fashion["train"][1], fashion["test"][1]]))


def test_matches_a_numpy_reading_of_the_files(fashion, fashion_dir):
    raw = gzip.open(os.path.join(fashion_dir, "t10k-images-idx3-ubyte.gz")).read()
    assert raw[:4] == bytes([0, 0, 8, 3])
    np.testing.assert_array_equal(fashion["test"][0], np.frombuffer(raw[16:], np.uint8).reshape(10000, 28, 28))
    raw = gzip.open(os.path.join(fashion_dir, "t10k-labels-idx1-ubyte.gz")).read()
    np.testing.assert_array_equal(fashion["test"][1], np.frombuffer(raw[8:], np.uint8))


def test_class_names():
    assert len(FASHION_MNIST_CLASSES) == 10 and isinstance(FASHION_MNIST_CLASSES, tuple)
    assert FASHION_MNIST_CLASSES[0] == "T-shirt/top" and FASHION_MNIST_CLASSES[9] == "Ankle boot"
    assert "FASHION_MNIST_CLASSES" in data.__all__ and "load_fashion_mnist" in data.__all__


def test_first_test_labels_are_the_published_ones(fashion):
    # The first test images of Fashion-MNIST are an ankle boot, a pullover, two trousers and a shirt.
    assert [FASHION_MNIST_CLASSES[i] for i in fashion["test"][1][:5]] == ["Ankle boot", "Pullover", "Trouser", "Trouser", "Shirt"]


def test_folder_itself_and_env_variable(monkeypatch, fashion_dir, fashion, shared_data):
    images, _ = load_fashion_mnist("test", data_dir=fashion_dir)  # the folder of IDX files itself
    np.testing.assert_array_equal(images, fashion["test"][0])
    monkeypatch.setenv("STYLEGAN_EDU_DATA", shared_data)
    images, _ = load_fashion_mnist("test")
    np.testing.assert_array_equal(images, fashion["test"][0])


def test_datasets_do_not_mix(shared_data, fashion):
    # The same data_dir holds both; each loader reads its own folder.
    mnist_images, _ = load_mnist("test", data_dir=shared_data)
    assert not np.array_equal(mnist_images, fashion["test"][0])


def _copy(tmp_path, fashion_dir, names=("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")):
    folder = tmp_path / "fashion_mnist"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(open(os.path.join(fashion_dir, name), "rb").read())
    return folder


def test_truncated_file_is_rejected(tmp_path, fashion_dir):
    folder = _copy(tmp_path, fashion_dir, names=("t10k-labels-idx1-ubyte.gz",))
    raw = gzip.open(os.path.join(fashion_dir, "t10k-images-idx3-ubyte.gz")).read()
    (folder / "t10k-images-idx3-ubyte").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match="truncated: a header of shape"):
        load_fashion_mnist("test", data_dir=tmp_path)


def test_truncated_gzip_stream_is_rejected(tmp_path, fashion_dir):
    folder = _copy(tmp_path, fashion_dir)
    path = folder / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataError, match="corrupt or truncated"):
        load_fashion_mnist("test", data_dir=tmp_path)


def test_wrong_magic_is_rejected(tmp_path, fashion_dir):
    folder = _copy(tmp_path, fashion_dir, names=("t10k-labels-idx1-ubyte.gz",))
    raw = bytearray(gzip.open(os.path.join(fashion_dir, "t10k-images-idx3-ubyte.gz")).read())
    raw[0:2] = b"\x1f\x8b"  # not the two zero bytes of an IDX header
    (folder / "t10k-images-idx3-ubyte").write_bytes(bytes(raw))
    with pytest.raises(DataError, match="is not an IDX file: expected the magic number to start with two zero bytes"):
        load_fashion_mnist("test", data_dir=tmp_path)


def test_labels_in_place_of_images_are_rejected(tmp_path, fashion_dir):
    folder = _copy(tmp_path, fashion_dir, names=("t10k-labels-idx1-ubyte.gz",))
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes((folder / "t10k-labels-idx1-ubyte.gz").read_bytes())
    with pytest.raises(DataError, match="expected 3 dimensions"):
        load_fashion_mnist("test", data_dir=tmp_path)


def test_mismatched_counts_are_rejected(tmp_path, fashion_dir):
    folder = _copy(tmp_path, fashion_dir, names=("t10k-images-idx3-ubyte.gz",))
    labels = gzip.open(os.path.join(fashion_dir, "t10k-labels-idx1-ubyte.gz")).read()
    (folder / "t10k-labels-idx1-ubyte").write_bytes(labels[:4] + (9999).to_bytes(4, "big") + labels[8:-1])
    with pytest.raises(DataError, match="holds 10000 images but .* holds 9999 labels"):
        load_fashion_mnist("test", data_dir=tmp_path)


def test_missing_split_message_names_folder_dataset_and_both_remedies(tmp_path, fashion_dir):
    folder = _copy(tmp_path, fashion_dir)
    with pytest.raises(ValueError) as e:
        load_fashion_mnist("train", data_dir=tmp_path)
    msg = str(e.value)
    assert msg.startswith("Invalid value for argument `split`. The Fashion-MNIST 'train' split is not in ")
    assert str(folder) in msg and "t10k-images-idx3-ubyte.gz" in msg  # where, and what was found
    assert "holds fashion_mnist/" in msg and "keras.datasets.fashion_mnist.load_data()" in msg
    assert msg.endswith("Received: split='train'")


def test_mnist_message_is_unchanged(tmp_path):
    (tmp_path / "mnist").mkdir()
    with pytest.raises(ValueError) as e:
        load_mnist("test", data_dir=tmp_path)
    assert str(e.value) == (
        f"Invalid value for argument `split`. The MNIST 'test' split is not in {tmp_path / 'mnist'} "
        "(searched for t10k-images-idx3-ubyte[.gz]; found: nothing). Either put the original IDX files there "
        "(set STYLEGAN_EDU_DATA to the folder that holds mnist/, or pass data_dir=), or unset STYLEGAN_EDU_DATA "
        "and pass no data_dir so that keras.datasets.mnist.load_data() downloads them. Received: split='test'"
    )


def test_unknown_split_same_message_as_mnist():
    messages = []
    for loader in (load_mnist, load_fashion_mnist):
        with pytest.raises(ValueError) as e:
            loader("validation")
        messages.append(str(e.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("Invalid value for argument `split`. Expected one of 'train', 'test', 'all'")


def test_keras_fallback_without_a_local_folder(monkeypatch):
    import keras

    rng = np.random.default_rng(0)
    train = (rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), np.array([0, 1, 2], np.uint8))
    test = (rng.integers(0, 256, (2, 28, 28), dtype=np.uint8), np.array([9, 8], np.uint8))
    monkeypatch.delenv("STYLEGAN_EDU_DATA", raising=False)
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", lambda: (train, test))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: pytest.fail("read MNIST instead of Fashion-MNIST"))
    np.testing.assert_array_equal(load_fashion_mnist("test")[1], [9, 8])
    np.testing.assert_array_equal(load_fashion_mnist("train")[0], train[0])
    np.testing.assert_array_equal(load_fashion_mnist("all")[1], [0, 1, 2, 9, 8])
