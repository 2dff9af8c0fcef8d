"""The registry: model cards, where exports are found, the pinned index, downloads.

The registry is data: every registered name is a folder ``<root>/<name>/`` holding a
``card.json`` (and, where the model was trained, the weights), and the package pins every
shipped card and archive by sha256 (``zoo/shipped.json``).  Nothing here imports
TensorFlow, so ``zoo list`` and ``zoo info`` answer at once.

    cards.py     ModelCard, the name rule, the bounded card reader, the errors
    paths.py     the search path: $ZOO_EXPORTS, the repository's exports/, $ZOO_HOME, the wheel's cards
    pins.py      the pinned index and the url base ($ZOO_URL_BASE)
    folders.py   locks, staging folders, the atomic exchange (shared with the export writer)
    download.py  pinned archives into the cache (keras.utils.get_file)
    lookup.py    discovery, suggestions, the pin check, locate
"""
from zoo.registry.cards import (
    CARD_FILE,
    MAX_CARD_BYTES,
    MAX_NAME_LENGTH,
    MODEL_FILE,
    NAME_PATTERN,
    SAVED_MODEL_DIR,
    IntegrityError,
    ModelCard,
    NotTrainedError,
    UnknownModelError,
    check_name,
    sha256_file,
)
from zoo.registry.download import DownloadError
from zoo.registry.lookup import check_pin, discover, info, list_models, locate, resolve
from zoo.registry.paths import PACKAGE_CARDS, REPO_EXPORTS, search_path, zoo_home
from zoo.registry.pins import PINS_FILE, read_index, read_pins

__all__ = ["CARD_FILE", "MAX_CARD_BYTES", "MAX_NAME_LENGTH", "MODEL_FILE", "NAME_PATTERN", "SAVED_MODEL_DIR",
           "IntegrityError", "ModelCard", "NotTrainedError", "UnknownModelError", "DownloadError", "check_name",
           "sha256_file", "check_pin", "discover", "info", "list_models", "locate", "resolve", "PACKAGE_CARDS",
           "REPO_EXPORTS", "search_path", "zoo_home", "PINS_FILE", "read_index", "read_pins"]
