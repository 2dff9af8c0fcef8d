"""Call SavedModels in a fresh process that cannot import zoo: the one place the tests check
that an export stands alone.

    outputs = call_without_zoo([Call(folder / "saved_model", "sample", {"n": np.int32(5), "seed": np.int32(3)})],
                               tmp_path)
    outputs[0]["x"]

One process serves every call of a test module (``import tensorflow`` costs seconds); each
SavedModel is loaded once; ``start_without_zoo`` starts that process and returns at once, so
the test process can work while it runs.  ``via="signature"`` calls ``loaded.signatures[name]``
(what TF Serving calls), ``via="function"`` the attribute ``loaded.<name>`` (what ``zoo.load``
calls).
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SCRIPT = r"""
import json, sys
sys.modules["zoo"] = None  # `import zoo` now fails: the SavedModel must stand alone
try:
    import zoo  # noqa: F401
    raise SystemExit("zoo was importable")
except ImportError:
    pass
import numpy as np
import tensorflow as tf

loaded = {}
for path, name, via, inputs, outputs in json.load(open(sys.argv[1])):
    model = loaded.setdefault(path, tf.saved_model.load(path))
    function = model.signatures[name] if via == "signature" else getattr(model, name)
    kwargs = {key: tf.constant(value) for key, value in np.load(inputs).items()}
    np.savez(outputs, **{key: value.numpy() for key, value in function(**kwargs).items()})
"""


@dataclasses.dataclass
class Call:
    """One call of a SavedModel: its folder, the signature (or function) name, its inputs."""

    saved_model: Path
    name: str
    inputs: dict
    via: str = "signature"


class Started:
    """``command`` started in the background; :meth:`finish` waits for it (at most ``timeout``
    seconds from the start) and gives its stdout, or fails with the end of its stderr.  Its
    output goes to files in ``workdir``: a pipe left unread would stall a chatty process."""

    def __init__(self, command: list[str], workdir: Path, timeout: int, **popen):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        with (self.workdir / "stdout.txt").open("w") as out, (self.workdir / "stderr.txt").open("w") as err:
            self.process = subprocess.Popen(command, stdout=out, stderr=err, text=True, **popen)
        self.deadline = time.monotonic() + timeout

    def finish(self) -> str:
        try:
            self.process.wait(timeout=max(self.deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        assert self.process.returncode == 0, (self.workdir / "stderr.txt").read_text()[-3000:]
        return (self.workdir / "stdout.txt").read_text()

    def stop(self):
        """End the process if it still runs (a test that needed it failed or was not run)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start_without_zoo(calls: list[Call], workdir: Path, timeout: int = 900):
    """:func:`call_without_zoo` started in the background: returns ``finish()``, which waits for
    the process and gives the outputs; the caller works meanwhile."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i, call in enumerate(calls):
        inputs, outputs = workdir / f"call-{i}.in.npz", workdir / f"call-{i}.out.npz"
        np.savez(inputs, **{key: np.asarray(value) for key, value in call.inputs.items()})
        jobs.append([os.fspath(call.saved_model), call.name, call.via, os.fspath(inputs), os.fspath(outputs)])
    (workdir / "calls.json").write_text(json.dumps(jobs))
    process = Started([sys.executable, "-c", SCRIPT, os.fspath(workdir / "calls.json")], workdir, timeout,
                      cwd=workdir, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})

    def outputs() -> list[dict]:
        try:
            process.finish()
        finally:
            process.stop()
        return [dict(np.load(job[-1])) for job in jobs]

    return outputs


def call_without_zoo(calls: list[Call], workdir: Path, timeout: int = 900) -> list[dict]:
    """The outputs (name -> array) of each call, run in one process where ``import zoo`` fails."""
    return start_without_zoo(calls, workdir, timeout)()
