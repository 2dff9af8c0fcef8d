"""Training recipes: one row per registered name, plus the shared driver (``recipes.train``).

A recipe is data (:class:`recipes.base.Recipe`; its module docstring shows the row format).
Every module of this package other than the machinery below is one family's rows, each
registered with :func:`recipes.base.register` when the module is imported: a new family's
recipes are a new file here, found without being listed.  No module imports TensorFlow
when imported, so ``python -m recipes.train --list`` answers at once.
"""
import importlib
import pkgutil

from recipes.base import RECIPES, Recipe, get_recipe, register

# Modules that hold no rows: the row format and build, the datasets' shared pieces, the driver.
_MACHINERY = {"base", "protocols", "train"}
MODULES = sorted(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__) if m.name not in _MACHINERY)

for _module in MODULES:
    importlib.import_module(_module)

__all__ = ["RECIPES", "Recipe", "get_recipe", "register"]
