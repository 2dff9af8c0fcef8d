"""Exports without TensorFlow, for the tests of the folder machinery (test_faults.py,
test_distribution.py): the files an export's card must list, holding a label and padding.

Run as a script, ``python _fake_export.py ROOT NAME STEP [fallback]`` writes ``<root>/<name>``
with the label ``new`` and SIGKILLs itself right after the ``STEP``-th call that changes the
file system (rename, replace, exchange, rmtree); ``fallback`` swaps without RENAME_EXCHANGE.
``python _fake_export.py ROOT NAME loop N`` re-exports the name N times, labels a and b in turn.
"""
import os
import shutil
import signal
import sys
from pathlib import Path

import zoo
from zoo.exports import write_folder

FILES = ("saved_model/saved_model.pb", "saved_model/variables/variables.index",
         "saved_model/variables/variables.data-00000-of-00001", "model.keras")


def fake_card(name: str, label: str) -> zoo.ModelCard:
    return zoo.ModelCard(name=name, family="gan", dataset="ring8", description=label,
                         recipe=f"python -m recipes.train {name}", versions={"zoo": "test"})


def fill_with(label: str, size: int = 1000):
    def fill(staging: Path):
        for relative in FILES:
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).write_bytes(f"{label}:{relative}:".encode() + b"x" * size)
    return fill


def fake_export(root, name: str, label: str, size: int = 1000) -> Path:
    return write_folder(fake_card(name, label), fill_with(label, size), root)


def _kill_after(step: int) -> None:
    """Wrap every call that changes the tree; the ``step``-th one is the last before SIGKILL."""
    calls = [0]

    def wrap(function):
        def wrapped(*args, **kwargs):
            result = function(*args, **kwargs)
            calls[0] += 1
            if calls[0] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return wrapped

    os.rename, os.replace, shutil.rmtree = wrap(os.rename), wrap(os.replace), wrap(shutil.rmtree)
    try:
        from zoo.registry import folders
    except ImportError:  # zoo before the atomic exchange: renames only
        return
    folders.exchange = wrap(folders.exchange)


if __name__ == "__main__":
    root, name = sys.argv[1], sys.argv[2]
    if sys.argv[3] == "loop":
        for i in range(int(sys.argv[4])):
            fake_export(root, name, "ab"[i % 2], size=1 << 20)
        sys.exit(0)
    if sys.argv[4:] == ["fallback"]:
        from zoo.registry import folders

        folders._RENAMEAT2 = None
    _kill_after(int(sys.argv[3]))
    fake_export(root, name, "new")
