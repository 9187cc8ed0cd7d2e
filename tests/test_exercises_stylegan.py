"""Chapter 13's exercises: references accepted, typical mistakes named, answers checked against the package."""

import math

import numpy as np
import pytest

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import stylegan as ex
from stylegan_edu.models.stylegan import ModulatedConv2D


@pytest.mark.parametrize("problem", ex.PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert problem.hint().body and problem.solution().body


def test_demodulation_answer_is_what_the_layer_computes():
    layer = ModulatedConv2D(1, 1, seed=0)
    layer.build([(None, 4, 4, 3), (None, 3)])
    scale = float(np.asarray(layer.effective_kernel).ravel()[0] / np.asarray(layer.kernel).ravel()[0])
    layer.kernel.assign(np.array(ex.WEIGHTS, "float32").reshape(1, 1, 3, 1) / scale)
    d = float(np.asarray(layer.demodulation(np.array([ex.STYLE], "float32")))[0, 0])
    assert d == pytest.approx(ex.demodulation_coefficient.reference, abs=1e-4)


@pytest.mark.parametrize("answer,message", [
    (1 / 18, "square root"), (1 / 3, "without the style"), (1 / 4, "summed"), (math.sqrt(18), "inverse"), (0.5, "not quite"),
])
def test_demodulation_mistakes(answer, message):
    r = ex.demodulation_coefficient.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message, r.message


def test_truncation_zero_is_what_the_generator_does():
    from stylegan_edu import pretrained

    g = pretrained.stylegan_generator("fashion_mnist")
    x = np.asarray(g(np.random.default_rng(0).standard_normal((16, g.latent_dim)).astype("float32"), truncation_psi=0.0,
                     noise="const"))
    assert np.abs(x - x[:1]).max() == 0.0 and x.std() > 0.1  # one image, and not a blank one
    for wrong in "acd":
        assert ex.truncation_zero.check(wrong).outcome is Outcome.INCORRECT


@pytest.mark.parametrize("answer,message", [
    ([0, 1, 2, 6], "32 x 32"), ([4], "only"), ([7], "32 x 32"), ("01", "list of w indices"), ([9], "between 0 and 7"),
])
def test_class_swap_mistakes(answer, message):
    r = ex.class_swap_layers.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message, r.message


def test_class_swap_measures_the_claimed_contrast():
    coarse = ex.swap_change_rate([0, 1, 2], num_pairs=200)
    fine = ex.swap_change_rate([5, 6, 7], num_pairs=200)
    assert coarse >= ex.SWAP_MIN_CHANGE and fine < 0.2 and coarse >= 3 * fine
    assert ex.class_swap_layers.check([0, 1]).outcome is Outcome.CORRECT


def _lerp(a, b, t):
    t = np.asarray(t, float).reshape(-1, 1)
    return (1 - t) * a + t * b


def _unnormalised_slerp(a, b, t):
    from stylegan_edu.latent_space import slerp

    return 3.0 * slerp(a, b, t)


@pytest.mark.parametrize("answer,message", [(_lerp, "straight line"), (_unnormalised_slerp, "wrong length"),
                                            (lambda a, b, t: a[:, :3], "shape")])
def test_slerp_mistakes(answer, message):
    r = ex.my_slerp.check(answer)
    assert r.outcome is Outcome.INCORRECT and message in r.message, r.message
