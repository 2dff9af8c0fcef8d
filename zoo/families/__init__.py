"""One family per file, each a ``keras.Model`` subclass with a custom ``train_step``.

The families list themselves: every module here whose name does not start with ``_`` is
imported, and each :class:`GenerativeModel` subclass it defines is exported by its class
name.  Adding a family is adding its file (``docs/adding-a-family.md``); the contract tests
(``tests/test_contract.py``) then cover it without a list to edit.

Modules starting with ``_`` hold what the families share: the contract every family keeps
(``_base.py``) and one step contract per kind of game: the adversarial game
(``_adversarial.py``), the penalised auto-encoders (``_autoencoding.py``) and the exact
likelihood (``_exact.py``).
"""
import importlib
import pkgutil

from zoo.families._adversarial import AdversarialModel
from zoo.families._base import GenerativeModel

__all__ = ["GenerativeModel", "AdversarialModel"]


def _is_family(value, module_name):
    return isinstance(value, type) and issubclass(value, GenerativeModel) and value.__module__ == module_name


for _module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
    if _module_info.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_module_info.name}")
    for _name, _value in vars(_module).items():
        if not _name.startswith("_") and _is_family(_value, _module.__name__):
            globals()[_name] = _value
            __all__.append(_name)

del _module_info, _module, _name, _value


def families() -> dict[str, type]:
    """Class name -> family class, for every concrete family (one with a ``FAMILY`` name)."""
    return {name: globals()[name] for name in __all__ if getattr(globals()[name], "FAMILY", None)}
