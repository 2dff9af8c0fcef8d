"""Call SavedModels in a fresh process that cannot import zoo: the one place the tests check
that an export stands alone.

    outputs = call_without_zoo([Call(folder / "saved_model", "sample", {"n": np.int32(5), "seed": np.int32(3)})],
                               tmp_path)
    outputs[0]["x"]

One process serves every call of a test module (``import tensorflow`` costs seconds); each
SavedModel is loaded once.  ``via="signature"`` calls ``loaded.signatures[name]`` (what TF
Serving calls), ``via="function"`` the attribute ``loaded.<name>`` (what ``zoo.load`` calls).
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
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


def call_without_zoo(calls: list[Call], workdir: Path, timeout: int = 900) -> list[dict]:
    """The outputs (name -> array) of each call, run in one process where ``import zoo`` fails."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i, call in enumerate(calls):
        inputs, outputs = workdir / f"call-{i}.in.npz", workdir / f"call-{i}.out.npz"
        np.savez(inputs, **{key: np.asarray(value) for key, value in call.inputs.items()})
        jobs.append([os.fspath(call.saved_model), call.name, call.via, os.fspath(inputs), os.fspath(outputs)])
    (workdir / "calls.json").write_text(json.dumps(jobs))
    done = subprocess.run([sys.executable, "-c", SCRIPT, os.fspath(workdir / "calls.json")], cwd=workdir,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    return [dict(np.load(job[-1])) for job in jobs]
