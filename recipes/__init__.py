"""Training recipes: one per registered name, plus the shared driver (``recipes.train``).

A recipe is data (:class:`recipes.base.Recipe`); each module below registers its recipes
with :func:`recipes.base.register` when imported.
"""
import importlib

from recipes.base import RECIPES, Recipe, get_recipe, register

# Add a module here when a family gets recipes.
_MODULES = ["recipes.mixtures", "recipes.divergence", "recipes.images", "recipes.autoencoders", "recipes.classifier", "recipes.adversarial"]

for _module in _MODULES:
    importlib.import_module(_module)

__all__ = ["RECIPES", "Recipe", "get_recipe", "register"]
