"""Callbacks for :meth:`stylegan_edu.training.AdversarialTrainer.fit`, each usable on its own.

* :class:`SampleGrid`: a grid of samples from a fixed noise batch every
  epoch, shown inline in notebooks and saved as PNG.
* :class:`ProgressGif`: a GIF of the progression.
* :class:`LiveLossPlot`: loss curves redrawn as training runs.
* :class:`ProgressBar`: a ``tqdm.auto`` bar per epoch with the losses.
* :class:`FIDMonitor`: MNIST-FID every N epochs, logged as ``fid``.
* :class:`Checkpoint`: an atomic checkpoint every epoch; ``fit(resume=True)``
  continues from it.
* :class:`NonFiniteGuard`: on a NaN or inf loss, restore the last good
  state, lower the learning rate, log, and continue; stop after N retries.
* :class:`HistoryJson`: the run's per-epoch history as JSON.
* :class:`TimeBudget`: stop after the step that uses up a wall-clock budget
  (the shipped generators' scripts and the equal-time benchmarks).

Each callback has an ``order``; the trainer's ``fit`` runs them sorted by it,
so that the checkpoint is written after FID and the history have been logged.

Callbacks read and write the trainer's documented
:class:`~stylegan_edu.training.TrainingState` (``model.state``: epochs done,
learning-rate scale, history) and call its public methods; nothing else.
"""

import json
import math
import os

import keras
import numpy as np

from stylegan_edu._io import atomic_write, figure_png, png_bytes, recorded_seconds
from stylegan_edu._validation import as_image, check_bool, check_callable, check_float_range, check_path, check_positive_int, \
    check_seed, invalid
from stylegan_edu.checkpoints import CheckpointManager, capture_state, restore_state

__all__ = [
    "SampleGrid",
    "ProgressGif",
    "LiveLossPlot",
    "ProgressBar",
    "FIDMonitor",
    "Checkpoint",
    "NonFiniteGuard",
    "NonFiniteLossError",
    "HistoryJson",
    "TimeBudget",
]


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _keys(name, keys):
    """A tuple of logged names; one name alone is one key, not its characters."""
    if isinstance(keys, str):
        keys = (keys,)
    try:
        keys = tuple(keys)
    except TypeError:
        raise invalid(name, "a name or a tuple of names of logged values, e.g. ('d_loss', 'g_loss')", f"{name}={keys!r}") from None
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise invalid(name, "a name or a tuple of names of logged values, e.g. ('d_loss', 'g_loss')", f"{name}={keys!r}")
    return keys


def _fixed_noise(num_samples, latent_dim, seed):
    return np.random.default_rng(seed).standard_normal((num_samples, latent_dim)).astype(np.float32)  # (N, latent_dim)


def _grid_image(images, ncols, scale):
    """A PIL grid image of images in [-1, 1], magnified ``scale`` times."""
    from PIL import Image

    from stylegan_edu.viz import image_grid

    grid = image_grid(images, ncols=ncols, value_range=(-1, 1))  # (H', W') or (H', W', 3) in [0, 1]
    img = Image.fromarray(as_image(grid, (0, 1), to="uint8", clip=True))
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST) if scale > 1 else img


def _display_png(data):
    from IPython.display import Image as IPythonImage
    from IPython.display import display

    return display(IPythonImage(data=data, format="png"), display_id=True)


class SampleGrid(keras.callbacks.Callback):
    """Generate a grid from the same noise batch every epoch; save it as PNG and show it.

    Using the same z every epoch makes the grids comparable: each cell is one
    latent point, followed through training.

    Args:
        directory: where ``epoch_NNNN.png`` files go (``None``: do not save).
        num_samples: images per grid.
        ncols: images per row.
        seed: seeds the fixed noise batch.
        show: display the grid inline when running in a notebook.
        every: every this many epochs (the last epoch always).
        scale: pixel magnification of the saved and shown grid.

    Attributes:
        frames: the grids drawn so far (PIL images).
    """

    order = 20

    def __init__(self, directory=None, num_samples=16, ncols=8, seed=0, show=True, every=1, scale=2):
        super().__init__()
        self.directory = None if directory is None else os.fspath(directory)
        self.num_samples = check_positive_int("num_samples", num_samples)
        self.ncols = check_positive_int("ncols", ncols)
        self.seed = check_seed("seed", seed, allow_none=False)
        self.show = check_bool("show", show)
        self.every = check_positive_int("every", every)
        self.scale = check_positive_int("scale", scale)
        self.frames = []

    def on_epoch_end(self, epoch, logs=None):
        last = epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every and not last:
            return
        z = _fixed_noise(self.num_samples, self.model.latent_dim, self.seed)  # (N, latent_dim)
        img = _grid_image(self.model.generate(z), self.ncols, self.scale)
        self.frames.append(img)
        if self.directory:
            os.makedirs(self.directory, exist_ok=True)
            atomic_write(os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png"), lambda f: img.save(f, format="PNG"))
        if self.show and _in_notebook():
            print(f"epoch {epoch + 1}")
            _display_png(png_bytes(img))


class ProgressGif(keras.callbacks.Callback):
    """Write an animated GIF of the samples, one frame per epoch, rewritten every epoch.

    Args:
        path: the ``.gif`` file.
        frames_dir: build the GIF from the ``epoch_*.png`` files that a
            :class:`SampleGrid` writes there (so a resumed run's GIF still
            starts at epoch 1). ``None``: draw its own frames from a fixed
            noise batch.
        num_samples, ncols, seed, scale: as :class:`SampleGrid`, for own frames.
        duration_ms: how long each frame shows.
    """

    order = 30

    def __init__(self, path, frames_dir=None, num_samples=16, ncols=8, seed=0, scale=2, duration_ms=300):
        super().__init__()
        self.path = os.fspath(check_path("path", path, kind="file"))
        self.frames_dir = None if frames_dir is None else os.fspath(frames_dir)
        self.num_samples = check_positive_int("num_samples", num_samples)
        self.ncols = check_positive_int("ncols", ncols)
        self.seed = check_seed("seed", seed, allow_none=False)
        self.scale = check_positive_int("scale", scale)
        self.duration_ms = check_positive_int("duration_ms", duration_ms)
        self.frames = []

    def on_epoch_end(self, epoch, logs=None):
        from PIL import Image

        if self.frames_dir:
            names = sorted(n for n in os.listdir(self.frames_dir) if n.startswith("epoch_") and n.endswith(".png")) \
                if os.path.isdir(self.frames_dir) else []
            frames = [Image.open(os.path.join(self.frames_dir, n)).convert("L") for n in names]
        else:
            z = _fixed_noise(self.num_samples, self.model.latent_dim, self.seed)  # (N, latent_dim)
            self.frames.append(_grid_image(self.model.generate(z), self.ncols, self.scale).convert("L"))
            frames = self.frames
        if not frames:
            return
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        atomic_write(self.path, lambda f: frames[0].save(f, format="GIF", save_all=True, append_images=frames[1:],
                                                           duration=self.duration_ms, loop=0))


class LiveLossPlot(keras.callbacks.Callback):
    """Loss curves per step, redrawn in place in a notebook (and saved as PNG if asked).

    Args:
        keys: which logged values to plot.
        redraw_every: redraw every this many steps (and at each epoch end).
        path: save the final figure there (``None``: do not save).
        show: draw inline in notebooks.

    Attributes:
        steps: ``{key: [value per step]}``, the running epoch means Keras logs.
    """

    order = 40

    def __init__(self, keys=("d_loss", "g_loss"), redraw_every=50, path=None, show=True):
        super().__init__()
        self.keys = _keys("keys", keys)
        self.redraw_every = check_positive_int("redraw_every", redraw_every)
        self.path = None if path is None else os.fspath(path)
        self.show = check_bool("show", show)
        self.steps = {k: [] for k in self.keys}
        self._handle = None
        self._count = 0

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        for k in self.keys:
            if k in logs:
                self.steps[k].append(float(logs[k]))
        self._count += 1
        if self._count % self.redraw_every == 0:
            self._draw()

    def on_epoch_end(self, epoch, logs=None):
        self._draw()

    def on_train_end(self, logs=None):
        fig = self._figure()
        if fig is not None and self.path:
            fig.savefig(self.path, dpi=100)
        if fig is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)

    def _figure(self):
        data = {k: v for k, v in self.steps.items() if v}
        if not data:
            return None
        from matplotlib.figure import Figure

        from stylegan_edu.viz import plot_history

        fig = Figure(figsize=(6, 3))
        plot_history(data, ax=fig.add_subplot(), xlabel="step", title="running epoch means")
        fig.tight_layout()
        return fig

    def _draw(self):
        if not (self.show and _in_notebook()):
            return
        fig = self._figure()
        if fig is None:
            return
        data = figure_png(fig, dpi=80)
        if self._handle is None:
            self._handle = _display_png(data)
        else:
            from IPython.display import Image as IPythonImage

            self._handle.update(IPythonImage(data=data, format="png"))


class ProgressBar(keras.callbacks.Callback):
    """A ``tqdm.auto`` bar per epoch, with the running losses as its postfix.

    The trainer's ``fit`` turns Keras' own progress output off when this is
    used. tqdm ships a Keras callback too (``tqdm.keras.TqdmCallback``); this
    one differs on purpose: it shows only the chosen ``keys`` (a GAN logs up
    to ten values, too many for one line), rounds them to 3 decimals, and
    keeps one finished bar per epoch on screen, so a notebook's stored output
    reads as a per-epoch log.

    Args:
        keys: the logged values to show.
        leave: keep each epoch's finished bar on screen.
    """

    order = 0

    def __init__(self, keys=("d_loss", "g_loss", "fid"), leave=True):
        super().__init__()
        self.keys = _keys("keys", keys)
        self.leave = bool(leave)
        self._bar = None

    def on_epoch_begin(self, epoch, logs=None):
        from tqdm.auto import tqdm

        self._bar = tqdm(total=self.params.get("steps"), desc=f"epoch {epoch + 1}/{self.params.get('epochs')}",
                         leave=self.leave, unit="step")

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is None:
            return
        self._bar.update(1)
        if batch % 10 == 0 and logs:
            self._bar.set_postfix({k: f"{float(logs[k]):.3f}" for k in self.keys if k in logs}, refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            if logs:
                self._bar.set_postfix({k: f"{float(logs[k]):.3f}" for k in self.keys if k in logs})
            self._bar.close()
            self._bar = None

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class FIDMonitor(keras.callbacks.Callback):
    """MNIST-FID of generated samples every ``every`` epochs, logged as ``fid``.

    The samples come from a fixed noise batch, so the curve measures the
    generator, not the luck of the draw.

    Args:
        every: every this many epochs (the last epoch always).
        num_samples: generated images per FID (FID is biased upwards for
            small samples: compare values computed with the same number).
        seed: seeds the noise.
        fid_fn: ``images -> float``; default
            :func:`stylegan_edu.metrics.mnist_fid`.

    Attributes:
        values: ``[(epoch, fid), ...]`` measured so far.
    """

    order = 10

    def __init__(self, every=1, num_samples=1000, seed=0, fid_fn=None):
        super().__init__()
        self.every = check_positive_int("every", every)
        self.num_samples = check_positive_int("num_samples", num_samples, minimum=2)
        self.seed = check_seed("seed", seed, allow_none=False)
        if fid_fn is not None:
            check_callable("fid_fn", fid_fn, "None or a callable images -> float")
        self.fid_fn = fid_fn
        self.values = []

    def on_epoch_end(self, epoch, logs=None):
        last = epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every and not last:
            return
        fid_fn = self.fid_fn
        if fid_fn is None:
            from stylegan_edu.metrics import mnist_fid as fid_fn
        z = _fixed_noise(self.num_samples, self.model.latent_dim, self.seed + 1)
        value = float(fid_fn(self.model.generate(z)))
        self.values.append((epoch + 1, value))
        if logs is not None:
            logs["fid"] = value


class Checkpoint(keras.callbacks.Callback):
    """Save an atomic checkpoint at the end of every epoch; restore for ``fit(resume=True)``.

    See :mod:`stylegan_edu.checkpoints` for what a checkpoint holds and how
    a damaged one is detected.

    Args:
        directory: the checkpoint folder.
        keep: how many checkpoints to keep (>= 2: the newest and a fallback).
        log: called with messages (skipped damaged files).
    """

    order = 100

    def __init__(self, directory, keep=2, log=print):
        super().__init__()
        self.manager = CheckpointManager(directory, keep=keep)
        self.log = log
        self.saved = []

    @property
    def directory(self):
        return self.manager.directory

    def on_epoch_end(self, epoch, logs=None):
        self.saved.append(self.manager.save(self.model))

    def restore(self, gan):
        """Restore the newest good checkpoint into ``gan``; return its path."""
        path, state = self.manager.latest_valid(log=self.log)
        restore_state(gan, state)
        return path


class NonFiniteLossError(RuntimeError):
    """Training produced non-finite losses more often than the guard allows."""


class NonFiniteGuard(keras.callbacks.Callback):
    """Recover from a NaN or inf loss: restore the last good state, lower the rate, continue.

    This is the source article's tip 6 ("reload a better checkpoint when
    training goes wrong"), made automatic. The last good state is the one a
    :class:`Checkpoint` saves: the state at the start of training and at the
    end of every epoch whose losses were finite, kept in memory.

    Args:
        keys: the logged losses to watch.
        factor: multiply the learning rate by this after each restore.
        max_retries: raise :class:`NonFiniteLossError` on the next
            non-finite loss after this many restores.
        log: called with a message for each restore.

    Attributes:
        events: ``[(epoch, batch, lr_scale), ...]``, one per restore.
    """

    order = 90

    def __init__(self, keys=("d_loss", "g_loss"), factor=0.5, max_retries=3, log=print):
        super().__init__()
        self.keys = _keys("keys", keys)
        self.factor = check_float_range("factor", factor, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
        self.max_retries = check_positive_int("max_retries", max_retries, minimum=0)
        self.log = log
        self.events = []
        self._good = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        logged = {m.name for m in self.model.metrics}
        unknown = [k for k in self.keys if k not in logged]
        if unknown:  # a typo would switch the guard off without a word
            raise invalid("keys", f"names the trainer logs ({', '.join(sorted(logged))})", f"keys={self.keys!r}")
        self._good = capture_state(self.model)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {k: float(logs[k]) for k in self.keys if logs and k in logs and not math.isfinite(float(logs[k]))}
        if not bad:
            return
        if len(self.events) >= self.max_retries:
            raise NonFiniteLossError(
                f"Non-finite loss ({', '.join(f'{k}={v}' for k, v in bad.items())}) at epoch {self._epoch + 1}, "
                f"batch {batch + 1}, after {len(self.events)} restore(s) with the learning rate lowered to "
                f"{self.model.state.lr_scale:g} x its schedule. Training is diverging: lower the learning rate, check the "
                "data for NaN, or use a smaller model."
            )
        lowered = self.model.state.lr_scale * self.factor  # compounds over retries
        restore_state(self.model, self._good)
        self.model.state.lr_scale = lowered
        self.model.set_learning_rates(self._epoch)
        for m in self.model.metrics:
            m.reset_state()
        self.events.append((self._epoch + 1, batch + 1, self.model.state.lr_scale))
        self.log(
            f"NonFiniteGuard: {', '.join(f'{k}={v}' for k, v in bad.items())} at epoch {self._epoch + 1}, batch "
            f"{batch + 1}. Restored the state after epoch {self.model.state.epochs_done} and lowered the learning rate to "
            f"{self.model.state.lr_scale:g} x its schedule (retry {len(self.events)} of {self.max_retries})."
        )

    def on_epoch_end(self, epoch, logs=None):
        if logs and all(math.isfinite(float(logs[k])) for k in self.keys if k in logs):
            self._good = capture_state(self.model)


class HistoryJson(keras.callbacks.Callback):
    """Write the run's per-epoch history (across resumes) to a JSON file every epoch.

    Args:
        path: the ``.json`` file: a list of ``{"epoch": k, "d_loss": ..., ...}``.
    """

    order = 60

    def __init__(self, path):
        super().__init__()
        self.path = os.fspath(check_path("path", path, kind="file"))

    def on_epoch_end(self, epoch, logs=None):
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        atomic_write(self.path, json.dumps(self.model.state.history, indent=1))


# --------------------------------------------------------------------------
# The two callbacks that AdversarialTrainer.fit always adds.
# --------------------------------------------------------------------------


class LearningRateSchedule(keras.callbacks.Callback):
    """Set the learning rates at the start of each epoch: schedule x ``state.lr_scale``.

    :meth:`~stylegan_edu.training.AdversarialTrainer.fit` adds it itself.
    """

    order = -100

    def on_epoch_begin(self, epoch, logs=None):
        self.model.set_learning_rates(epoch, (self.params or {}).get("epochs"))


class StateRecorder(keras.callbacks.Callback):
    """Record each finished epoch's logs in the trainer's :class:`~stylegan_edu.training.TrainingState`.

    :meth:`~stylegan_edu.training.AdversarialTrainer.fit` adds it itself.
    """

    order = 50

    def on_epoch_end(self, epoch, logs=None):
        from stylegan_edu.training import current_learning_rate

        self.model.state.record(epoch, logs, learning_rate=current_learning_rate(self.model.g_optimizer))


class TimeBudget(keras.callbacks.Callback):
    """Stop training after the step that uses up ``seconds`` of wall-clock time.

    The step that crosses the budget finishes, then ``fit`` stops (the last
    epoch may be partial; the trainer's ``state.history`` still records it).
    Wall-clock time counts from ``on_train_begin`` minus ``already``, so a run
    resumed from a checkpoint (``fit(resume=True)``) can be given the time it
    had used before: with ``record``, the time used is written there after
    every epoch, and :meth:`recorded` reads it back. ``elapsed`` is the time
    used so far, ``spent`` whether it is used up, ``stopped`` whether the budget
    ended the run.

    Args:
        seconds: the budget, > 0.
        already: seconds already used by an earlier part of the run, >= 0.
        record: optional JSON file for ``{"train_seconds": ...}``, rewritten
            (atomically) after every epoch.

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.gan import make_gan
    >>> from stylegan_edu.training import TrainConfig
    >>> gan = make_gan(TrainConfig(epochs=5, batch_size=8))
    >>> budget = TimeBudget(1e-9)  # stops after the first step
    >>> _ = gan.fit(np.zeros((64, 28, 28, 1), "float32"), callbacks=[budget], verbose=0)
    >>> int(gan.g_optimizer.iterations), budget.stopped
    (1, True)
    """

    order = -50  # before the callbacks that write checkpoints and history

    def __init__(self, seconds, already=0.0, record=None):
        super().__init__()
        self.seconds = check_float_range("seconds", seconds, 0.0, None, low_inclusive=False)
        self.already = check_float_range("already", already, 0.0, None)
        self.record = None if record is None else os.fspath(check_path("record", record, kind="file"))
        self.start = None
        self.stopped = False

    @staticmethod
    def recorded(path):
        """The seconds a ``record`` file holds, or 0.0 when there is none yet (a run that has not started)."""
        return recorded_seconds(path)

    @property
    def elapsed(self):
        """Seconds of wall-clock time used so far (``already`` included)."""
        import time

        return self.already if self.start is None else time.time() - self.start

    def on_train_begin(self, logs=None):
        import time

        self.start = time.time() - self.already

    @property
    def spent(self):
        """Whether the budget is used up (before a resumed run starts, too: then it should take no step)."""
        return self.elapsed >= self.seconds

    def on_train_batch_end(self, batch, logs=None):
        if self.spent:
            self.stopped = True
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.record is not None:
            os.makedirs(os.path.dirname(os.path.abspath(self.record)), exist_ok=True)
            atomic_write(self.record, json.dumps({"train_seconds": self.elapsed}))
