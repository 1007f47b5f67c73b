"""The events features tell each other about. The emitter knows none of its receivers.

Each signal is sent inside the transaction that records the event, once per event; receivers add
their rows (an LTI score, a certificate) to the same transaction and queue their network work to
the worker, which runs it once that transaction commits.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# A learner completed a module: ``module_completed.send(user, module=…, at=…)``.
module_completed = signals.signal("module-completed")

# A learner completed a course, once and for good:
# ``course_completed.send(user, course=…, completion=…)``.
course_completed = signals.signal("course-completed")
