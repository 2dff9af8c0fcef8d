"""2-replica training equals 1-device training for the exact-likelihood families
(tests/exact_cases.py), through tests/_mirrored_check.py in its own process (the CPU must be
split into 2 logical devices before any TensorFlow op runs)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exact_cases import CASES

TESTS = Path(__file__).resolve().parent
RUN = ("import sys; sys.path.insert(0, {tests!r}); import _mirrored_check as check; import exact_cases; "
       "from family_cases import CASES; CASES.update(exact_cases.CASES); check.main(sorted(exact_cases.CASES))")


@pytest.fixture(scope="module")
def mirrored():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-c", RUN.format(tests=str(TESTS))], cwd=TESTS.parent, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(CASES))
def test_two_replicas_train_like_one_device(name, mirrored):
    result = mirrored[name]
    assert "error" not in result, result.get("error")
    assert result["max_abs_update"] > 1e-3  # the steps moved the weights...
    # ...by the same amounts on 2 replicas as on 1 device (float32 summation order aside);
    # the flows' dequantisation noise is drawn per replica from the global batch's draw.
    assert result["max_abs_diff"] < 1e-4 * result["max_abs_update"], result
