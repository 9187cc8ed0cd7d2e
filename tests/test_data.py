import gzip

import numpy as np
import pytest

from stylegan_edu.data import DataError, load_mnist, read_idx, to_unit_range


def _write_idx(path, array, type_code=0x08, compress=False):
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    data = header + array.astype(">u1" if type_code == 0x08 else array.dtype).tobytes()
    (gzip.open if compress else open)(path, "wb").write(data)
    return data


def _fake_mnist(folder, n=5, split="test", compress=True):
    folder.mkdir(parents=True, exist_ok=True)
    stem = {"test": "t10k", "train": "train"}[split]
    images = np.arange(n * 28 * 28, dtype=np.int64).reshape(n, 28, 28) % 256
    labels = np.arange(n) % 10
    sfx = ".gz" if compress else ""
    _write_idx(folder / f"{stem}-images-idx3-ubyte{sfx}", images, compress=compress)
    _write_idx(folder / f"{stem}-labels-idx1-ubyte{sfx}", labels, compress=compress)
    return images.astype(np.uint8), labels.astype(np.uint8)


def test_offline_test_split_matches_published_counts(mnist_test):
    images, labels = mnist_test
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    # The official test split's label counts (../shared/data/README.md).
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]


def test_all_joins_available_splits_offline(shared_data, mnist_test):
    images, labels = load_mnist("all", data_dir=shared_data)
    np.testing.assert_array_equal(images, mnist_test[0])
    np.testing.assert_array_equal(labels, mnist_test[1])


def test_all_joins_train_then_test(tmp_path):
    train = _fake_mnist(tmp_path / "mnist", n=3, split="train")
    test = _fake_mnist(tmp_path / "mnist", n=2, split="test", compress=False)
    images, labels = load_mnist("all", data_dir=tmp_path)
    np.testing.assert_array_equal(images, np.concatenate([train[0], test[0]]))
    np.testing.assert_array_equal(labels, np.concatenate([train[1], test[1]]))


def test_env_variable_is_used(monkeypatch, tmp_path):
    images, _ = _fake_mnist(tmp_path / "mnist", n=4)
    monkeypatch.setenv("STYLEGAN_EDU_DATA", str(tmp_path))
    got, _ = load_mnist("test")
    np.testing.assert_array_equal(got, images)


def test_missing_split_message_names_folder_and_both_remedies(tmp_path):
    _fake_mnist(tmp_path / "mnist", n=2)
    with pytest.raises(ValueError) as e:
        load_mnist("train", data_dir=tmp_path)
    msg = str(e.value)
    assert str(tmp_path / "mnist") in msg
    assert "t10k-images-idx3-ubyte.gz" in msg  # what was found
    assert "STYLEGAN_EDU_DATA" in msg and "keras.datasets.mnist.load_data()" in msg


def test_unknown_split():
    with pytest.raises(ValueError, match=r"Invalid value for argument `split`. Expected one of 'train', 'test', 'all'"):
        load_mnist("validation")


def test_truncated_file_is_rejected(tmp_path, shared_data):
    data = gzip.open(f"{shared_data}/mnist/t10k-images-idx3-ubyte.gz").read()
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / "t10k-images-idx3-ubyte").write_bytes(data[: len(data) // 2])
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(open(f"{shared_data}/mnist/t10k-labels-idx1-ubyte.gz", "rb").read())
    with pytest.raises(DataError, match="truncated"):
        load_mnist("test", data_dir=tmp_path)


def test_truncated_gzip_stream_is_rejected(tmp_path, shared_data):
    raw = open(f"{shared_data}/mnist/t10k-labels-idx1-ubyte.gz", "rb").read()
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(raw[: len(raw) - 100])
    with pytest.raises(DataError, match="corrupt or truncated"):
        read_idx(path)


def test_bad_magic_and_wrong_file(tmp_path):
    bad = tmp_path / "x-ubyte"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(DataError, match="not an IDX file"):
        read_idx(bad)
    labels = tmp_path / "labels-ubyte"
    _write_idx(labels, np.arange(4))
    with pytest.raises(DataError, match="expected 3 dimensions"):
        read_idx(labels, expected_ndim=3)


def test_trailing_bytes_are_rejected(tmp_path):
    path = tmp_path / "y-ubyte"
    data = _write_idx(path, np.arange(4))
    path.write_bytes(data + b"\x00")
    with pytest.raises(DataError, match="longer than its header says"):
        read_idx(path)


def test_read_idx_matches_numpy_reference(shared_data):
    raw = gzip.open(f"{shared_data}/mnist/t10k-images-idx3-ubyte.gz").read()
    reference = np.frombuffer(raw[16:], dtype=np.uint8).reshape(10000, 28, 28)
    np.testing.assert_array_equal(read_idx(f"{shared_data}/mnist/t10k-images-idx3-ubyte.gz"), reference)


def test_to_unit_range():
    x = to_unit_range(np.array([0, 127, 255], np.uint8))
    np.testing.assert_allclose(x, [-1.0, 127 / 127.5 - 1, 1.0])
    with pytest.raises(ValueError, match="uint8"):
        to_unit_range(np.zeros(3, np.float32))
