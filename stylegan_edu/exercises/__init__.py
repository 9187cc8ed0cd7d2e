"""Exercises with checkers, in the style of Kaggle Learn.

Each chapter's exercises live in a module named by concept
(``stylegan_edu.exercises.cross_entropy``, ...). A :class:`Problem` checks an
answer that the learner passes explicitly; nothing reads notebook globals.

Example:

>>> from stylegan_edu.exercises import Problem, Incorrect
>>> def checker(answer):
...     if answer != 4:
...         raise Incorrect(f"2 + 2 is not {answer!r}: count again.")
>>> p = Problem("Addition", "What is 2 + 2?", checker, hint="Use your fingers.", solution="4", reference=4)
>>> p.check()
○ Not attempted: Addition. Replace the blank with your answer, then run the cell again.
>>> p.check(5)
✗ Incorrect: 2 + 2 is not 5: count again.
>>> p.check(4)
✓ Correct: Addition.
"""

from stylegan_edu.exercises._framework import Blank, Incorrect, MultipleChoice, Outcome, Problem, Result, ____

__all__ = ["Blank", "Incorrect", "MultipleChoice", "Outcome", "Problem", "Result", "____"]
