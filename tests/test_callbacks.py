"""Callbacks, each on its own: sample grids, GIF, loss plot, progress bar, FID, checkpoints, NaN guard."""

import json
import os
import shutil

import keras
import numpy as np
import pytest
from PIL import Image

from stylegan_edu import callbacks as cbs
from stylegan_edu.checkpoints import CheckpointError, CheckpointManager, capture_state, restore_state
from stylegan_edu.gan import GAN
from stylegan_edu.training import TrainConfig
from tests._gan_fixtures import all_weights, tiny_gan, tiny_images


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One 3-epoch run with every file-writing callback attached."""
    out = tmp_path_factory.mktemp("run")
    fids = []

    def fake_fid(images):
        fids.append(images.shape)
        return float(np.mean(images))  # any deterministic number: the test checks when it is called

    callbacks = [
        cbs.SampleGrid(out / "samples", num_samples=6, ncols=3, seed=5, scale=1),
        cbs.ProgressGif(out / "own.gif", num_samples=4, scale=1),
        cbs.ProgressGif(out / "from_frames.gif", frames_dir=out / "samples"),
        cbs.LiveLossPlot(path=out / "losses.png", redraw_every=2),
        cbs.FIDMonitor(every=2, num_samples=10, fid_fn=fake_fid),
        cbs.Checkpoint(out / "ckpt"),
        cbs.HistoryJson(out / "history.json"),
        cbs.ProgressBar(),
    ]
    gan = tiny_gan()
    gan.fit(tiny_images(48), epochs=3, batch_size=16, callbacks=callbacks, verbose=0)
    return gan, out, callbacks, fids


def test_sample_grid_writes_one_png_per_epoch_from_fixed_noise(trained):
    gan, out, callbacks, _ = trained
    names = sorted(os.listdir(out / "samples"))
    assert names == ["epoch_0001.png", "epoch_0002.png", "epoch_0003.png"]
    img = np.asarray(Image.open(out / "samples" / "epoch_0003.png"))
    assert img.shape == (2 * 28 + 1, 3 * 28 + 2) and img.dtype == np.uint8  # 2 rows x 3 columns, 1 px borders
    # The last grid is the trained generator on the fixed noise: redraw it independently.
    z = np.random.default_rng(5).standard_normal((6, gan.latent_dim)).astype(np.float32)
    first = np.asarray(gan.generator(z[:1], training=False))[0, :, :, 0]  # (28, 28)
    want = np.round((np.clip(first, -1, 1) + 1) / 2 * 255)
    np.testing.assert_allclose(img[:28, :28], want, atol=1)
    assert len(callbacks[0].frames) == 3


def test_progress_gifs_have_one_frame_per_epoch(trained):
    _, out, _, _ = trained
    for name in ("own.gif", "from_frames.gif"):
        gif = Image.open(out / name)
        assert gif.format == "GIF" and gif.n_frames == 3
    assert not [n for n in os.listdir(out) if ".tmp-" in n], "no temporary files left behind"


def test_live_loss_plot_records_every_step_and_saves(trained):
    _, out, callbacks, _ = trained
    plot = callbacks[3]
    assert len(plot.steps["d_loss"]) == len(plot.steps["g_loss"]) == 9  # 3 epochs x 3 steps
    assert Image.open(out / "losses.png").size[0] > 100


def test_fid_monitor_runs_every_n_epochs_and_at_the_end(trained):
    gan, _, callbacks, fids = trained
    assert [e for e, _ in callbacks[4].values] == [2, 3]
    assert fids == [(10, 28, 28, 1)] * 2
    assert "fid" not in gan.state.history[0] and "fid" in gan.state.history[1]


def test_history_json_and_checkpoints(trained):
    gan, out, callbacks, _ = trained
    history = json.loads((out / "history.json").read_text())
    assert history == gan.state.history and [h["epoch"] for h in history] == [1, 2, 3]
    assert history[1]["fid"] == callbacks[4].values[0][1]  # FID is logged before the history is written
    assert sorted(os.listdir(out / "ckpt")) == ["ckpt-0002.npz", "ckpt-0003.npz"]  # keep=2


def test_progress_bar_reports_the_epoch(fresh, capsys):
    gan = fresh
    gan.fit(tiny_images(32), epochs=1, batch_size=16, callbacks=[cbs.ProgressBar()])
    err = capsys.readouterr().err
    assert "epoch 1/1" in err and "2/2" in err and "g_loss=" in err


def test_fid_monitor_with_the_real_metric(fresh):
    monitor = cbs.FIDMonitor(every=1, num_samples=64)
    gan = fresh
    gan.fit(tiny_images(16), epochs=1, batch_size=16, callbacks=[monitor], verbose=0)
    assert monitor.values[0][1] > 10  # blobs from an untrained generator are far from digits


# ---------------------------------------------------------------------------
# Checkpoints: atomic writes, damage detection, fallback
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _saved(tmp_path_factory):
    """A GAN trained 2 epochs with a checkpoint after each, saved once for the module."""
    folder = tmp_path_factory.mktemp("ckpt")
    gan = tiny_gan()
    gan.fit(tiny_images(16), epochs=2, batch_size=16, callbacks=[cbs.Checkpoint(folder)], verbose=0)
    return gan, folder


def _two_checkpoints(tmp_path, saved):
    gan, folder = saved
    for p in folder.iterdir():
        shutil.copy(p, tmp_path / p.name)
    return gan, cbs.Checkpoint(tmp_path)


def test_checkpoint_restores_every_variable(tmp_path, _saved):
    gan, ckpt = _two_checkpoints(tmp_path, _saved)
    saved = all_weights(gan)
    fresh = tiny_gan(seed=1)  # built, never traced: cheap
    assert ckpt.restore(fresh).endswith("ckpt-0002.npz")
    for a, b in zip(saved, all_weights(fresh)):
        np.testing.assert_array_equal(a, b)
    assert fresh.state.epochs_done == 2 and fresh.state.history == gan.state.history


@pytest.mark.parametrize("damage", ["truncate", "flip-bytes", "empty"])
def test_damaged_newest_checkpoint_falls_back_to_the_previous(tmp_path, _saved, damage):
    gan, ckpt = _two_checkpoints(tmp_path, _saved)
    newest = tmp_path / "ckpt-0002.npz"
    raw = newest.read_bytes()
    if damage == "truncate":
        newest.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip-bytes":
        middle = len(raw) // 2
        newest.write_bytes(raw[:middle] + bytes(b ^ 0xFF for b in raw[middle : middle + 64]) + raw[middle + 64 :])
    else:
        newest.write_bytes(b"")
    messages = []
    path, state = CheckpointManager(tmp_path).latest_valid(log=messages.append)
    assert path.endswith("ckpt-0001.npz") and state["meta"]["epoch"] == 1
    assert len(messages) == 1 and "ckpt-0002.npz" in messages[0] and ("corrupt" in messages[0] or "truncated" in messages[0])


def test_every_checkpoint_damaged_stops_clearly(tmp_path, _saved):
    _two_checkpoints(tmp_path, _saved)
    for p in tmp_path.glob("ckpt-*.npz"):
        p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="Every checkpoint in .* is damaged"):
        CheckpointManager(tmp_path).latest_valid(log=lambda m: None)


def test_a_kill_while_saving_leaves_the_last_good_checkpoint_intact(tmp_path, _saved, monkeypatch):
    gan, ckpt = _two_checkpoints(tmp_path, _saved)
    good = (tmp_path / "ckpt-0002.npz").read_bytes()

    def dies_half_way(f, **arrays):  # writes part of the file, then the process "dies"
        f.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", dies_half_way)
    gan.state.epochs_done = 2  # saving over the same epoch number is the worst case
    with pytest.raises(KeyboardInterrupt):
        ckpt.manager.save(gan)
    assert (tmp_path / "ckpt-0002.npz").read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["ckpt-0001.npz", "ckpt-0002.npz"]


def test_checkpoint_of_another_architecture_is_refused(tmp_path, _saved):
    _two_checkpoints(tmp_path, _saved)
    G = keras.Sequential([keras.Input((8,)), keras.layers.Dense(784, activation="tanh"), keras.layers.Reshape((28, 28, 1))])
    D = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    other = GAN(G, D)
    other.compile(TrainConfig())
    before = all_weights(other)
    with pytest.raises(CheckpointError, match="different architecture"):
        cbs.Checkpoint(tmp_path).restore(other)
    for a, b in zip(before, all_weights(other)):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------
# The non-finite-loss guard, triggered by injecting a NaN loss
# ---------------------------------------------------------------------------


class _Poisoned(GAN):
    """A GAN whose generator loss turns NaN while ``self.poison`` holds NaN."""

    def generator_loss_on_batch(self, batch):
        loss, logs = super().generator_loss_on_batch(batch)
        return loss * self.poison, logs


class _PoisonAt(keras.callbacks.Callback):
    """Make the loss NaN at (epoch, batch); ``forever=False`` clears it after one step."""

    def __init__(self, variable, epoch, batch, forever=False):
        super().__init__()
        self.variable, self.epoch, self.batch, self.forever = variable, epoch, batch, forever
        self._current = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if self._current == self.epoch and batch == self.batch:
            self.variable.assign(float("nan"))
        elif not self.forever:
            self.variable.assign(1.0)


@pytest.fixture(scope="module")
def _poisoned_base():
    import tensorflow as tf

    gan = tiny_gan(cls=_Poisoned)
    gan.poison = tf.Variable(1.0, trainable=False)
    return gan, capture_state(gan)


@pytest.fixture
def fresh(_poisoned_base):
    """The same compiled GAN for several tests (tracing once), reset to its initial state."""
    gan, state = _poisoned_base
    restore_state(gan, state)
    gan.set_learning_rates(0)
    gan.poison.assign(1.0)
    return gan


def test_guard_restores_lowers_the_rate_and_continues(fresh):
    gan = fresh
    messages = []
    guard = cbs.NonFiniteGuard(log=messages.append)
    gan.fit(tiny_images(48), epochs=2, batch_size=16, callbacks=[_PoisonAt(gan.poison, 1, 1), guard], verbose=0)
    assert guard.events == [(2, 2, 0.5)]
    assert "g_loss=nan" in messages[0] and "Restored the state after epoch 1" in messages[0]
    assert gan.state.lr_scale == 0.5 and float(gan.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert all(np.all(np.isfinite(w)) for w in all_weights(gan)), "training continued from good weights"
    assert [r["epoch"] for r in gan.state.history] == [1, 2]
    assert all(np.isfinite(r["g_loss"]) and np.isfinite(r["d_loss"]) for r in gan.state.history)


def test_guard_gives_up_after_max_retries(fresh):
    gan = fresh
    guard = cbs.NonFiniteGuard(max_retries=2, log=lambda m: None)
    with pytest.raises(cbs.NonFiniteLossError, match=r"after 2 restore\(s\).*Training is diverging"):
        gan.fit(tiny_images(48), epochs=2, batch_size=16, callbacks=[_PoisonAt(gan.poison, 0, 1, forever=True), guard], verbose=0)
    assert len(guard.events) == 2 and gan.state.lr_scale == 0.25


def test_without_the_guard_nan_spreads_to_the_weights(fresh):
    """The control experiment: the same injection, no guard, ruins the weights."""
    gan = fresh
    gan.fit(tiny_images(48), epochs=1, batch_size=16, callbacks=[_PoisonAt(gan.poison, 0, 1)], verbose=0)
    assert not all(np.all(np.isfinite(w)) for w in all_weights(gan))


def test_callback_arguments_are_validated():
    with pytest.raises(ValueError, match="Invalid value for argument `num_samples`"):
        cbs.SampleGrid(num_samples=0)
    with pytest.raises(ValueError, match="Invalid value for argument `num_samples`"):
        cbs.ProgressGif("/tmp/x.gif", num_samples=0)
    with pytest.raises(ValueError, match="Invalid value for argument `factor`"):
        cbs.NonFiniteGuard(factor=1.5)
    with pytest.raises(ValueError, match="Invalid value for argument `keep`. Expected an integer >= 2"):
        cbs.Checkpoint("/tmp/x", keep=1)


@pytest.mark.parametrize("make", [
    lambda keys: cbs.NonFiniteGuard(keys=keys), lambda keys: cbs.LiveLossPlot(keys=keys), lambda keys: cbs.ProgressBar(keys=keys),
])
def test_one_key_as_a_string_is_one_key_not_its_letters(make):
    assert make("d_loss").keys == ("d_loss",)
    for bad in ((), ("d_loss", 3), 5):
        with pytest.raises(ValueError, match="Invalid value for argument `keys`. Expected a name or a tuple of names"):
            make(bad)


def test_guard_refuses_keys_the_trainer_does_not_log(fresh):
    """A typo would switch the guard off silently: it is refused before the first step."""
    with pytest.raises(ValueError, match=r"Invalid value for argument `keys`. Expected names the trainer logs \(d_fake, d_loss"):
        fresh.fit(tiny_images(32), epochs=1, batch_size=16, callbacks=[cbs.NonFiniteGuard(keys=("dloss",))], verbose=0)
