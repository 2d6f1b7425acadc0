"""What the student file announces; it knows nobody who listens.

Each signal is sent by a service of students/services.py inside its transaction, so what the apps
above do in answer commits or rolls back with its cause. The apps above connect their receivers in
their AppConfig.ready() (`grep -rn lesson_taught` finds the sender and every reaction). A signal is
sent with `send`, not `send_robust`: a receiver that raises (a ValidationError, a PermissionDenied)
stops the service as its own check would.

Receivers of one signal run in the order their apps are listed in INSTALLED_APPS (handover before
retention); each app connects one receiver per signal that calls its own steps in order.

This module imports no models: an app's apps.py imports it at the top.
"""

from django.dispatch import Signal

# A further contract of a student already in the file was entered; sent with contract=, actor=.
contract_renewed = Signal()

# A contract's details were corrected (a typo put right); sent with contract=, actor=, changes= (the
# names of the fields that changed: "hours", "unit_price", "amount", "number", ...) after the
# student's hours were recounted.
contract_corrected = Signal()

# The student got a learning manager, or moved to another; sent with student=, actor=, old_manager_id=
# (None: the student had none, e.g. a new contract's student) after the student's open deadlines moved.
student_assigned = Signal()

# Lessons were booked on the schedule; sent with student=, lessons=, actor=.
lessons_scheduled = Signal()

# A lesson still to come is about to move to `starts_at` (nothing is written yet); sent with lesson=,
# starts_at=, actor=. A receiver refuses the move by raising ValidationError.
lesson_moving = Signal()

# A lesson still to come moved, or changed its teacher or classroom; sent with lesson=, actor=,
# changes= (the names among "time", "teacher", "classroom").
lesson_changed = Signal()

# A lesson was marked absent; sent with lesson=, actor=.
lesson_missed = Signal()

# The student's first lesson was marked done: the student is taught, no longer handed over; sent with
# lesson=, actor= before the student's "active" event and the lesson's "done" event are written.
first_lesson_taught = Signal()

# Any lesson was marked done (after first_lesson_taught, for the first); sent with lesson=, actor=.
lesson_taught = Signal()

# A document entered the student's file; sent with document=, actor=.
document_added = Signal()
