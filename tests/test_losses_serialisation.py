"""Every keras.losses.Loss class round-trips through its config, Keras serialisation and a saved model."""

import keras
import numpy as np
import pytest

from stylegan_edu import losses

LOSSES = [
    losses.BinaryCrossEntropy(from_logits=True, name="bce"),
    losses.ContentLoss(reduction_kind="mean"),
    losses.StyleLoss(reduction="sum"),
    losses.TotalVariationLoss(kind="l2"),
]
MIXED = losses.MixedLoss(weights=losses.MixedLossWeights(content=0.5, style=3.0, tv=0.01), content_reduction="mean",
                         tv_kind="l2", style_layer_weights={"s": 1.0})
ALL_CLASSES = {type(l) for l in LOSSES} | {losses.MixedLoss}


def _mixed_inputs():
    rng = np.random.default_rng(1)
    f = lambda *s: rng.normal(size=s).astype("float32")  # noqa: E731
    y_pred = {"content": {"c": f(3, 4, 4, 2)}, "style": {"s": f(3, 4, 4, 5)}, "image": f(3, 6, 6, 3)}
    y_true = {"content": {"c": f(3, 4, 4, 2)}, "style": {"s": losses.gram_matrix(f(1, 4, 4, 5))}}
    return y_true, y_pred


def test_every_loss_class_is_covered():
    classes = {c for c in vars(losses).values() if isinstance(c, type) and issubclass(c, keras.losses.Loss)}
    assert classes == ALL_CLASSES


def _inputs(loss):
    rng = np.random.default_rng(0)
    if isinstance(loss, losses.BinaryCrossEntropy):
        return rng.integers(0, 2, size=(4, 3)).astype("float32"), rng.normal(size=(4, 3)).astype("float32")
    return rng.normal(size=(4, 6, 6, 3)).astype("float32"), rng.normal(size=(4, 6, 6, 3)).astype("float32")


@pytest.mark.parametrize("loss", LOSSES, ids=lambda l: type(l).__name__)
def test_config_round_trip(loss):
    config = loss.get_config()
    clone = type(loss).from_config(config)
    assert clone.get_config() == config
    y_true, y_pred = _inputs(loss)
    assert float(clone(y_true, y_pred)) == pytest.approx(float(loss(y_true, y_pred)), rel=1e-6)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda l: type(l).__name__)
def test_keras_serialisation_round_trip(loss):
    serialised = keras.saving.serialize_keras_object(loss)
    assert serialised["registered_name"] == f"stylegan_edu>{type(loss).__name__}"
    clone = keras.saving.deserialize_keras_object(serialised)
    assert type(clone) is type(loss) and clone.get_config() == loss.get_config()
    assert keras.losses.get(serialised).get_config() == loss.get_config()


@pytest.mark.parametrize("loss", LOSSES, ids=lambda l: type(l).__name__)
def test_saved_and_loaded_compiled_model(loss, tmp_path):
    y_true, y_pred = _inputs(loss)
    inputs = keras.Input(shape=y_pred.shape[1:])
    model = keras.Model(inputs, keras.layers.Dense(y_pred.shape[-1], kernel_initializer="ones")(inputs))
    model.compile(optimizer="sgd", loss=loss)
    before = model.evaluate(y_pred, y_true, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.loss) is type(loss) and loaded.loss.get_config() == loss.get_config()
    assert loaded.evaluate(y_pred, y_true, verbose=0) == pytest.approx(before, rel=1e-5)
    loaded.fit(y_pred, y_true, epochs=1, verbose=0)  # the loaded loss also trains (in a tf.function)


def test_mixed_loss_matches_function_and_round_trips(tmp_path):
    y_true, y_pred = _mixed_inputs()
    total, _ = losses.mixed_loss(y_pred["content"], y_true["content"], y_pred["style"], y_true["style"], y_pred["image"],
                                 weights=MIXED.weights_, content_reduction="mean", tv_kind="l2",
                                 style_layer_weights={"s": 1.0})
    assert float(MIXED(y_true, y_pred)) == pytest.approx(float(total), rel=1e-5)
    config = MIXED.get_config()
    assert config["weights"] == {"content": 0.5, "style": 3.0, "tv": 0.01}
    for clone in (losses.MixedLoss.from_config(config),
                  keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(MIXED))):
        assert type(clone) is losses.MixedLoss and clone.get_config() == config
        assert float(clone(y_true, y_pred)) == pytest.approx(float(total), rel=1e-5)
    # A compiled model keeps its MixedLoss through saving and loading.
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss=MIXED)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert type(loaded.loss) is losses.MixedLoss and loaded.loss.get_config() == config
    assert float(loaded.loss(y_true, y_pred)) == pytest.approx(float(total), rel=1e-5)


def test_mixed_loss_trains_in_a_tf_function():
    import tensorflow as tf

    y_true, y_pred = _mixed_inputs()
    image = tf.Variable(y_pred["image"])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            value = MIXED(y_true, {**y_pred, "image": image})
        grad = tape.gradient(value, image)
        image.assign_sub(0.01 * grad)
        return value

    first = float(step())
    assert float(step()) < first
