"""Resume equivalence: 2 epochs straight == 1 epoch, SIGKILL mid-epoch, resume for 1 epoch.

Each run is a separate Python process with deterministic ops on (this file
is also the worker: ``python tests/test_resume.py OUT_DIR MODE``). The
comparison covers every checkpointed variable: weights, BatchNorm statistics,
dropout seed states, both optimizers' moments and step counters, the noise
generator.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EPOCHS, N_IMAGES, BATCH = 2, 48, 16


def _worker(out, mode):
    """mode: "straight" (2 epochs), "killed" (hangs in epoch 2 until killed), "resume" (resume to 2 epochs)."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    sys.path.insert(0, str(ROOT))
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(0)

    from stylegan_edu import callbacks as cbs
    from tests._gan_fixtures import all_weights, tiny_gan, tiny_images

    class HangInEpoch2(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == 1 and batch == 1:  # mid-epoch 2, after the epoch-1 checkpoint
                Path(out, "hanging").write_text("now")
                time.sleep(600)

    gan = tiny_gan(seed=0)
    callbacks = [cbs.Checkpoint(Path(out, "ckpt"))]
    if mode == "killed":
        callbacks.append(HangInEpoch2())
    gan.fit(tiny_images(N_IMAGES), epochs=EPOCHS, batch_size=BATCH, callbacks=callbacks, resume=mode == "resume", verbose=0)
    np.savez(Path(out, "final.npz"), *all_weights(gan))


def _start(out, mode):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, __file__, str(out), mode], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _finish(proc, timeout=240):
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out.decode()[-3000:]
    return out.decode()


def _weights(out):
    with np.load(Path(out, "final.npz")) as z:
        return [z[f"arr_{i}"] for i in range(len(z.files))]


def test_killed_and_resumed_run_equals_the_straight_run(tmp_path):
    straight_dir, killed_dir = tmp_path / "straight", tmp_path / "killed"
    straight_dir.mkdir(), killed_dir.mkdir()
    straight = _start(straight_dir, "straight")
    killed = _start(killed_dir, "killed")
    deadline = time.time() + 240
    while not (killed_dir / "hanging").exists():
        assert killed.poll() is None, killed.communicate()[0].decode()[-3000:]
        assert time.time() < deadline, "the worker never reached epoch 2"
        time.sleep(0.2)
    os.kill(killed.pid, signal.SIGKILL)  # a real kill: no cleanup, no finally blocks
    killed.wait()
    assert killed.returncode == -signal.SIGKILL
    assert sorted(os.listdir(killed_dir / "ckpt")) == ["ckpt-0001.npz"]
    resumed = _start(killed_dir, "resume")
    _finish(straight)
    log = _finish(resumed)
    assert "Resumed from" in log and "ckpt-0001.npz" in log

    a, b = _weights(straight_dir), _weights(killed_dir)
    assert len(a) == len(b) > 10
    diff = max(float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) if x.size else 0.0 for x, y in zip(a, b))
    assert diff <= 1e-6, f"largest absolute difference {diff}"


def test_resume_without_a_checkpoint_says_so(tmp_path):
    from stylegan_edu import callbacks as cbs
    from tests._gan_fixtures import tiny_gan, tiny_images

    gan = tiny_gan()
    with pytest.raises(FileNotFoundError, match="No checkpoint in .*Start a new run without resume"):
        gan.fit(tiny_images(16), epochs=1, batch_size=16, callbacks=[cbs.Checkpoint(tmp_path / "none")], resume=True)
    with pytest.raises(ValueError, match="Invalid value for argument `resume`. Expected a Checkpoint callback"):
        gan.fit(tiny_images(16), epochs=1, batch_size=16, resume=True)


def test_resume_skips_a_corrupt_newest_checkpoint(tmp_path, capsys):
    from stylegan_edu import callbacks as cbs
    from tests._gan_fixtures import tiny_gan, tiny_images

    x = tiny_images(16)
    gan = tiny_gan()
    gan.fit(x, epochs=2, batch_size=16, callbacks=[cbs.Checkpoint(tmp_path)], verbose=0)
    newest = tmp_path / "ckpt-0002.npz"
    newest.write_bytes(newest.read_bytes()[:-200])  # a copy cut short
    gan2 = tiny_gan(seed=0)  # a fresh model (the seed is a setting a resume must share)
    gan2.fit(x, epochs=2, batch_size=16, callbacks=[cbs.Checkpoint(tmp_path)], resume=True, verbose=0)
    out = capsys.readouterr().out
    assert "Skipping damaged checkpoint" in out and "Resumed from" in out and "ckpt-0001.npz" in out
    assert [r["epoch"] for r in gan2.state.history] == [1, 2]  # epoch 2 was trained again from epoch 1's state


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2])
