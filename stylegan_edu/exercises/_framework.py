"""The exercise framework: :class:`Problem`, :class:`MultipleChoice`, :class:`Result`, :class:`Incorrect`."""

import enum
import functools
import math
import numbers
import textwrap
import traceback

from stylegan_edu._validation import invalid


class Outcome(enum.Enum):
    """What a check found."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"


_ICONS = {Outcome.CORRECT: "✓ Correct", Outcome.INCORRECT: "✗ Incorrect", Outcome.NOT_ATTEMPTED: "○ Not attempted"}


class Blank:
    """The placeholder that a learner replaces with an answer (shown as ``____``)."""

    def __repr__(self):
        return "____"


____ = Blank()


class Incorrect(Exception):
    """Raised by a checker with the teaching message for a wrong answer."""


class Result:
    """The outcome of :meth:`Problem.check`, shown as one line in a notebook.

    Attributes:
        outcome: an :class:`Outcome`.
        message: the explanation shown to the learner.
    """

    def __init__(self, outcome, message):
        self.outcome = outcome
        self.message = message

    def __bool__(self):
        return self.outcome is Outcome.CORRECT

    def __repr__(self):
        return f"{_ICONS[self.outcome]}: {self.message}"


class _Text:
    """Text that a notebook shows as it is (used for hints and solutions)."""

    def __init__(self, title, body):
        self.title, self.body = title, textwrap.dedent(body).strip("\n")

    def __repr__(self):
        return f"{self.title}\n{self.body}"


def number(answer, kind=float, what="one number"):
    """``kind(answer)``, or :class:`Incorrect` saying "answer with one number, not 'abc'."

    Example:

    >>> number("2.5")
    2.5
    >>> number("two", int, "one integer")
    Traceback (most recent call last):
    ...
    stylegan_edu.exercises._framework.Incorrect: answer with one integer, not 'two'.
    >>> number(112.5, int, "one integer")
    Traceback (most recent call last):
    ...
    stylegan_edu.exercises._framework.Incorrect: answer with one integer, not 112.5: a count has no fractional part.
    """
    if isinstance(answer, bool):  # True is 1 to Python, but not an answer
        raise Incorrect(f"answer with {what}, not {answer!r}.")
    try:
        value = float(answer)
        if kind is int:
            if not value.is_integer():
                raise Incorrect(f"answer with {what}, not {answer!r}: a count has no fractional part.")
            return int(value)
        value = kind(answer)
    except (TypeError, ValueError, OverflowError):
        raise Incorrect(f"answer with {what}, not {answer!r}.") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise Incorrect(f"answer with {what}, not {answer!r}: it is not a finite number.")
    return value


def integers(answer, what):
    """A tuple of ints from a sequence, or :class:`Incorrect` (for a string, a non-sequence, or 15.5 in it).

    Example:

    >>> integers([1, 8.0, 8], "a shape")
    (1, 8, 8)
    >>> integers("188", "a shape")
    Traceback (most recent call last):
    ...
    stylegan_edu.exercises._framework.Incorrect: pass a shape, not '188'.
    """
    if isinstance(answer, (str, bytes)):
        raise Incorrect(f"pass {what}, not {answer!r}.")
    try:
        items = tuple(answer)
    except TypeError:
        raise Incorrect(f"pass {what}, not {answer!r}.") from None
    return tuple(number(v, int, what) for v in items)


def function(answer, name, returns=None, scalar=False):
    """Return ``answer`` if it is a function, or raise :class:`Incorrect` saying how to pass one.

    Args:
        answer: the learner's function.
        name: its name in the exercise, for the message.
        returns: what it should return ("a float"); when given, the returned
            function checks each result and raises :class:`Incorrect` for
            ``None`` or a string ("your function returned None; it should
            return a float").
        scalar: also require a result with exactly one number.

    Example:

    >>> function(3, "my_bce")
    Traceback (most recent call last):
    ...
    stylegan_edu.exercises._framework.Incorrect: pass your function itself, e.g. check(my_bce), not int.
    >>> function(lambda y, x: None, "my_bce", returns="a float")(1, 2)
    Traceback (most recent call last):
    ...
    stylegan_edu.exercises._framework.Incorrect: your function returned None; it should return a float. Did you forget the `return`?
    """
    if not callable(answer):
        raise Incorrect(f"pass your function itself, e.g. check({name}), not {type(answer).__name__}.")
    if returns is None:
        return answer

    @functools.wraps(answer)
    def checked(*args, **kwargs):
        out = answer(*args, **kwargs)
        if out is None:
            raise Incorrect(f"your function returned None; it should return {returns}. Did you forget the `return`?")
        if isinstance(out, (str, bytes)):
            raise Incorrect(f"your function returned a string, {out!r:.40}; it should return {returns}.")
        if scalar:
            import numpy as np

            try:
                arr = np.asarray(out, dtype=np.float64)
            except (TypeError, ValueError):
                raise Incorrect(f"your function returned {type(out).__name__}; it should return {returns}.") from None
            if arr.size != 1:
                raise Incorrect(f"your function returned an array of shape {arr.shape}; it should return {returns} "
                                "(reduce it to one number).")
        return out

    return checked


def _is_blank(answer):
    return answer is None or answer is Ellipsis or isinstance(answer, Blank)


class Problem:
    """One exercise: a prompt, a checker, a hint and a solution.

    Args:
        title: a short name, shown in messages.
        prompt: what the learner is asked to do.
        checker: ``checker(answer)``; returns normally if the answer is right
            and raises :class:`Incorrect` with a teaching message if not.
        hint: a nudge that does not give the answer away.
        solution: the solution, as text (code or prose).
        reference: the reference answer itself (a value or a function), so
            that tests can prove the checker accepts it.

    The learner calls ``problem.check(answer)``. A blank (``____``, ``None``
    or ``...``) or a function that raises ``NotImplementedError`` counts as
    not attempted. A function that raises anything else is incorrect, and the
    message says what it raised.
    """

    def __init__(self, title, prompt, checker, hint, solution, reference=None):
        for name, value in (("title", title), ("prompt", prompt)):
            if not isinstance(value, str) or not value:
                raise invalid(name, "a non-empty str", f"{name}={value!r}")
        if not callable(checker):
            raise invalid("checker", "a callable checker(answer) that raises Incorrect for a wrong answer",
                          f"checker of type {type(checker).__name__}")
        self.title = title
        self.prompt = textwrap.dedent(prompt).strip()
        self._checker = checker
        self._hint = hint
        self._solution = solution
        self.reference = reference

    def check(self, answer=____):
        """Check an answer. Returns a :class:`Result` that displays itself."""
        if _is_blank(answer):
            return Result(Outcome.NOT_ATTEMPTED, f"{self.title}. Replace the blank with your answer, then run the cell again.")
        try:
            self._checker(answer)
        except Incorrect as e:
            return Result(Outcome.INCORRECT, str(e))
        except NotImplementedError:
            return Result(Outcome.NOT_ATTEMPTED, f"{self.title}. Your function still raises NotImplementedError: fill in its body.")
        except Exception as e:  # the learner's code crashed: say where, do not crash the notebook
            last = traceback.extract_tb(e.__traceback__)[-1]
            return Result(
                Outcome.INCORRECT,
                f"your answer raised {type(e).__name__}: {e} (in {last.name}, line {last.lineno}).",
            )
        return Result(Outcome.CORRECT, f"{self.title}.")

    def hint(self):
        """Return the hint (it displays itself)."""
        return _Text(f"Hint ({self.title}):", self._hint)

    def solution(self):
        """Return the solution (it displays itself)."""
        return _Text(f"Solution ({self.title}):", self._solution)

    def __repr__(self):
        return f"{self.title}\n{self.prompt}"


def _either(keys):
    """``'a' or 'b'``; ``'a', 'b' or 'c'``; ``one of 'a', 'b', 'c', 'd'``."""
    quoted = [repr(k) for k in keys]
    if len(quoted) > 3:
        return "one of " + ", ".join(quoted)
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


class MultipleChoice(Problem):
    """A problem answered with one key among ``choices``; each wrong key gets its own teaching message.

    The answer is compared as ``str(answer).strip().lower()``, so ``" B "``
    counts as ``"b"``; anything else gets "answer 'a', 'b' or 'c' (received
    ...)".

    Args:
        title: a short name, shown in messages.
        prompt: the question (it lists the choices).
        choices: the keys (lower case), or a dict ``{key: text}``.
        answer: the right key; it is also the problem's ``reference``.
        wrong: ``{key: message}`` for every wrong key, or a function
            ``key -> message``.
        hint: a nudge that does not give the answer away.
        solution: the solution, as text.

    Example:

    >>> p = MultipleChoice("Parity", "Is 3 (a) even or (b) odd?", ("a", "b"), "b",
    ...                    {"a": "3 = 2 * 1 + 1 leaves a remainder."}, hint="Divide by 2.", solution="'b'")
    >>> p.check("A")
    ✗ Incorrect: 3 = 2 * 1 + 1 leaves a remainder.
    >>> p.check("c")
    ✗ Incorrect: answer 'a' or 'b' (received 'c').
    >>> p.check(" b ")
    ✓ Correct: Parity.
    """

    def __init__(self, title, prompt, choices, answer, wrong, hint, solution):
        if isinstance(choices, str) or not choices:  # "ab" would be the choices 'a' and 'b'
            raise invalid("choices", "a non-empty sequence of keys, or a dict {key: text}", f"choices={choices!r}")
        self.choices = dict(choices) if isinstance(choices, dict) else {key: key for key in choices}
        if answer not in self.choices:
            raise invalid("answer", f"one of the choices {list(self.choices)}", answer)
        if not callable(wrong) and set(wrong) != set(self.choices) - {answer}:
            raise invalid("wrong", "a message for each wrong choice, or a function", f"keys {sorted(wrong)}")
        self.answer, self._wrong = answer, wrong
        super().__init__(title, prompt, self._check_choice, hint, solution, reference=answer)

    def _check_choice(self, answer):
        key = str(answer).strip().lower()
        if key not in self.choices:
            raise Incorrect(f"answer {_either(self.choices)} (received {answer!r}).")
        if key != self.answer:
            raise Incorrect(self._wrong(key) if callable(self._wrong) else self._wrong[key])
