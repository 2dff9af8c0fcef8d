"""The build step that puts every shipped card in the wheel (metadata and options: setup.cfg).

A wheel carries the pinned index ``zoo/shipped.json`` and, as ``zoo/cards/<name>/card.json``,
the card of every name in it (a few KB each), so ``zoo list`` and ``zoo info`` answer after
``pip install`` with no download; the weights come from the pinned archives on first load.
"""
import json
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class build_py_with_cards(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the repository's exports/ itself
            return
        index = json.loads((ROOT / "zoo" / "shipped.json").read_text())
        cards = Path(self.build_lib) / "zoo" / "cards"
        for name in index["exports"]:
            source = ROOT / "exports" / name / "card.json"
            if not source.is_file():
                raise SystemExit(f"error: {source} is missing; the wheel must carry every card pinned in "
                                 f"zoo/shipped.json. Build from a complete checkout (or its sdist).")
            (cards / name).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, cards / name / "card.json")


setup(cmdclass={"build_py": build_py_with_cards})
