"""The exercise framework: :class:`Problem`, :class:`Result`, :class:`Incorrect`."""

import enum
import textwrap
import traceback


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
