"""Models: the generators and discriminators of the book, and latent-space helpers.

Chapter 2 builds the generator, chapter 3 the discriminator. Both come in a
DCGAN and a VGG-style flavour (``architecture="dcgan" | "vgg"``).
"""

from stylegan_edu.models.dcgan import (
    DiscriminatorConfig,
    GeneratorConfig,
    conv_output_size,
    conv_transpose_output_size,
    expected_latent_norm,
    format_layer_table,
    interpolate,
    layer_table,
    make_discriminator,
    make_generator,
    multiply_adds,
    receptive_field,
    sample_latent,
    slerp,
)
from stylegan_edu.models.pix2pix import (
    ApplyToneCurve,
    IntensityBins,
    PatchGANConfig,
    UNetConfig,
    make_patchgan_discriminator,
    make_unet_generator,
    unet_valid_size,
)

__all__ = [
    "DiscriminatorConfig",
    "GeneratorConfig",
    "conv_output_size",
    "conv_transpose_output_size",
    "expected_latent_norm",
    "format_layer_table",
    "interpolate",
    "layer_table",
    "make_discriminator",
    "make_generator",
    "multiply_adds",
    "receptive_field",
    "sample_latent",
    "slerp",
    "UNetConfig",
    "PatchGANConfig",
    "IntensityBins",
    "ApplyToneCurve",
    "make_unet_generator",
    "make_patchgan_discriminator",
    "unet_valid_size",
]
