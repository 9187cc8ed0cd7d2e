"""Models: the generators and discriminators of the book, and latent-space helpers.

Chapter 2 builds the generator, chapter 3 the discriminator. Both come in a
DCGAN and a VGG-style flavour (``architecture="dcgan" | "vgg"``). The
image-to-image U-Net generator and PatchGAN discriminator (``pix2pix``) serve
the CLAHE chapter. The StyleGAN building blocks (``stylegan``: equalised
layers, mapping network, AdaIN, modulated convolution, noise, constant input)
serve the style-based generator chapters.
"""

from stylegan_edu.models import dcgan as _dcgan
from stylegan_edu.models import pix2pix as _pix2pix
from stylegan_edu.models import stylegan as _stylegan
from stylegan_edu.models.dcgan import *  # noqa: F403 - the MNIST generator and discriminator, latent helpers
from stylegan_edu.models.pix2pix import *  # noqa: F403 - the U-Net and PatchGAN
from stylegan_edu.models.stylegan import *  # noqa: F403 - the StyleGAN building blocks

__all__ = [*_dcgan.__all__, *_pix2pix.__all__, *_stylegan.__all__]
