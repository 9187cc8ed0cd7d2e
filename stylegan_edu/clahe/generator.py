"""The learned CLAHE models that were trained: their settings and names.

:func:`stylegan_edu.pretrained.clahe_generator` loads the shipped weights for
these settings; ``scripts/train_clahe_generator.py`` trains them. All are
tone-grid enhancers (:mod:`stylegan_edu.clahe.tone_grid`).
"""

import dataclasses

from stylegan_edu._validation import check_choice
from stylegan_edu.clahe.tone_grid import TONE_GRID_CONFIG

__all__ = ["GENERATOR_CONFIG", "RESTORE_CONFIG", "VARIANTS", "SEEDS", "METHOD_NAMES", "generator_config_for"]

#: The CLAHE task's enhancer: the tone grid alone (a curve network of 1,121 weights, 5 kB in float32).
GENERATOR_CONFIG = TONE_GRID_CONFIG
#: The restoration task's enhancer: a cleaning U-Net (16, 32, 64 channels at full, 1/2 and 1/4 resolution, with a
#: global context at the bottleneck) that reads the photo and its five classical repairs
#: (:data:`~stylegan_edu.clahe.REPAIRS`) and mixes them per pixel, before the tone grid.
RESTORE_CONFIG = dataclasses.replace(TONE_GRID_CONFIG, restore_filters=16, restore_levels=3, restore_context=True,
                                     restore_repairs=("NL-means", "TV", "unsharp", "Gaussian", "bilateral"))
#: The shipped variants. The first three are the loss ablation on the CLAHE task (same model, data,
#: learning rate and schedule): L1 only, L1 + adversarial (the GAN), L1 + adversarial + perceptual and
#: style terms on trained VGG16 features; ``"restore"`` is :data:`RESTORE_CONFIG`: the GAN's tone grid (seed 0)
#: behind a cleaning U-Net trained on damaged photos (:func:`stylegan_edu.clahe.damage`).
VARIANTS = ("l1", "gan", "gan_perceptual", "restore")
#: Seeds of the ablation runs (each variant of the CLAHE task was trained once per seed).
SEEDS = (0, 1, 2)
#: How each variant is called in the tables.
METHOD_NAMES = {"l1": "tone grid, L1", "gan": "tone grid, L1 + adv. (GAN)",
                "gan_perceptual": "tone grid, L1 + adv. + perceptual", "restore": "restoring tone grid (GAN)"}


def generator_config_for(variant):
    """The model settings of a trained variant: :data:`RESTORE_CONFIG` for ``"restore"``, else
    :data:`GENERATOR_CONFIG`.

    Example:

    >>> generator_config_for("gan").restore_filters, generator_config_for("restore").restore_filters
    (0, 16)
    """
    check_choice("variant", variant, VARIANTS)
    return RESTORE_CONFIG if variant == "restore" else GENERATOR_CONFIG
