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
    layer = keras.layers.Conv2DTranspose(filters=32, kernel_size=5, strides=2, padding="same")
    layer.build((None, *exg.COUNT_INPUT))
    assert layer.count_params() == exg.count_params.reference
    assert exg.COUNT_LAYER == "Conv2DTranspose(filters=32, kernel_size=5, strides=2, padding='same')"


@pytest.mark.parametrize(
    "answer, message",
    [
        (5 * 5 * 64 * 32, "not the bias"),
        (5 * 5 * 32 + 32, "for *each* of the 64 input channels"),
        (14 * 14 * 64 * 32 + 32, "does not depend on the image size"),
        (5 * 5 * 64 * 32 * 4 + 32, "the stride changes where"),
        (5 * 5 * 64 * 32 + 64, "not 64"),
        (131_136, "is not it"),  # the answer of the layer the chapter prints
        ("many", "one integer"),
    ],
)
def test_count_params_rejects(answer, message):
    _incorrect(exg.count_params, answer, message)


def _trunc_clip(n, d, t, seed):
    return np.clip(np.random.default_rng(seed).standard_normal((n, d)), -t, t)


def _trunc_once(n, d, t, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, d))
    mask = np.abs(z) > t
    z[mask] = rng.standard_normal(int(mask.sum()))  # one redraw only
    return z


def _trunc_uniform(n, d, t, seed):
    return np.random.default_rng(seed).uniform(-t, t, (n, d))


def _trunc_rescaled(n, d, t, seed):
    z = np.random.default_rng(seed).standard_normal((n, d))
    return z * t / np.abs(z).max(axis=1, keepdims=True)


def _trunc_whole_vectors(n, d, t, seed):  # rejecting whole vectors gives the same distribution: right too
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        z = rng.standard_normal((4 * n, d))
        out.extend(z[np.all(np.abs(z) <= t, axis=1)])
    return np.array(out[:n])


@pytest.mark.parametrize(
    "answer, message",
    [
        (_trunc_clip, "that is np.clip"),
        (_trunc_once, "Repeat the redraw"),
        (_trunc_uniform, "look uniform"),
        (_trunc_rescaled, "rescaled each vector"),
        (lambda n, d, t, seed: exg._reference_truncated_latent(n, d, t, seed) * 0.8, "rescale z instead"),
        (lambda n, d, t, seed: np.abs(exg._reference_truncated_latent(n, d, t, seed)), "keep the signs"),
        (lambda n, d, t, seed: exg._reference_truncated_latent(n, d, t, 0), "use the seed argument"),
        (lambda n, d, t, seed: exg._reference_truncated_latent(n, d, t, None), "gave different vectors"),
        (lambda n, d, t, seed: exg._reference_truncated_latent(n, d, t, seed)[:, :2], "expected (4000, 16)"),
    ],
)
def test_truncation_rejects(answer, message):
    _incorrect(exg.truncation_problem, answer, message)


def test_truncation_accepts_rejecting_whole_vectors():
    assert exg.truncation_problem.check(_trunc_whole_vectors).outcome is Outcome.CORRECT


def test_truncation_reference_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    z = exg._reference_truncated_latent(2000, 8, exg.TRUNCATION, 3).ravel()
    assert stats.kstest(z, stats.truncnorm(-exg.TRUNCATION, exg.TRUNCATION).cdf).pvalue > 0.01
    assert abs(exg._truncated_normal_std(exg.TRUNCATION) - stats.truncnorm(-1.5, 1.5).std()) < 1e-12


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

    x = keras.Input((64, 64, 1))
    y = x
    for kind, k, s in exd.STACK:
        layer = keras.layers.Conv2D(1, k, strides=s, padding="same") if kind == "Conv2D" else \
            keras.layers.MaxPooling2D(k, strides=s, padding="same")
        y = layer(y)
    assert receptive_field(keras.Model(x, y))[-1][1] == exd.receptive_field_problem.reference


def test_receptive_field_is_not_the_chapter_s_patchgan():
    # The chapter prints the PatchGAN's 18 x 18; the exercise's stack must not have that answer.
    assert exd.receptive_field_problem.reference != 18


@pytest.mark.parametrize(
    "answer, message",
    [
        (17, "the pooling layer counts too"),
        (41, "before adding that layer's span"),
        (10, "ignores the strides"),
        (90, "not multiplication"),
        (13, "stopped early"),
        (28, "is not it"),
        ("29 pixels", "one integer"),
    ],
)
def test_receptive_field_rejects(answer, message):
    _incorrect(exd.receptive_field_problem, answer, message)


def _acc_at_p(r, f, p):  # compares logits with the probability p
    return (np.sum(r > p) + np.sum(f <= p)) / (r.size + f.size)


def _acc_ignores_p(r, f, p):  # the chapter's d_accuracy, re-typed
    return (np.sum(r > 0) + np.sum(f <= 0)) / (r.size + f.size)


def _acc_two_thresholds(r, f, p):
    t = np.log(p / (1 - p))
    return (np.sum(r > t) + np.sum(f < -t)) / (r.size + f.size)


def _acc_mean_of_means(r, f, p):
    t = np.log(p / (1 - p))
    return (np.mean(r > t) + np.mean(f <= t)) / 2


def _acc_with_sigmoid(r, f, p):  # comparing probabilities is right too
    sig = lambda v: 1 / (1 + np.exp(-v.astype(np.float64)))  # noqa: E731
    return (np.sum(sig(r) > p) + np.sum(sig(f) <= p)) / (r.size + f.size)


@pytest.mark.parametrize(
    "answer, message",
    [
        (_acc_at_p, "compared the logits with p itself"),
        (_acc_ignores_p, "usual threshold (logit 0)"),
        (_acc_two_thresholds, "one threshold"),
        (_acc_mean_of_means, "averaged the two accuracies"),
        (lambda r, f, p: 1 - exd._reference_accuracy(r, f, p), "counted the mistakes"),
        (lambda r, f: 0.5, "TypeError"),
    ],
)
def test_accuracy_at_confidence_rejects(answer, message):
    _incorrect(exd.accuracy_at_confidence, answer, message)


def test_accuracy_at_confidence_accepts_the_sigmoid_form():
    assert exd.accuracy_at_confidence.check(_acc_with_sigmoid).outcome is Outcome.CORRECT


def test_accuracy_reference_against_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=13), rng.normal(size=8)
    for p in (0.5, 0.8):
        m = keras.metrics.BinaryAccuracy(threshold=p)
        probs = 1 / (1 + np.exp(-np.r_[real, fake]))
        m.update_state(np.r_[np.ones(13), np.zeros(8)][:, None], probs[:, None])
        assert abs(float(m.result()) - exd._reference_accuracy(real, fake, p)) < 1e-6


def test_hinge_reference_against_an_independent_formula():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=7) * 2, rng.normal(size=3) * 2
    want = sum(max(0.0, 1 - v) for v in real) / 7 + sum(max(0.0, 1 + v) for v in fake) / 3
    assert abs(exd._reference_hinge(real, fake) - want) < 1e-12


@pytest.mark.parametrize(
    "answer, message",
    [
        (lambda r, f: exd._reference_hinge(-r, -f), "signs are swapped"),
        (lambda r, f: np.mean(1 - r) + np.mean(1 + f), "without the max(0, .)"),
        (lambda r, f: np.mean(np.concatenate([np.maximum(0, 1 - r), np.maximum(0, 1 + f)])), "averaged over all 10"),
        (lambda r, f: np.sum(np.maximum(0, 1 - r)) + np.sum(np.maximum(0, 1 + f)), "that is the sum"),
        (lambda r, f: np.mean(np.maximum(0, -r)) + np.mean(np.maximum(0, f)), "margin of 1"),
        (lambda r, f: np.maximum(0, 1 - r), "reduce it to one number"),
    ],
)
def test_hinge_loss_rejects(answer, message):
    _incorrect(exd.hinge_loss, answer, message)


def test_hinge_solution_text_is_right():
    namespace = {"np": np}
    exec(exd.hinge_loss.solution().body.split("\nOnly real")[0], namespace)  # the code part of the solution
    assert exd.hinge_loss.check(namespace["d_hinge_loss"]).outcome is Outcome.CORRECT
