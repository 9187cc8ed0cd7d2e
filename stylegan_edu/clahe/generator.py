"""The learned CLAHE model: the generator's architecture and the variants that were trained.

:func:`stylegan_edu.pretrained.clahe_generator` loads the shipped weights for
these settings; ``scripts/train_clahe_generator.py`` trains them.
"""

import dataclasses

from stylegan_edu._validation import check_choice
from stylegan_edu.models.pix2pix import UNetConfig

__all__ = ["GENERATOR_CONFIG", "PLAIN_GENERATOR_CONFIG", "VARIANTS", "ABLATIONS", "generator_config_for"]

#: The shipped CLAHE generator's architecture: a U-Net with a tone-curve head (32 knots) and local
#: histograms over 64-pixel windows at its bottleneck; about 1.0 M parameters (4 MB in float32).
#: Its inputs' height and width must be multiples of ``GENERATOR_CONFIG.stride`` (16).
GENERATOR_CONFIG = UNetConfig(base_filters=12, depth=4, max_filters=96, tone_curve_knots=32, histogram_window=64, seed=0)
#: The architecture ablation: the same U-Net with the plain residual head (output = clip(x + delta)).
PLAIN_GENERATOR_CONFIG = dataclasses.replace(GENERATOR_CONFIG, tone_curve_knots=0, histogram_window=0)
#: The shipped variants: the full conditional GAN and the L1-only ablation.
VARIANTS = ("gan", "l1")
#: Also trained and measured, not shipped (the weights would pass the 10 MB budget): the plain U-Net, L1 only.
ABLATIONS = ("plain_l1",)


def generator_config_for(variant):
    """The U-Net settings of a trained variant: :data:`PLAIN_GENERATOR_CONFIG` for
    ``"plain_l1"``, else :data:`GENERATOR_CONFIG`.

    Example:

    >>> generator_config_for("gan").tone_curve_knots, generator_config_for("plain_l1").tone_curve_knots
    (32, 0)
    """
    check_choice("variant", variant, VARIANTS + ABLATIONS)
    return PLAIN_GENERATOR_CONFIG if variant == "plain_l1" else GENERATOR_CONFIG
