"""End to end, as a new user: build the wheel, install it into a fresh virtualenv, load from a
release served on 127.0.0.1.

The virtualenv sees the system's packages (TensorFlow is not downloaded again) and the wheel
is installed with ``--no-deps``; the child runs from an empty folder without PYTHONPATH, so
it imports the installed zoo, never the checkout.  Skipped, with the reason, where a wheel
cannot be built (no setuptools/wheel for ``--no-build-isolation``).
"""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import zoo
from _archive_server import ArchiveServer
from zoo import registry
from zoo.exports.publish import publish

REPO = Path(__file__).resolve().parents[1]
NAMES = ["gan-ring8", "gan-grid25"]  # two small 2-D exports
FAULTS = ["tampered", "truncate", "swapped"]  # a changed byte, a cut download, another archive (wrong hash)

CHILD = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    import zoo
    from zoo import registry
    home = Path(os.environ["ZOO_HOME"])
    out = {"zoo": zoo.__file__, "names": len(zoo.list_models()), "trained": len(zoo.list_models(pretrained=True)),
           "samples": {}, "faults": {}}
    base = os.environ["ZOO_URL_BASE"]
    for fault in sys.argv[2:]:
        os.environ["ZOO_URL_BASE"] = f"{base}/{fault}"
        try:
            registry.locate(sys.argv[1].split(",")[0])
            out["faults"][fault] = "loaded"
        except (registry.IntegrityError, registry.DownloadError) as e:
            left = sorted(str(p.relative_to(home)) for p in home.rglob("*")
                          if p.name.endswith(".partial") or (p.is_file() and not p.name.endswith(".lock")))
            out["faults"][fault] = [type(e).__name__, str(e), left]
    os.environ["ZOO_URL_BASE"] = base
    for name in sys.argv[1].split(","):
        model = zoo.load(name)
        out["samples"][name] = model.sample(256, seed=7).tolist()
        out["samples"][name + ":path"] = str(model.path)
    print("RESULT " + json.dumps(out))
""")


def _source_tree(target: Path) -> Path:
    """What an sdist holds: code, metadata and the cards, no weights, no caches."""
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "MANIFEST.in", "README.md"):
        shutil.copy(REPO / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "cards", ".*")
    for package in ("zoo", "recipes"):
        shutil.copytree(REPO / package, target / package, ignore=ignore)
    for card in REPO.glob("exports/*/card.json"):
        (target / card.parent.relative_to(REPO)).mkdir(parents=True)
        shutil.copy(card, target / card.relative_to(REPO))
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    source = _source_tree(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-q", "-w", str(out), str(source)], capture_output=True, text=True, timeout=180)
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here (pip wheel --no-build-isolation needs setuptools and wheel): "
                    f"{build.stderr.strip()[-500:]}")
    return next(out.glob("zoo-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(folder)],
                   check=True, timeout=120)
    python = folder / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--ignore-installed",
                              "--no-index", "-q", str(wheel)], capture_output=True, text=True, timeout=180)
    if "no such option: --python" in install.stderr:
        pytest.skip("pip older than 22.3 cannot install into another interpreter (--python)")
    assert install.returncode == 0, install.stderr[-2000:]
    return python


def test_the_wheel_carries_the_index_and_every_card_but_no_weights(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "zoo/shipped.json" in names
    assert sorted(n.split("/")[2] for n in names if n.startswith("zoo/cards/")) == sorted(registry.read_pins())
    assert not any("saved_model" in n or n.endswith(".keras") for n in names)


def test_installed_wheel_downloads_verifies_samples_and_refuses_bad_archives(venv, tmp_path):
    release = tmp_path / "release"
    publish(release, NAMES)
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ZOO_EXPORTS")}
    with ArchiveServer(release, lifetime=150) as server:
        run = subprocess.run([str(venv), "-c", CHILD, ",".join(NAMES), *FAULTS], capture_output=True, text=True,
                             timeout=240, cwd=tmp_path, env={**env, "ZOO_HOME": str(home), "ZOO_URL_BASE": server.url,
                                                             "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert Path(result["zoo"]).is_relative_to(venv.parent.parent)  # the installed package, not the checkout
    assert result["names"] == len(registry.read_pins()) and result["trained"] == len(registry.list_models(pretrained=True))
    for fault in FAULTS:
        kind, message, left = result["faults"][fault]
        assert left == [], (fault, left)
        assert ("sha256" in message or "retrieval incomplete" in message), (fault, message)
    for name in NAMES:
        assert result["samples"][name + ":path"] == str(home / name)
        expected = zoo.load(str(registry.REPO_EXPORTS / name)).sample(256, seed=7)
        np.testing.assert_array_equal(np.asarray(result["samples"][name], np.float32), expected)
    assert sorted(p.name for p in (home / "archives").iterdir()) == sorted(registry.read_index()["exports"][n]["url"]
                                                                          for n in NAMES)
