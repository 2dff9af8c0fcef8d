"""What a recipe is, and the registry of recipes by name."""
from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Callable


@dataclasses.dataclass
class Recipe:
    """Everything needed to train and export one registered name.

    Attributes:
      name: registered name ``family-dataset``.
      dataset: data it trains on (``"ring8"``, ``"digits"``, ``"celeb_a"``...).
      build: ``seed -> compiled model`` (networks, family and optimizers).
      data: ``(batch_size, seed) -> tf.data.Dataset`` of training batches (endless).
      steps: training steps (batches) of the shipped export.
      batch_size: global batch size.
      evaluate: ``(model, seed) -> {metric: value}`` by the dataset's protocol, or None.
      protocol: one line naming the evaluation protocol (goes into the card).
      seeds: independently seeded runs whose metrics the card reports (mean ± s.e.).
      data_kind: ``"points"`` or ``"images"``.
      description, papers: for the card.
      driver: for a recipe that trains something other than a family (the digits classifier):
        ``recipes.train`` hands it the parsed arguments instead of running its own loop.
    """

    name: str
    dataset: str
    build: Callable[[int], Any]
    data: Callable[[int, int], Any]
    steps: int
    batch_size: int
    evaluate: Callable[[Any, int], dict] | None = None
    protocol: str = ""
    seeds: int = 5
    data_kind: str = "points"
    description: str = ""
    papers: list[str] = dataclasses.field(default_factory=list)
    driver: Callable[[Any], Any] | None = None  # own training driver, given the parsed recipes.train args

    def command(self, seeds: int | None = None) -> str:
        """The command that trains this recipe's export and measures its card."""
        seeds = self.seeds if seeds is None else seeds
        return f"python -m recipes.train {self.name}" + (f" --seeds {seeds}" if seeds != 1 else " --seeds 1")


RECIPES: dict[str, Recipe] = {}


def register(recipe: Recipe) -> Recipe:
    if recipe.name in RECIPES:
        raise ValueError(f"recipe {recipe.name!r} is registered twice.")
    RECIPES[recipe.name] = recipe
    return recipe


def get_recipe(name: str) -> Recipe:
    if name in RECIPES:
        return RECIPES[name]
    close = difflib.get_close_matches(name, list(RECIPES), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise SystemExit(f"error: no recipe named {name!r}.{hint} Known: {', '.join(sorted(RECIPES))}")
