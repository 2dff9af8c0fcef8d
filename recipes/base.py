"""Recipes as data: the :class:`Recipe` row, the one generic build, and a card for every row.

A recipe is one registered name (``family-dataset``) written as a row of plain data, as
KerasHub keeps its presets; ``recipes/<family>.py`` holds the rows of one family.  Nothing in a
row imports TensorFlow: networks and optimizers are named builders with their arguments, built
only by :meth:`Recipe.build`, so ``python -m recipes.train --list`` answers at once.

The row format::

    Recipe(
        name="wgan-gp-ring8",                 # [a-z0-9]+(-[a-z0-9]+)*, the export's name
        family="WGANGP",                      # a class of zoo.families
        dataset="ring8",                      # for the card and the sample grids
        networks={                            # constructor argument -> network, built in this order
            "generator": net("mlp", 2, 2, hidden=(64,) * 3, batch_norm=True, name="generator"),
            "discriminator": net("mlp", 2, 1, hidden=(64,) * 3, activation="leaky_relu",
                                 name="discriminator"),
        },                                    # a list of nets for a list argument (LAPGAN's levels)
        options={"penalty_weight": 10.0, "n_critic": 5},   # the family's constructor keywords
        optimizers={"g_optimizer": adam(1e-4, beta_1=0.5, beta_2=0.9),   # compile keywords
                    "d_optimizer": adam(1e-4, beta_1=0.5, beta_2=0.9)},
        steps=2000, batch_size=128,           # the shipped export's schedule (global batch)
        data=mixture_data("ring8"),           # (batch_size, seed) -> endless tf.data.Dataset
        evaluate=evaluate_mixture("ring8"),   # (model, seed) -> {metric: value}, or None
        protocol=MIXTURE_PROTOCOL, seeds=5,   # what the card's metrics mean, over how many runs
        data_kind="points",                   # "points" or "images"
        description="...", papers=[...],      # for the card (the family's own PAPERS are added)
    )

``options`` is a plain mapping handed to the family's constructor, so any keyword the family
takes can be set per row: the EMA generator (``ema_decay``, ``ema_start``; Yazıcı et al. 2019,
arXiv:1806.04498) and PacGAN packing (``packing``; Lin et al. 2018, arXiv:1712.04086).  With
``packing=m`` the build also passes ``packing=m`` to the network builders of the
discriminator(s) (:data:`DISCRIMINATOR_ROLES`), which then judge m samples at once.  A family
with one network and one optimizer (an exact-likelihood model) has one entry in each::

    networks={"network": net("zoo.families.pixelcnn:pixelcnn_network", (8, 8, 1))},
    options={"levels": 17}, optimizers={"pixelcnn_optimizer": adam(1e-3)},

Optional fields: ``steps_per_execution`` (train steps per compiled call), and ``driver`` for a
row that is not a family (the digits classifier trains through its own loop).

How to add a recipe:

1. Add a row to ``recipes/<family>.py`` and pass it to :func:`register` (a new family: a new
   file, found by ``recipes/__init__.py`` without being listed).  Take the data, evaluation and
   protocol of its dataset from :mod:`recipes.protocols` (``mixture_rows``, ``digits_rows``,
   ``autoencoder_rows``, ``tfds_rows``); a network builder that is not in ``zoo.networks`` is
   named ``"package.module:function"``.  Import no TensorFlow at module level.
2. ``python -m recipes.train NAME --seeds 1 --steps 200 --no-export`` to try it.
3. Trained: ``python -m recipes.train NAME`` writes ``exports/NAME``.  Not trained (no data on
   this machine): ``python -m recipes.train --write-cards`` writes its recipe-only
   ``exports/NAME/card.json``, so ``zoo.list_models()`` and the recipes stay the same set
   (``tests/test_recipes.py`` holds them equal).
"""
from __future__ import annotations

import dataclasses
import difflib
import importlib
from typing import Any, Callable, Mapping

# Network roles that judge samples: the ones a row's ``packing`` reaches (PacGAN, arXiv:1712.04086).
DISCRIMINATOR_ROLES = ("discriminator", "discriminators")


@dataclasses.dataclass(frozen=True)
class Network:
    """A network as data: a builder (a ``zoo.networks`` function, or ``"module:function"``)
    and the arguments it is called with."""

    builder: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def build(self, **extra):
        module, _, function = self.builder.rpartition(":")
        return getattr(importlib.import_module(module or "zoo.networks"), function)(*self.args, **self.kwargs, **extra)


def net(builder: str, *args, **kwargs) -> Network:
    """``net("mlp", 2, 1, hidden=(64, 64))`` is ``zoo.networks.mlp(2, 1, hidden=(64, 64))``, built later."""
    return Network(builder, args, kwargs)


@dataclasses.dataclass(frozen=True)
class Optimizer:
    """An optimizer as data: a ``keras.optimizers`` class name and its keyword arguments."""

    name: str
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def build(self):
        import keras

        kwargs = {key: value.build() if isinstance(value, LinearDecay) else value for key, value in self.kwargs.items()}
        return getattr(keras.optimizers, self.name)(**kwargs)


@dataclasses.dataclass(frozen=True)
class LinearDecay:
    """A learning rate decayed linearly from ``initial`` to 0 over ``steps`` updates of its
    optimizer (``keras.optimizers.schedules.PolynomialDecay``, power 1), then held at 0.

    The ring8 rows end on it: in this repository's trials (GAN, 256-wide networks, packing 2)
    a constant rate left the generator circling between modes at 20,000 steps, and one run
    diverged; decayed to 0 over the same steps it reached 8/8 modes at 99.2 % high quality."""

    initial: float
    steps: int

    def build(self):
        import keras

        return keras.optimizers.schedules.PolynomialDecay(self.initial, self.steps, end_learning_rate=0.0)


def adam(learning_rate: float, **kwargs) -> Optimizer:
    return Optimizer("Adam", {"learning_rate": learning_rate, **kwargs})


def rmsprop(learning_rate: float, **kwargs) -> Optimizer:
    return Optimizer("RMSprop", {"learning_rate": learning_rate, **kwargs})


def players(optimizer: Optimizer) -> dict[str, Optimizer]:
    """The same optimizer (a fresh instance each) for the generator and the discriminator."""
    return {"g_optimizer": optimizer, "d_optimizer": optimizer}


@dataclasses.dataclass
class Recipe:
    """Everything needed to train and export one registered name (the module docstring
    shows a row).

    Attributes:
      name: registered name ``family-dataset``.
      family: class name in ``zoo.families`` (None for a row trained by its own ``driver``).
      dataset: data it trains on (``"ring8"``, ``"digits"``, ``"celeb_a"``...).
      networks: constructor argument -> :class:`Network` (or a list of them), built in order.
      options: the family's constructor keywords (``ema_decay``, ``packing``...).
      optimizers: ``compile`` keyword -> :class:`Optimizer`, one per player.
      data: ``(batch_size, seed) -> tf.data.Dataset`` of training batches (endless).
      steps: training steps (batches) of the shipped export.
      batch_size: global batch size.
      evaluate: ``(model, seed) -> {metric: value}`` by the dataset's protocol, or None.
      protocol: the evaluation protocol (goes into the card), or a function returning it
        (read with :meth:`protocol_text`: the digits protocol lives in ``zoo.metrics``).
      seeds: independently seeded runs whose metrics the card reports (mean ± s.e.).
      data_kind: ``"points"`` or ``"images"``.
      description, papers: for the card.
      steps_per_execution: train steps per compiled call (``compile``), when not 1.
      driver: for a recipe that trains something other than a family (the digits classifier):
        ``recipes.train`` hands it the parsed arguments instead of running its own loop.
      optimizer_state: whether the export's ``model.keras`` keeps the optimizers' state (False
        keeps a 28×28 export under 10 MB: Adam's state is twice the weights).
    """

    name: str
    dataset: str
    family: str | None = None
    networks: Mapping[str, Network | list[Network]] = dataclasses.field(default_factory=dict)
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    optimizers: Mapping[str, Optimizer] = dataclasses.field(default_factory=dict)
    data: Callable[[int, int], Any] | None = None
    steps: int = 0
    batch_size: int = 0
    evaluate: Callable[[Any, int], dict] | None = None
    protocol: str | Callable[[], str] = ""
    seeds: int = 5
    data_kind: str = "points"
    description: str = ""
    papers: list[str] = dataclasses.field(default_factory=list)
    steps_per_execution: int | None = None
    driver: Callable[[Any], Any] | None = None
    optimizer_state: bool = True

    def build(self, seed: int):
        """The compiled family of this row, its initial weights drawn from ``seed``.

        The one place a recipe seeds: Keras' global seed, then the networks in ``networks``
        order (their initial weights), the family (``seed=`` for its training noise), and the
        optimizers.
        """
        if self.family is None:
            raise ValueError(f"recipe {self.name!r} has no family to build: it trains through its own driver "
                             f"(python -m recipes.train {self.name}). Received: family=None")
        import keras

        import zoo.families

        keras.utils.set_random_seed(seed)
        model = getattr(zoo.families, self.family)(**self.build_networks(), **self.options, seed=seed)
        compile_options = {} if self.steps_per_execution is None else {"steps_per_execution": self.steps_per_execution}
        model.compile(**{key: optimizer.build() for key, optimizer in self.optimizers.items()}, **compile_options)
        return model

    def build_networks(self) -> dict:
        """Constructor argument -> built network(s), in ``networks`` order; with ``packing=m`` in
        ``options`` the discriminators are built to judge m samples at once."""
        packing = self.options.get("packing", 1)
        return {role: _build_networks(spec, packing if role in DISCRIMINATOR_ROLES else 1)
                for role, spec in self.networks.items()}

    def protocol_text(self) -> str:
        return self.protocol() if callable(self.protocol) else self.protocol

    def command(self, seeds: int | None = None) -> str:
        """The command that trains this recipe's export and measures its card."""
        seeds = self.seeds if seeds is None else seeds
        return f"python -m recipes.train {self.name} --seeds {seeds}"


def _build_networks(spec, packing: int):
    """One network, or a list (one per level), with ``packing`` for a PacGAN discriminator."""
    extra = {"packing": packing} if packing != 1 else {}
    if isinstance(spec, (list, tuple)):
        return [network.build(**extra) for network in spec]
    return spec.build(**extra)


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


# --------------------------------------------------------------------------- recipe-only cards
def recipe_card(recipe: Recipe):
    """The ``card.json`` of a name with no weights: what ``export`` would write, minus the
    weights, metrics and library versions.

    ``files`` stays empty, so the registry lists the name as untrained and ``zoo.load``
    answers with the recipe command (and, in the description, the data it needs).  The
    shapes, signatures and parameter count are read from the model the recipe builds.
    """
    from zoo.exports import card_for

    model = recipe.build(0)
    return card_for(model, name=recipe.name, family=model.FAMILY, dataset=recipe.dataset,
                    data_kind=recipe.data_kind, description=recipe.description, papers=recipe.papers,
                    recipe=recipe.command(), steps=recipe.steps, versions={})


def is_trained(name: str, exports_dir=None) -> bool:
    """Whether ``<exports_dir>/<name>`` (the repository's ``exports/``) holds trained weights."""
    from zoo.registry import CARD_FILE, REPO_EXPORTS, ModelCard

    folder = (exports_dir or REPO_EXPORTS) / name
    return (folder / CARD_FILE).exists() and ModelCard.read(folder).trained


def recipe_only_names(exports_dir=None) -> list[str]:
    """Registered recipes without a trained export (their folder holds a card.json only)."""
    return sorted(name for name, recipe in RECIPES.items()
                  if recipe.driver is None and not is_trained(name, exports_dir))


def write_cards(names=None, exports_dir=None) -> list:
    """Write the recipe-only ``card.json`` of ``names`` (default: every untrained recipe) into
    ``exports_dir`` (the repository's ``exports/``); return the paths written.

    A trained export's folder is never touched: naming one raises ``ValueError``.
    """
    from pathlib import Path

    from zoo.registry import CARD_FILE, REPO_EXPORTS

    exports_dir = Path(exports_dir) if exports_dir is not None else REPO_EXPORTS
    names = recipe_only_names(exports_dir) if names is None else list(names)
    trained = [name for name in names if is_trained(name, exports_dir)]
    if trained:
        raise ValueError(f"the exports {', '.join(trained)} in {exports_dir} hold trained weights; their cards "
                         f"are written by the export, not from the recipe. Received: names={names}")
    written = []
    for name in names:
        folder = exports_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CARD_FILE).write_text(recipe_card(get_recipe(name)).to_json())
        written.append(folder / CARD_FILE)
    return written
