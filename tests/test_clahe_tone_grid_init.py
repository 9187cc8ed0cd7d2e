"""The tone grid's dead-initialisation guard: a curve network whose rises are all cut by the ReLU cannot learn."""

import dataclasses

import keras
import numpy as np

from stylegan_edu import clahe as C
from stylegan_edu.clahe.tone_grid import ToneGridEnhancer


def _first_draw(seed):
    keras.utils.set_random_seed(seed)
    model = ToneGridEnhancer(dataclasses.replace(C.TONE_GRID_CONFIG, seed=seed))
    model.build((None, None, None, 1))
    return model


def test_dead_draws_are_detected():
    """Seed 2's first draw cuts (nearly) every rise of realistic histograms; seeds 0 and 1 do not."""
    assert _first_draw(2).tone_grid.curves.is_dead()
    assert not _first_draw(0).tone_grid.curves.is_dead() and not _first_draw(1).tone_grid.curves.is_dead()
    net = _first_draw(0).tone_grid.curves
    probe = np.random.default_rng(0).dirichlet(np.ones(C.TONE_GRID_CONFIG.bins), size=4).astype("float32")
    assert np.mean(np.asarray(net.rise_logits(probe)) > 0) > 0.1  # an independent look at the same criterion


def test_make_tone_grid_enhancer_redraws_dead_weights_and_keeps_live_ones():
    for seed in (0, 1):  # alive at the first draw: the same weights as without the guard
        built = C.make_tone_grid_enhancer(dataclasses.replace(C.TONE_GRID_CONFIG, seed=seed))
        first = _first_draw(seed)
        assert not first.tone_grid.curves.is_dead()
        assert all(np.array_equal(a, b) for a, b in zip(built.get_weights(), first.get_weights()))
    redrawn = C.make_tone_grid_enhancer(dataclasses.replace(C.TONE_GRID_CONFIG, seed=2))
    assert not redrawn.tone_grid.curves.is_dead()
    assert not all(np.array_equal(a, b) for a, b in zip(redrawn.get_weights(), _first_draw(2).get_weights()))
