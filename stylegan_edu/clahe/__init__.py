r"""Contrast enhancement with CLAHE, classical and learned (chapter 11).

One concern per module; every public name is also available here
(``from stylegan_edu import clahe as C; C.clahe(...)``):

* :mod:`~stylegan_edu.clahe.classical`: :func:`clahe` (scikit-image and
  OpenCV with one clip-limit convention), :func:`clip_histogram`,
  :func:`opencv_clip_limit`, :func:`global_equalize`, and :func:`to_luminance`;
* :mod:`~stylegan_edu.clahe.degradations`: :func:`low_contrast` (gamma,
  contrast compression, haze, uneven illumination), :func:`damage` (the
  restoration task's :data:`RESTORATION_DEGRADATIONS`: noise, blur, JPEG, a
  dim noisy exposure) and :func:`random_tone`;
* :mod:`~stylegan_edu.clahe.pairs`: the paired training set: the photos
  (:data:`TRAIN_IMAGES`, :func:`load_photos`), the task (:class:`ClaheTarget`,
  :func:`clahe_target`, :func:`tile_grid_for`) and :func:`clahe_pairs`, a
  ``tf.data`` pipeline of (degraded crop, CLAHE target crop) pairs;
* :mod:`~stylegan_edu.clahe.evaluation`: the held-out photos
  (:data:`EVAL_IMAGES`), :func:`evaluation_pairs` and :func:`evaluate`;
* :mod:`~stylegan_edu.clahe.repairs`: the classical repairs of a damaged
  photo (:data:`REPAIRS`: non-local means, TV, unsharp masking, Gaussian,
  bilateral) and :func:`repair_stack`, a photo and its repairs as channels;
* :mod:`~stylegan_edu.clahe.pipelines`: the classical baselines of the
  restoration task, repair then CLAHE (:data:`CLASSICAL_PIPELINES`,
  :func:`classical_pipeline`);
* :mod:`~stylegan_edu.clahe.tone_grid`: the learned model, built like CLAHE
  (:class:`ToneGridConfig`, :func:`make_tone_grid_enhancer`): tile
  histograms, a small network that turns each into a tone curve
  (:class:`CurveNet`), and CLAHE's bilinear lookup (:class:`ToneGrid`);
* :mod:`~stylegan_edu.clahe.generator`: the settings of the trained variants
  (:data:`GENERATOR_CONFIG`, :data:`RESTORE_CONFIG`, :data:`VARIANTS`); their
  shipped weights load with :func:`stylegan_edu.pretrained.clahe_generator`;
* :mod:`~stylegan_edu.clahe.inference`: :func:`enhance`, which applies a
  trained generator to an image of any size.

**Colour.** Everything works on grey images. An RGB image is handled on its
luminance: :math:`Y = 0.299 R + 0.587 G + 0.114 B` (ITU-R BT.601, the Y of
YCbCr) is enhanced to :math:`Y'`, and :math:`Y' - Y` is added to all three
channels, which keeps both chroma channels :math:`C_b, C_r` unchanged
(they are linear in :math:`B - Y` and :math:`R - Y`); the result is clipped
to the valid range. Every function takes uint8 or floats in [0, 1] and
returns the dtype and range it was given.

Only :mod:`~stylegan_edu.clahe.tone_grid` and :mod:`~stylegan_edu.clahe.generator` import Keras; they are loaded on
first use of their names, so the classical functions stay quick to import.
"""

import importlib

from stylegan_edu.clahe._image import to_luminance
from stylegan_edu.clahe.classical import BACKENDS, clahe, clip_histogram, global_equalize, opencv_clip_limit
from stylegan_edu.clahe.degradations import DEGRADATIONS, RESTORATION_DEGRADATIONS, damage, low_contrast, random_tone
from stylegan_edu.clahe.evaluation import EVAL_IMAGES, evaluate, evaluation_pairs
from stylegan_edu.clahe.inference import enhance
from stylegan_edu.clahe.pairs import TARGET, TRAIN_IMAGES, ClaheTarget, clahe_pairs, clahe_target, load_photos, tile_grid_for
from stylegan_edu.clahe.pipelines import CLASSICAL_PIPELINES, classical_pipeline
from stylegan_edu.clahe.repairs import REPAIRS, repair_stack

_GENERATOR_NAMES = ("GENERATOR_CONFIG", "RESTORE_CONFIG", "VARIANTS", "SEEDS", "METHOD_NAMES", "generator_config_for")
_TONE_GRID_NAMES = ("ToneGridConfig", "TONE_GRID_CONFIG", "bin_width", "tile_layout", "CurveNet", "ToneGrid",
                    "ToneGridEnhancer", "make_tone_grid_enhancer")

__all__ = [
    # classical
    "BACKENDS", "clahe", "clip_histogram", "opencv_clip_limit", "global_equalize", "to_luminance",
    # degradations
    "DEGRADATIONS", "RESTORATION_DEGRADATIONS", "low_contrast", "damage", "random_tone",
    # the paired training set
    "TRAIN_IMAGES", "ClaheTarget", "TARGET", "tile_grid_for", "clahe_target", "load_photos", "clahe_pairs",
    # evaluation
    "EVAL_IMAGES", "evaluation_pairs", "evaluate",
    # classical baselines of the restoration task
    "CLASSICAL_PIPELINES", "classical_pipeline", "REPAIRS", "repair_stack",
    # the learned model
    *_TONE_GRID_NAMES, *_GENERATOR_NAMES,
    # inference
    "enhance",
]


def __getattr__(name):  # PEP 562: the generator's names import Keras, on first use only
    if name in _GENERATOR_NAMES:
        return getattr(importlib.import_module("stylegan_edu.clahe.generator"), name)
    if name in _TONE_GRID_NAMES:
        return getattr(importlib.import_module("stylegan_edu.clahe.tone_grid"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
