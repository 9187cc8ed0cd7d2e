"""Every keras.losses.Loss class round-trips through its config, Keras serialisation and a saved model."""

import keras
import numpy as np
import pytest

from stylegan_edu import losses

LOSSES = [
    losses.ContentLoss(content_reduction="mean", name="content"),
    losses.StyleLoss(reduction="sum"),
    losses.TotalVariationLoss(kind="l2"),
]
ALL_CLASSES = {type(l) for l in LOSSES}


def test_every_loss_class_is_covered():
    classes = {getattr(losses, n) for n in losses.__all__ if isinstance(getattr(losses, n), type) and issubclass(getattr(losses, n), keras.losses.Loss)}
    assert classes == ALL_CLASSES


def _inputs(loss):
    rng = np.random.default_rng(0)
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


# The functions the classes wrap, per image: the classes hold no second copy of the formulas.
FUNCTIONS = {
    losses.ContentLoss: lambda t, p: losses.content_loss(p, t, reduction="mean"),
    losses.StyleLoss: lambda t, p: losses.style_loss(p, losses.gram_matrix(t)),
    losses.TotalVariationLoss: lambda t, p: losses.total_variation_loss(p, kind="l2"),
}


@pytest.mark.parametrize("loss", LOSSES, ids=lambda l: type(l).__name__)
def test_per_image_values_are_the_functions(loss):
    y_true, y_pred = _inputs(loss)
    clone = type(loss).from_config({**loss.get_config(), "reduction": None})
    per_image = clone(y_true, y_pred).numpy()  # (B,)
    want = [float(FUNCTIONS[type(loss)](y_true[i : i + 1], y_pred[i : i + 1])) for i in range(len(y_true))]
    np.testing.assert_allclose(per_image, want, rtol=1e-5)
    assert float(loss(y_true, y_pred)) == pytest.approx(float(np.mean(want)) * (len(want) if loss.reduction == "sum" else 1), rel=1e-5)


def test_loss_trains_in_a_tf_function():
    import tensorflow as tf

    _, y_pred = _inputs(losses.TotalVariationLoss())
    image = tf.Variable(y_pred)
    loss = losses.TotalVariationLoss()

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            value = loss(image, image)
        image.assign_sub(0.01 * tape.gradient(value, image))
        return value

    first = float(step())
    assert float(step()) < first
