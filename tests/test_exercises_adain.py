import numpy as np
import pytest

from stylegan_edu import style_statistics
from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import adain as ex


@pytest.mark.parametrize("problem", ex.PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert problem.hint().body and problem.solution().body


def test_adain_value_matches_the_package():
    x = np.array(ex.CONTENT_CHANNEL, np.float32).reshape(1, 2, 3, 1)  # (B, H, W, C)
    # A style map with exactly the asked mean and std: two values mean +- std.
    y = np.array([ex.STYLE_MEAN - ex.STYLE_STD, ex.STYLE_MEAN + ex.STYLE_STD], np.float32).reshape(1, 1, 2, 1)
    out = np.asarray(style_statistics.adain(x, y, epsilon=0.0))
    assert out[0, 1, 1, 0] == pytest.approx(ex.adain_value.reference, abs=1e-3)


@pytest.mark.parametrize(
    "answer,message",
    [(14.29, "N - 1"), (12.45, "variance"), (19.0, "skipped the division"), (1.567, "instance-normalised"),
     (20.97, "subtract the content channel's mean"), (3.0, "another value"), ("abc", "one number")],
)
def test_adain_value_rejects_typical_mistakes(answer, message):
    result = ex.adain_value.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def _gram_loss_and_mmds(seed=0):
    rng = np.random.default_rng(seed)
    f, s = rng.normal(size=(50, 4)), rng.normal(0.3, 1.2, size=(70, 4))  # samples (positions) x channels

    def mmd(k):
        return k(f, f).mean() + k(s, s).mean() - 2 * k(f, s).mean()

    gram = lambda a: a.T @ a / len(a)  # noqa: E731
    kernels = {"a": lambda a, b: a @ b.T, "b": lambda a, b: (a @ b.T) ** 2, "c": lambda a, b: (a @ b.T + 1) ** 2}
    return np.sum((gram(f) - gram(s)) ** 2), {key: mmd(k) for key, k in kernels.items()}, f, s


def test_style_kernel_answer_is_the_quadratic_kernel_numerically():
    gram_loss, mmds, f, s = _gram_loss_and_mmds()
    assert mmds["b"] == pytest.approx(gram_loss, rel=1e-10)
    assert mmds["a"] == pytest.approx(np.sum((f.mean(0) - s.mean(0)) ** 2), rel=1e-10)
    assert mmds["c"] == pytest.approx(gram_loss + 2 * mmds["a"], rel=1e-10)  # what the message for 'c' says
    assert ex.style_kernel.reference == "b"


@pytest.mark.parametrize("answer,message", [("a", "linear kernel"), ("c", "twice the mean loss"), ("d", "Gaussian"),
                                            ("e", "(received 'e')")])
def test_style_kernel_rejects_typical_mistakes(answer, message):
    result = ex.style_kernel.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_correlated_channels_answer_matches_the_package_layer():
    import keras

    from stylegan_edu.models import ModulatedConv2D

    layer = ModulatedConv2D(1, 1, use_bias=False, epsilon=0.0)
    x = np.random.default_rng(0).normal(size=(1, 64, 64, 1)).astype("float32")
    x4 = np.repeat(x, ex.NUM_CHANNELS, axis=-1)  # the same signal in every channel
    style = np.ones((1, ex.NUM_CHANNELS), "float32")
    layer.build([x4.shape, style.shape])
    layer.kernel.assign(np.full(layer.kernel.shape, np.sqrt(ex.NUM_CHANNELS), "float32"))  # effective w = 1
    y = np.asarray(layer([x4, style]))
    assert np.allclose(np.asarray(keras.ops.convert_to_numpy(layer.effective_kernel)), 1.0)
    assert y.std() / x.std() == pytest.approx(ex.correlated_channels.reference, rel=1e-4)


@pytest.mark.parametrize("answer,message", [(1.0, "in quadrature"), (4.0, "before demodulation"),
                                            (0.5, "coefficient d itself"), (3.0, "not quite")])
def test_correlated_channels_rejects_typical_mistakes(answer, message):
    result = ex.correlated_channels.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def _no_factor_two(x, y, bandwidth):
    k = lambda a, b: np.exp(-((a[:, None] - b[None]) ** 2).sum(-1) / (2 * bandwidth**2))  # noqa: E731
    return k(x, x).mean() + k(y, y).mean() - k(x, y).mean()


def _bandwidth_not_squared(x, y, bandwidth):
    k = lambda a, b: np.exp(-((a[:, None] - b[None]) ** 2).sum(-1) / (2 * bandwidth))  # noqa: E731
    return k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean()


def _loop_version(x, y, bandwidth):  # a correct, slow version: accepted
    k = lambda a, b: np.exp(-np.sum((a - b) ** 2) / (2 * bandwidth**2))  # noqa: E731
    mean = lambda p, q: np.mean([[k(a, b) for b in q] for a in p])  # noqa: E731
    return mean(x, x) + mean(y, y) - 2 * mean(x, y)


def test_gaussian_mmd_accepts_another_correct_implementation():
    assert ex.gaussian_mmd.check(_loop_version).outcome is Outcome.CORRECT


@pytest.mark.parametrize(
    "answer,message",
    [(ex._unbiased_gaussian_mmd, "unbiased"), (_no_factor_two, "factor 2"), (_bandwidth_not_squared, "squared"),
     (lambda x, y, b: None, "returned None"), (lambda x, y, b: "0.3", None), (3.0, "pass your function itself")],
)
def test_gaussian_mmd_rejects_typical_mistakes(answer, message):
    result = ex.gaussian_mmd.check(answer)
    assert result.outcome is Outcome.INCORRECT, result.message
    if message:
        assert message in result.message, result.message
