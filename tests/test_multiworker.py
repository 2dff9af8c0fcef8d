"""Two MultiWorkerMirroredStrategy workers on 127.0.0.1 run the same recipe command: both
finish with identical weights and only the chief writes the export."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_agree_and_the_chief_exports(tmp_path):
    import keras

    import zoo.families  # noqa: F401  (registers the families)

    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    out = tmp_path / "exports"
    processes = []
    for index in range(2):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_NUM_INTRAOP_THREADS": "1",
               "TF_CONFIG": json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})}
        command = [sys.executable, "-m", "recipes.train", "gan-ring8", "--strategy", "multiworker",
                   "--seeds", "1", "--steps", "4", "--steps-per-epoch", "2", "--batch-size", "32",
                   "--run-dir", str(tmp_path / f"run-{index}"), "--out", str(out), "--verbose", "0"]
        processes.append(subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
    logs = []
    for process in processes:
        try:
            logs.append(process.communicate(timeout=600)[0])
        finally:
            process.kill()
    for index, (process, log) in enumerate(zip(processes, logs)):
        assert process.returncode == 0, f"worker {index}:\n{log[-3000:]}"
    assert "strategy multiworker (2 replica(s))" in logs[0]

    models = [keras.saving.load_model(tmp_path / f"run-{i}" / "seed-0" / "model.keras") for i in range(2)]
    # What the all-reduce keeps in sync: every trainable weight, every player's optimizer
    # state and the noise stream.  (BatchNorm moving statistics are updated from each
    # worker's own rows, as in any tf.distribute model without synchronized BatchNorm; the
    # chief's go into the export.)
    synced = [[np.asarray(v) for v in m.trainable_weights + m.g_optimizer.variables + m.d_optimizer.variables]
              + [m.seed_generator.state.numpy()] for m in models]
    for a, b in zip(*synced):
        np.testing.assert_array_equal(a, b)
    assert int(models[0].g_optimizer.iterations.numpy()) == 4
    from recipes import get_recipe

    initial = get_recipe("gan-ring8").build(0).trainable_weights  # what both started from
    assert max(float(np.max(np.abs(np.asarray(a) - b))) for a, b in zip(initial, synced[0])) > 1e-5
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock")) == ["gan-ring8"]  # no .partial left over
    assert "export written" in logs[0] and "export written" not in logs[1]
    card = json.loads((out / "gan-ring8" / "card.json").read_text())
    assert card["steps"] == 4
