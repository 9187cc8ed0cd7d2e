"""Bad input to the perceptual losses raises ValueError in the Keras template."""

import numpy as np
import pytest

from stylegan_edu import losses

TEMPLATE = r"Invalid value for argument `{}`\. Expected .*\. Received: "


def _x(*shape):
    return np.random.default_rng(0).normal(size=shape).astype("float32")


def _nan(*shape):
    x = _x(*shape)
    x.flat[0] = np.nan
    return x


@pytest.mark.parametrize(
    "call,argument",
    [
        # mismatched shapes
        (lambda: losses.content_loss(_x(1, 4, 4, 3), _x(1, 4, 4, 2)), "target_features"),
        (lambda: losses.ContentLoss()(_x(2, 3), _x(2, 4)), "y_pred"),
        (lambda: losses.ContentLoss(content_reduction="max"), "content_reduction"),
        (lambda: losses.style_loss(_x(1, 4, 4, 3), losses.gram_matrix(_x(1, 4, 4, 2))), "target_grams['features']"),
        (lambda: losses.style_loss({"a": _x(1, 4, 4, 3)}, {"b": _x(1, 3, 3)}), "target_grams"),
        (lambda: losses.StyleLoss()(_x(1, 4, 4, 2), _x(1, 4, 4, 3)), "y_pred"),
        (lambda: losses.mixed_loss({"a": _x(1, 2, 2, 1)}, {"b": _x(1, 2, 2, 1)}), "content_targets"),
        # wrong rank
        (lambda: losses.gram_matrix(_x(4, 4, 3)), "features"),
        (lambda: losses.total_variation_loss(_x(4, 4)), "images"),
        (lambda: losses.total_variation_map(_x(1, 1, 4, 4, 1)), "images"),
        (lambda: losses.TotalVariationLoss()(_x(4, 4, 1), _x(4, 4, 1)), "y_pred"),
        (lambda: losses.StyleLoss()(_x(4, 4, 3), _x(4, 4, 3)), "y_pred"),
        (lambda: losses.style_loss(_x(1, 4, 4, 3), _x(3, 3)), "target_grams['features']"),
        # non-finite values
        (lambda: losses.total_variation_loss(_nan(1, 4, 4, 1)), "images"),
        (lambda: losses.TotalVariationLoss()(_x(1, 4, 4, 1), _nan(1, 4, 4, 1)), "y_pred"),
        (lambda: losses.content_loss(_x(1, 2, 2, 1), _nan(1, 2, 2, 1)), "target_features"),
        (lambda: losses.ContentLoss()(_x(2, 3), _nan(2, 3)), "y_pred"),
        (lambda: losses.gram_matrix(_nan(1, 2, 2, 3)), "features"),
        (lambda: losses.mixed_loss(images=_nan(1, 4, 4, 3)), "images"),
        # negative (or non-finite) weights
        (lambda: losses.MixedLossWeights(style=-1.0), "style"),
        (lambda: losses.MixedLossWeights(tv=float("inf")), "tv"),
        (lambda: losses.MixedLossWeights(content=float("nan")), "content"),
        (lambda: losses.style_loss({"a": _x(1, 2, 2, 3)}, {"a": _x(1, 3, 3)}, {"a": -0.5}), "layer_weights['a']"),
        (lambda: losses.style_loss({"a": _x(1, 2, 2, 3)}, {"a": _x(1, 3, 3)}, {"z": 1.0}), "layer_weights"),
        # bad choices and types
        (lambda: losses.total_variation_loss(_x(1, 4, 4, 1), kind="l3"), "kind"),
        (lambda: losses.TotalVariationLoss(kind="L1"), "kind"),
        (lambda: losses.content_loss(_x(1, 2), _x(1, 2), reduction="max"), "reduction"),
        (lambda: losses.mixed_loss(images=_x(1, 4, 4, 3), weights=(1, 100, 1e-6)), "weights"),
        (lambda: losses.mixed_loss(images=_x(1, 4, 4, 3), tv_kind="tv"), "tv_kind"),
    ],
)
def test_raises_keras_style_value_error(call, argument):
    import re

    with pytest.raises(ValueError, match=TEMPLATE.format(re.escape(argument))):
        call()


def test_messages_say_what_was_received():
    with pytest.raises(ValueError, match=r"Received: 1 non-finite value\(s\) out of 16"):
        losses.total_variation_loss(_nan(1, 4, 4, 1))
    with pytest.raises(ValueError, match=r"Expected a rank-4 tensor \(B, H, W, C\) or \(H, W, C\)\. Received: shape \(4, 4\)"):
        losses.total_variation_loss(_x(4, 4))
    with pytest.raises(ValueError, match=r"Expected a float in \[0\.0, inf\]\. Received: style=-1\.0"):
        losses.MixedLossWeights(style=-1.0)
