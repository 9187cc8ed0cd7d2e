"""Exercises of chapters 2 and 3: each checker accepts the reference and rejects typical mistakes."""

import numpy as np
import pytest

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import discriminator as exd
from stylegan_edu.exercises import generator as exg

ALL = exg.PROBLEMS + exd.PROBLEMS


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    result = problem.check(problem.reference)
    assert result.outcome is Outcome.CORRECT, result.message
    assert problem.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert problem.hint().body and problem.solution().body


def _incorrect(problem, answer, message):
    result = problem.check(answer)
    assert result.outcome is Outcome.INCORRECT, result.message
    assert message in result.message, result.message


def test_transpose_shape_matches_keras():
    keras = pytest.importorskip("keras")
    layer = keras.layers.Conv2DTranspose(filters=32, kernel_size=3, strides=2, padding="valid")
    assert tuple(layer(keras.ops.zeros((1, *exg.SHAPE_IN))).shape[1:]) == exg.transpose_shape.reference


@pytest.mark.parametrize(
    "answer, message",
    [
        ((14, 14, 32), "padding='same'"),
        ((15, 15, 64), "not the input's channels"),
        ((3, 3, 32), "ordinary (downsampling) Conv2D"),
        ((1, 15, 15, 32), "leave out the batch dimension"),
        ("15", "three numbers"),
    ],
)
def test_transpose_shape_rejects(answer, message):
    _incorrect(exg.transpose_shape, answer, message)


def _gen(activation, size=28, channels=1):
    keras = pytest.importorskip("keras")

    def build(latent_dim):
        z = keras.Input((latent_dim,))
        x = keras.layers.Dense(7 * 7 * 4)(z)
        x = keras.layers.Reshape((7, 7, 4))(x)
        x = keras.layers.Conv2DTranspose(4, 4, strides=2, padding="same", activation="relu")(x)
        x = keras.layers.Conv2DTranspose(channels, 4, strides=size // 14, padding="same", activation=activation)(x)
        return keras.Model(z, x)

    return build


@pytest.mark.parametrize(
    "answer, message",
    [
        (_gen(None), "leave [-1, 1]"),
        (_gen("sigmoid"), "never negative"),
        (_gen("tanh", size=14), "must be (3, 28, 28, 1)"),
        (_gen("tanh", channels=3), "must be (3, 28, 28, 1)"),
        (lambda latent_dim: "model", "not a keras.Model"),
    ],
)
def test_build_generator_rejects(answer, message):
    _incorrect(exg.build_generator, answer, message)


def test_build_generator_accepts_a_hand_written_one():
    assert exg.build_generator.check(_gen("tanh")).outcome is Outcome.CORRECT


def test_build_generator_rejects_a_model_instead_of_a_function():
    _incorrect(exg.build_generator, _gen("tanh")(100), "pass your *function*")


def test_count_params_matches_keras():
    keras = pytest.importorskip("keras")
    layer = keras.layers.Conv2DTranspose(filters=64, kernel_size=4, strides=2, padding="same")
    layer.build((None, *exg.COUNT_INPUT))
    assert layer.count_params() == exg.count_params.reference


@pytest.mark.parametrize(
    "answer, message",
    [
        (4 * 4 * 128 * 64, "not the bias"),
        (4 * 4 * 64 + 64, "for *each* of the 128 input channels"),
        (7 * 7 * 128 * 64 + 64, "does not depend on the image size"),
        (4 * 4 * 128 * 64 * 4 + 64, "the stride changes where"),
        ("many", "one integer"),
    ],
)
def test_count_params_rejects(answer, message):
    _incorrect(exg.count_params, answer, message)


def _slerp_normalised(z0, z1, t):
    a, b = z0 / np.linalg.norm(z0), z1 / np.linalg.norm(z1)
    om = np.arccos(np.dot(a, b))
    return (np.sin((1 - t) * om) * a + np.sin(t * om) * b) / np.sin(om)


def _slerp_swapped(z0, z1, t):
    om = np.arccos(np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1)))
    return (np.sin(t * om) * z0 + np.sin((1 - t) * om) * z1) / np.sin(om)


@pytest.mark.parametrize(
    "answer, message",
    [
        (lambda z0, z1, t: (1 - t) * z0 + t * z1, "that is linear interpolation"),
        (_slerp_normalised, "normalise the vectors"),
        (_slerp_swapped, "at t=0.0 slerp must return z0"),
        (lambda z0, z1, t: np.stack([z0, z1]), "returns shape (2, 100)"),
    ],
)
def test_slerp_rejects(answer, message):
    _incorrect(exg.slerp_problem, answer, message)


def test_slerp_solution_text_is_right():
    namespace = {"np": np}
    code = exg.slerp_problem.solution().body
    exec(code, namespace)  # the solution shown to learners passes its own checker
    assert exg.slerp_problem.check(namespace["my_slerp"]).outcome is Outcome.CORRECT


@pytest.mark.parametrize("answer, message", [("a", "numerical, not speed"), ("c", "from_logits=True"), ("d", "its own tanh"), ("e", "one of 'a'")])
def test_no_sigmoid_rejects(answer, message):
    _incorrect(exd.no_sigmoid, answer, message)


def test_no_sigmoid_claim_holds_in_float32():
    p = np.float32(1) / (np.float32(1) + np.exp(np.float32(-17)))
    assert p == np.float32(1.0)


def test_receptive_field_matches_package():
    keras = pytest.importorskip("keras")
    from stylegan_edu.models import receptive_field

    x = keras.Input((28, 28, 1))
    y = x
    for _, k, s in exd.STACK:
        y = keras.layers.Conv2D(1, k, strides=s, padding="same")(y)
    assert receptive_field(keras.Model(x, y))[-1][1] == exd.receptive_field_problem.reference


@pytest.mark.parametrize("answer, message", [(11, "ignores the strides"), (48, "not multiplication"), (10, "stopped early"), (28, "one output pixel sees a patch")])
def test_receptive_field_rejects(answer, message):
    _incorrect(exd.receptive_field_problem, answer, message)


def _acc_half(r, f):
    return (np.sum(r > 0.5) + np.sum(f <= 0.5)) / (r.size + f.size)


def _acc_mean_of_means(r, f):
    return (np.mean(r > 0) + np.mean(f <= 0)) / 2


@pytest.mark.parametrize(
    "answer, message",
    [
        (_acc_half, "thresholded at 0.5"),
        (_acc_mean_of_means, "averaged the two accuracies"),
        (lambda r, f: 1 - exd._reference_accuracy(r, f), "counted the mistakes"),
        (lambda r, f: np.mean(r > 0), "count both"),
    ],
)
def test_accuracy_rejects(answer, message):
    _incorrect(exd.accuracy_from_logits, answer, message)


def test_accuracy_reference_against_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=13), rng.normal(size=8)
    m = keras.metrics.BinaryAccuracy(threshold=0.0)
    m.update_state(np.r_[np.ones(13), np.zeros(8)][:, None], np.r_[real, fake][:, None])
    assert abs(float(m.result()) - exd._reference_accuracy(real, fake)) < 1e-6
