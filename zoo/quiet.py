"""Keep TensorFlow's C++ start-up lines off the user's terminal, unless the user asks for them.

Importing TensorFlow writes "All log messages before absl::InitializeLog() ...", oneDNN and
"Could not find cuda drivers" lines to file descriptor 2 before ``TF_CPP_MIN_LOG_LEVEL`` is
read, and the first op on a machine without a GPU logs ``E0000 ... failed call to cuInit``.
The first are silenced by pointing descriptor 2 elsewhere during the import, the second by the
level.  A user who sets ``TF_CPP_MIN_LOG_LEVEL`` (``0`` shows everything) keeps full control:
then nothing here is done.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile

QUIET_LEVEL = "3"  # errors too: cuInit's "E0000" on every CPU-only machine is one


@contextlib.contextmanager
def stderr_captured():
    """File descriptor 2 (C++ writes there directly, past ``sys.stderr``) into a temporary
    file; yields a function that returns what was written so far."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)

        def read() -> str:
            captured.seek(0)
            return captured.read().decode(errors="replace")

        try:
            yield read
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def import_tensorflow() -> None:
    """Import TensorFlow and Keras quietly, unless the user set ``TF_CPP_MIN_LOG_LEVEL`` or
    TensorFlow is already imported (then its start-up lines are already out)."""
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ or "tensorflow" in sys.modules:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = QUIET_LEVEL
    failure, log = None, ""
    with stderr_captured() as captured:
        try:
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
        except BaseException as error:  # a broken install: its C++ lines may say why
            failure, log = error, captured()
    if failure is not None:
        sys.stderr.write(log)
        raise failure
