"""The exercise framework: Problem's outcomes, MultipleChoice, and the answer parsers."""

import importlib
import pkgutil

import pytest

import stylegan_edu.exercises as exercises
from stylegan_edu.exercises import Incorrect, MultipleChoice, Outcome, Problem, ____
from stylegan_edu.exercises._framework import function, number

CHOICE = MultipleChoice("Colour", "Is the sky (a) green, (b) blue or (c) red?", {"a": "green", "b": "blue", "c": "red"}, "b",
                        {"a": "that is the grass.", "c": "only at sunset."}, hint="Look up.", solution="'b'")


def test_multiple_choice_outcomes_and_messages():
    assert CHOICE.reference == "b" and CHOICE.check(" B ").outcome is Outcome.CORRECT
    assert CHOICE.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert repr(CHOICE.check("a")) == "✗ Incorrect: that is the grass."
    assert repr(CHOICE.check("z")) == "✗ Incorrect: answer 'a', 'b' or 'c' (received 'z')."
    assert repr(CHOICE.check(2)) == "✗ Incorrect: answer 'a', 'b' or 'c' (received 2)."


@pytest.mark.parametrize("keys,listed", [(("a", "b"), "'a' or 'b'"), (("a", "b", "c", "d"), "one of 'a', 'b', 'c', 'd'")])
def test_multiple_choice_lists_the_keys(keys, listed):
    p = MultipleChoice("t", "p", keys, "a", lambda key: f"not {key}", hint="h", solution="s")
    assert p.check("x").message == f"answer {listed} (received 'x')."
    assert p.check(keys[-1]).message == f"not {keys[-1]}"  # messages from a function


def test_multiple_choice_rejects_inconsistent_definitions():
    with pytest.raises(ValueError, match="`answer`"):
        MultipleChoice("t", "p", ("a", "b"), "c", {"a": "x"}, hint="h", solution="s")
    with pytest.raises(ValueError, match="`wrong`"):
        MultipleChoice("t", "p", ("a", "b", "c"), "a", {"b": "x"}, hint="h", solution="s")  # no message for 'c'


def test_answer_parsers():
    assert number("3.5") == 3.5 and number(7.0, int) == 7 and number("7", int) == 7
    with pytest.raises(Incorrect, match=r"^answer with one integer, not 7\.9: a count has no fractional part\.$"):
        number(7.9, int, "one integer")  # int(7.9) would truncate 7.9 to a plausible 7 (issue 18)
    with pytest.raises(Incorrect, match=r"^answer with one integer, the side, not 'x'\.$"):
        number("x", int, "one integer, the side")
    assert function(len, "f") is len
    with pytest.raises(Incorrect, match=r"^pass your function itself, e\.g\. check\(my_f\), not list\.$"):
        function([], "my_f")


def test_every_single_choice_problem_uses_multiple_choice():
    """A Problem whose reference is a short lower-case key is a multiple choice: one type for all of them."""
    for info in pkgutil.iter_modules(exercises.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"stylegan_edu.exercises.{info.name}")
        for problem in module.PROBLEMS:
            if isinstance(problem.reference, str):
                assert isinstance(problem, MultipleChoice), f"{info.name}: {problem.title}"
            assert isinstance(problem, Problem)
