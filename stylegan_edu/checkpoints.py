"""Checkpoints that survive a kill: atomic writes, checksums, a fallback.

A checkpoint holds everything a training run needs to continue *exactly*
where it stopped (chapter 9 shows an interrupted run resumed):

* every variable that the trainer lists in
  :meth:`~stylegan_edu.training.AdversarialTrainer.checkpoint_variables`:
  the generator and the discriminator (weights, BatchNorm statistics, the
  dropout layers' random-seed states), both optimizers (Adam's moments, the
  step counters), the trainer's noise generator (so the next z is the same),
  and whatever a subclass adds (an EMA generator, say);
* the trainer's :class:`~stylegan_edu.training.TrainingState`: the number of
  finished epochs, the learning-rate scale that the non-finite-loss guard
  may have lowered, and the per-epoch history.

The format is one ``.npz`` file per epoch (``ckpt-0003.npz`` after three
epochs) with a JSON manifest inside that lists each variable's path and shape
and a SHA-256 digest of all the arrays. Writing goes to a temporary file in
the same folder, which is flushed to disk and then renamed over the final
name with :func:`os.replace` (atomic on POSIX and Windows): a kill during
saving leaves at worst a stray temporary file, never a damaged checkpoint.
The previous checkpoint is kept, so a file damaged later (a full disk, a
copy cut short) is detected by its digest and the run falls back to the one
before it.

Why not ``tf.train.CheckpointManager``? It would do the atomic rename and the
pruning, but it saves TensorFlow trackables only: these files are plain
numpy, so a run trained on the TensorFlow backend resumes on the JAX
backend (the GPU path) and the other way round, and every array carries a
digest that is checked before anything is assigned.
"""

import glob
import hashlib
import io
import json
import os
import re
import zipfile

import numpy as np

from stylegan_edu._io import atomic_write
from stylegan_edu._validation import check_finite, check_path, check_positive_int, invalid

__all__ = ["CheckpointError", "CheckpointManager", "state_variables", "capture_state", "restore_state"]

_FORMAT = 1
_NAME = re.compile(r"^ckpt-(\d{4,})\.npz$")


class CheckpointError(RuntimeError):
    """A checkpoint is missing, damaged, or does not fit the model."""


class _InvalidState(CheckpointError, ValueError):
    """A state with impossible values (NaN weights, a negative epoch): both a ``CheckpointError`` and a ``ValueError``."""


def _check_state(state):
    """Raise :class:`_InvalidState` (Keras template, naming ``state``) unless ``state`` is a well-formed captured state."""
    def bad(expected, received):
        return _InvalidState(str(invalid("state", expected, received)))

    if not isinstance(state, dict) or not {"arrays", "names", "meta"} <= set(state):
        raise bad("a dict with 'arrays', 'names' and 'meta', as capture_state returns",
                  f"state of type {type(state).__name__}" if not isinstance(state, dict) else f"keys {sorted(map(str, state))}")
    arrays, names, meta = state["arrays"], state["names"], state["meta"]
    if not isinstance(arrays, (list, tuple)) or not isinstance(names, (list, tuple)) or len(arrays) != len(names):
        raise bad("lists 'arrays' and 'names' of the same length", f"{type(arrays).__name__} and {type(names).__name__}")
    for name, a in zip(names, arrays):
        a = np.asarray(a)
        if a.dtype.kind not in "biuf":
            raise bad("numeric arrays", f"{name} with dtype {a.dtype}")
        try:
            check_finite(f"state['arrays'] ({name})", a)
        except ValueError as e:
            raise _InvalidState(str(e).replace(f"argument `state['arrays'] ({name})`", "argument `state`")
                                + f" in {name}") from None
    if not isinstance(meta, dict):
        raise bad("a 'meta' dict with 'epoch', 'lr_scale' and 'history'", f"meta of type {type(meta).__name__}")
    epoch, lr_scale, history = meta.get("epoch"), meta.get("lr_scale"), meta.get("history")
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise bad("meta['epoch'], an integer >= 0", f"epoch={epoch!r}")
    if (isinstance(lr_scale, bool) or not isinstance(lr_scale, (int, float, np.integer, np.floating))
            or not np.isfinite(lr_scale) or not 0 < lr_scale <= 1):
        raise bad("meta['lr_scale'], a float in (0, 1]", f"lr_scale={lr_scale!r}")
    if not isinstance(history, list):
        raise bad("meta['history'], a list of per-epoch dicts", f"history={history!r:.80}")


def state_variables(trainer):
    """The variables a checkpoint holds, in a fixed order, with their names.

    Args:
        trainer: a compiled :class:`stylegan_edu.training.AdversarialTrainer`.

    Returns:
        list: ``(name, variable)`` pairs from the trainer's
        :meth:`~stylegan_edu.training.AdversarialTrainer.checkpoint_variables`.
    """
    if not callable(getattr(trainer, "checkpoint_variables", None)):
        raise invalid("trainer", "an AdversarialTrainer (a model with checkpoint_variables())", f"trainer of type {type(trainer).__name__}")
    pairs = []
    for prefix, variables in trainer.checkpoint_variables():
        for i, v in enumerate(variables):
            pairs.append((f"{prefix}/{i}:{v.path}", v))
    return pairs


def capture_state(trainer):
    """A numpy copy of every variable of :func:`state_variables`, plus the training state.

    Returns:
        dict: ``{"arrays": [np.ndarray, ...], "names": [...], "meta": {...}}``
        where ``meta`` is :meth:`stylegan_edu.training.TrainingState.to_dict`
        (``epoch``, ``lr_scale`` and ``history``).
    """
    pairs = state_variables(trainer)
    return {
        "names": [n for n, _ in pairs],
        "arrays": [np.array(v.numpy()) for _, v in pairs],
        "meta": trainer.state.to_dict(),
    }


def restore_state(trainer, state):
    """Assign a captured state to ``trainer`` after checking that it fits.

    Every shape is checked before anything is assigned, so a state that does
    not fit leaves the model untouched.

    Raises:
        CheckpointError: if the number, names or shapes of the variables
            differ, or (also a ``ValueError``) the state holds impossible
            values: non-finite arrays, a negative epoch, a learning-rate
            scale outside (0, 1].
    """
    from stylegan_edu.training import TrainingState

    _check_state(state)
    pairs = state_variables(trainer)
    arrays, names = state["arrays"], state["names"]
    if len(arrays) != len(pairs):
        raise CheckpointError(
            f"The checkpoint holds {len(arrays)} variables but the model has {len(pairs)}: it was saved from a "
            "different architecture or configuration."
        )
    for (name, var), saved, a in zip(pairs, names, arrays):
        if tuple(var.shape) != tuple(a.shape):
            raise CheckpointError(
                f"Variable {name} has shape {tuple(var.shape)} but the checkpoint's {saved} has shape {tuple(a.shape)}: "
                "it was saved from a different architecture or configuration."
            )
    for (_, var), a in zip(pairs, arrays):
        var.assign(a.astype(np.dtype(var.dtype)) if a.dtype != np.dtype(var.dtype) else a)
    trainer.state = TrainingState.from_dict(state["meta"])


def _digest(arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


class CheckpointManager:
    """Save, list, verify and restore the checkpoints in one folder.

    Args:
        directory: the folder (created when the first checkpoint is saved).
        keep: how many of the newest checkpoints to keep (at least 2, so that
            a damaged newest file always has a good one before it).

    Example:

    >>> import tempfile
    >>> manager = CheckpointManager(tempfile.mkdtemp())
    >>> manager.paths()
    []
    >>> manager.latest_valid()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: No checkpoint in ... (no ckpt-NNNN.npz files). Start a new run without resume.
    """

    def __init__(self, directory, keep=2):
        self.directory = os.fspath(check_path("directory", directory, kind="folder"))
        self.keep = check_positive_int("keep", keep, minimum=2)

    def paths(self):
        """Checkpoint files in the folder, oldest first."""
        found = []
        for path in glob.glob(os.path.join(glob.escape(self.directory), "ckpt-*.npz")):
            m = _NAME.match(os.path.basename(path))
            if m:
                found.append((int(m.group(1)), path))
        return [p for _, p in sorted(found)]

    def save(self, trainer):
        """Write the state of ``trainer`` atomically as ``ckpt-<epoch>.npz``; prune old ones.

        Returns:
            str: the path written.
        """
        state = capture_state(trainer)
        os.makedirs(self.directory, exist_ok=True)
        meta = dict(state["meta"], format=_FORMAT, names=state["names"], digest=_digest(state["arrays"]))
        final = os.path.join(self.directory, f"ckpt-{meta['epoch']:04d}.npz")
        payload = {f"a{i:05d}": a for i, a in enumerate(state["arrays"])}
        payload["manifest"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        # Atomic and flushed to disk: readers see the old file or the new one, never half of one.
        atomic_write(final, lambda f: np.savez(f, **payload), fsync=True)
        for old in self.paths()[: -self.keep]:
            os.remove(old)
        return final

    def load(self, path):
        """Read and verify one checkpoint file.

        Returns:
            dict: a state for :func:`restore_state`.

        Raises:
            CheckpointError: if the file is truncated, corrupt (its digest does
                not match), or not a checkpoint.
        """
        try:
            with open(path, "rb") as f:
                raw = f.read()
            with np.load(io.BytesIO(raw), allow_pickle=False) as z:
                meta = json.loads(bytes(z["manifest"]).decode())
                arrays = [z[f"a{i:05d}"] for i in range(len(meta["names"]))]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as e:
            raise CheckpointError(f"Checkpoint {path} is truncated or corrupt ({type(e).__name__}: {e}).") from e
        if meta.get("format") != _FORMAT:
            raise CheckpointError(f"Checkpoint {path} has format {meta.get('format')!r}; this version reads format {_FORMAT}.")
        if _digest(arrays) != meta["digest"]:
            raise CheckpointError(f"Checkpoint {path} is corrupt: the SHA-256 digest of its arrays does not match its manifest.")
        return {"arrays": arrays, "names": meta["names"], "meta": meta}

    def latest_valid(self, log=print):
        """The newest checkpoint that loads and verifies, falling back past damaged ones.

        Args:
            log: called with a message for each damaged file that is skipped.

        Returns:
            tuple: ``(path, state)``.

        Raises:
            FileNotFoundError: if the folder holds no checkpoint.
            CheckpointError: if every checkpoint is damaged (training never
                continues from garbage).
        """
        paths = self.paths()
        if not paths:
            raise FileNotFoundError(f"No checkpoint in {self.directory} (no ckpt-NNNN.npz files). Start a new run without resume.")
        problems = []
        for path in reversed(paths):
            try:
                return path, self.load(path)
            except CheckpointError as e:
                problems.append(str(e))
                log(f"Skipping damaged checkpoint: {e} Falling back to the previous one.")
        raise CheckpointError(
            f"Every checkpoint in {self.directory} is damaged, so the run cannot resume:\n  " + "\n  ".join(problems)
            + "\nDelete the folder's ckpt-*.npz files to start over."
        )
