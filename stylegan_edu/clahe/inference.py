r"""Inference: apply a trained CLAHE generator to a whole image of any size."""

import numpy as np

from stylegan_edu._validation import check_bool, check_positive_int, invalid
from stylegan_edu.clahe._image import _apply_on_luminance, _check_image
from stylegan_edu.clahe.repairs import repair_stack

__all__ = ["enhance"]


def enhance(image, model=None, stride=None, tile=512, overlap=32, batch_size=4, self_ensemble=False):
    r"""Enhance an image of any size with a trained generator (default: the shipped one).

    The image is processed on its luminance (RGB: see the package docstring).
    A tone-grid enhancer (:class:`~stylegan_edu.clahe.tone_grid.ToneGridEnhancer`,
    the shipped kind) runs on the whole image at once, like CLAHE, whose tiles
    and stretch depend on the whole image; ``stride``, ``tile``, ``overlap``
    and ``batch_size`` are then not used. A restoring one whose cleaning
    U-Net reads classical repairs (``config.restore_repairs``) gets them
    computed here (:func:`~stylegan_edu.clahe.repair_stack`); with
    ``self_ensemble`` it enhances the photo in the 8 orientations of the
    square and averages the results
    (:meth:`~stylegan_edu.clahe.tone_grid.ToneGridEnhancer.ensembled`): the
    U-Net and the tone grid run 8 times, the repairs once. Any other generator (a U-Net, say) is
    first padded by ``overlap`` pixels on every side by reflection,
    the way CLAHE itself pads, so that pixels at the border have context
    like every other pixel. An image up to ``tile`` pixels on each side is
    then padded to the next multiple of ``stride`` (a U-Net's
    :math:`2^\text{depth}`, ``UNetConfig.stride``) and run whole; a larger one is cut into
    overlapping ``tile`` x ``tile`` windows whose centres are stitched back
    (the ``overlap`` margins are dropped, so no seams from the zero padding
    at window borders). The output is cropped back to the input's size, so
    odd sizes come back unchanged.

    Args:
        image: uint8 or float in [0, 1]; (H, W), (H, W, 1) or (H, W, 3), with
            H, W at least ``stride``.
        model: a generator mapping (B, H, W, 1) in [0, 1] to the same shape;
            ``None`` loads :func:`stylegan_edu.pretrained.clahe_generator` (the GAN, seed 0).
        stride: a U-Net's inputs must have H and W multiples of it
            (``config.stride`` = :math:`2^\text{depth}`); ``None``: 16.
        tile: window size for large images (a multiple of ``stride``).
        overlap: context added around the image (by reflection) and margin
            dropped on each side of a window when stitching.
        batch_size: windows per forward pass.
        self_ensemble: a restoring tone-grid model only: average its outputs
            over the 8 flips and quarter turns of the photo.

    Returns:
        The enhanced image, same shape, dtype and range as ``image``.

    Raises:
        ValueError: for a non-image, more than 3 channels, or a side smaller
            than ``stride``.

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.models import UNetConfig, make_unet_generator
    >>> config = UNetConfig(base_filters=4, depth=2)
    >>> g = make_unet_generator(config)
    >>> enhance(np.zeros((37, 50), np.uint8), model=g, stride=config.stride).shape
    (37, 50)
    """
    a = _check_image(image)
    # every argument is checked, also those a tone-grid model does not use: a typo should not pass
    stride = 16 if stride is None else check_positive_int("stride", stride)
    check_positive_int("tile", tile, minimum=stride)
    if tile % stride:
        raise invalid("tile", f"a multiple of the model's stride {stride}", f"tile={tile}")
    check_positive_int("batch_size", batch_size)
    overlap = check_positive_int("overlap", overlap, minimum=0)
    check_bool("self_ensemble", self_ensemble)
    if not 0 <= 2 * overlap < tile:
        raise invalid("overlap", f"an integer in [0, {(tile - 1) // 2}]", f"overlap={overlap}")
    if model is None:
        from stylegan_edu.pretrained import clahe_generator

        model = clahe_generator()
    elif not callable(model):
        raise invalid("model", "None (the shipped generator) or a Keras model (B, h, w, 1) -> (B, h, w, 1)",
                      f"model of type {type(model).__name__}")
    from stylegan_edu.clahe.tone_grid import ToneGridEnhancer

    h, w = a.shape[:2]
    if self_ensemble and not (isinstance(model, ToneGridEnhancer) and model.config.restore_filters):
        raise invalid("self_ensemble", "False unless the model is a restoring tone-grid enhancer (clahe.RESTORE_CONFIG)",
                      "self_ensemble=True")
    if isinstance(model, ToneGridEnhancer):
        if min(h, w) < 2:
            raise invalid("image", "an image of at least 2 x 2 pixels", f"shape {a.shape}")

        repairs = model.config.restore_repairs

        def whole(y):  # (H, W) float64 in [0, 1]
            x = repair_stack(y, repairs) if repairs else np.asarray(y, np.float32)[:, :, None]  # (H, W, 1 + K)
            out = model(x[None], training=False, self_ensemble=self_ensemble)  # (1, H, W, 1)
            return np.clip(np.asarray(out, dtype=np.float64)[0, :, :, 0], 0.0, 1.0)

        return _apply_on_luminance(a, whole)
    if h < stride or w < stride:
        raise invalid("image", f"an image of at least {stride} x {stride} pixels (the model's stride)", f"shape {a.shape}")

    def run(batch):  # (B, h, w) float -> (B, h, w) float
        x = np.asarray(batch, np.float32)[..., None]  # (B, h, w, 1)
        y = model(x, training=False)
        return np.clip(np.asarray(y, dtype=np.float64)[..., 0], 0.0, 1.0)

    def fn(y):  # (H, W) float64 in [0, 1]
        H, W = y.shape
        if H <= tile and W <= tile:
            o = overlap
            ph, pw = -(H + 2 * o) % stride, -(W + 2 * o) % stride  # up to the next multiple of the stride
            mode = "reflect" if max(o + ph, o + pw) < min(H, W) else "symmetric"
            padded = np.pad(y, ((o, o + ph), (o, o + pw)), mode=mode)  # context all round, then to the stride
            return run(padded[None])[0, o : o + H, o : o + W]
        step = tile - 2 * overlap
        # reflect-pad by the overlap all round, and to a whole number of steps
        ny, nx = -(-H // step), -(-W // step)
        padded = np.pad(y, ((overlap, ny * step - H + overlap), (overlap, nx * step - W + overlap)), mode="reflect")
        corners = [(i * step, j * step) for i in range(ny) for j in range(nx)]
        out = np.zeros((ny * step, nx * step))
        for k in range(0, len(corners), batch_size):
            chunk = corners[k : k + batch_size]
            res = run([padded[r : r + tile, c : c + tile] for r, c in chunk])  # (b, tile, tile)
            for (r, c), win in zip(chunk, res):
                out[r : r + step, c : c + step] = win[overlap : overlap + step, overlap : overlap + step]
        return out[:H, :W]

    return _apply_on_luminance(a, fn)
