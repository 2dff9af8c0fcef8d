"""zoo.distribute: strategies from names, the chief, the global batch.

That 2 replicas train every family as 1 device does is part of the family contract:
tests/test_contract.py (through tests/_mirrored_check.py).
"""
import json

import pytest

from zoo import distribute


# --------------------------------------------------------------------------- names
def test_auto_is_one_device_here(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.delenv("TPU_NAME", raising=False)
    monkeypatch.delenv("COLAB_TPU_ADDR", raising=False)
    assert distribute.resolve_name("auto") == "default"
    assert distribute.get_strategy("auto").num_replicas_in_sync == 1
    assert distribute.get_strategy("one").num_replicas_in_sync == 1


def test_auto_picks_multiworker_from_tf_config(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["a:1", "b:2"]},
                                                "task": {"type": "worker", "index": 1}}))
    assert distribute.resolve_name("auto") == "multiworker"
    assert distribute.task() == ("worker", 1)
    assert not distribute.is_chief()


@pytest.mark.parametrize("cluster,task,chief", [
    ({"worker": ["a:1", "b:2"]}, {"type": "worker", "index": 0}, True),
    ({"chief": ["c:0"], "worker": ["a:1"]}, {"type": "worker", "index": 0}, False),
    ({"chief": ["c:0"], "worker": ["a:1"]}, {"type": "chief", "index": 0}, True),
])
def test_chief_is_the_chief_task_or_worker_zero(monkeypatch, cluster, task, chief):
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": task}))
    assert distribute.is_chief() is chief


def test_errors_say_what_to_do(monkeypatch):
    with pytest.raises(ValueError, match="Received: strategy='gpus'"):
        distribute.resolve_name("gpus")
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="TF_CONFIG"):
        distribute.get_strategy("multiworker")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="must be JSON"):
        distribute.cluster_spec()


def test_global_batch_must_split_evenly():
    class TwoReplicas:
        num_replicas_in_sync = 2

    assert distribute.replica_batch_size(64, TwoReplicas()) == 32
    with pytest.raises(ValueError, match="multiple of the 2 replicas.*batch_size=63"):
        distribute.replica_batch_size(63, TwoReplicas())
