"""The one card builder: ``card_for`` stamps a ``ModelCard`` for an export or a recipe-only name.

As timm's ``build_model_with_cfg`` stamps every model's pretrained config, every card is built
here: ``export`` calls it with the trained model, the recipes call it with ``model=None`` to
write the card of a name that has no weights yet.  With ``model=None`` nothing imports
TensorFlow, so writing every recipe-only card takes no time.
"""
from __future__ import annotations

from zoo.registry import ModelCard, check_name

SERVING_DEFAULT = "serving_default"


def default_signature(signatures) -> str:
    """The signature ``serving_default`` aliases: ``generate`` when the family has one, else
    ``sample`` (PixelCNN has no latent), else the first (the classifier's ``classify``)."""
    names = sorted(set(signatures) - {SERVING_DEFAULT})
    for preferred in ("generate", "sample"):
        if preferred in names:
            return preferred
    if not names:
        raise ValueError(f"a SavedModel needs at least one signature. Received: signatures={list(signatures)}")
    return names[0]


def parameter_count(model) -> int:
    """Weights of the networks the export serves (``model.NETWORKS``), optimizer state excluded."""
    import numpy as np

    return int(sum(np.prod(v.shape) for net in model.NETWORKS for v in getattr(model, net).weights))


def _merge_papers(*groups) -> list[str]:
    """Papers in order, each once (the family's own first, then the recipe's)."""
    merged: list[str] = []
    for group in groups:
        for paper in group or ():
            if paper not in merged:
                merged.append(paper)
    return merged


def card_for(model=None, *, name: str, family: str, dataset: str, data_kind: str = "points",
             description: str = "", papers=(), recipe: str = "", steps: int = 0, metrics=None,
             **extra) -> ModelCard:
    """The ``ModelCard`` of ``name``: from the trained ``model``, or recipe-only when ``model=None``.

    Args:
      model: a family instance (``zoo.families``), or None for a name registered by its recipe
        only (the card then has no files and ``zoo.load`` answers with ``recipe``).
      name: registered name, ``[a-z0-9]+(-[a-z0-9]+)*``.
      family, dataset, data_kind: what and on which data (``"points"`` or ``"images"``).
      description, papers, recipe, steps, metrics: from the recipe and its training run.
      **extra: any other ``ModelCard`` field (``wall_time``, ``data_shape``, ``latent_dim``,
        ``conditioning``, ``signatures``, ``parameters``...); with a model these override what
        is read from it.
    Returns:
      The card, with ``files`` empty: the writer fills in the manifest and the ``versions`` it
      writes with (``zoo.exports.writing.versions``).
    """
    check_name(name)
    if data_kind not in ("points", "images"):
        raise ValueError(f"data_kind must be 'points' or 'images'. Received: data_kind={data_kind!r}")
    ModelCard.check_fields(extra, f"card_for({name!r}, ...)")
    fields = dict(name=name, family=family, dataset=dataset, data_kind=data_kind, description=description,
                  papers=_merge_papers(getattr(model, "PAPERS", ()), papers), recipe=recipe, steps=int(steps),
                  metrics=dict(metrics or {}),
                  output_range=[-1.0, 1.0] if data_kind == "images" else None)
    if model is not None:
        signatures = list(model.serving_functions())
        num_classes = getattr(model, "num_classes", None)
        fields.update(
            data_shape=[int(d) for d in model.data_shape], latent_dim=int(model.latent_dim),
            conditioning={"num_classes": int(num_classes)} if num_classes else None,
            signatures=sorted([*signatures, SERVING_DEFAULT]),
            parameters=parameter_count(model),
            weights=getattr(model, "served_weights", "raw"),
        )
    fields.update(extra)
    return ModelCard(**fields)


# --------------------------------------------------------------------------- the card a person reads
from zoo.registry.cards import README_FILE  # noqa: E402  (re-exported: the writer and readers use it)
README_MARKER = ("<!-- Generated from card.json by `python -m zoo.exports.readmes`: edit the card "
                 "(or its recipe), not this file. -->")
LICENCE = "Apache-2.0, as the code (the repository's LICENSE)"

# name -> (what the data is, its terms).  The licence of the weights is the code's; the data's own
# terms travel with any model trained on it.
DATASETS = {
    "ring8": ("8 Gaussians of standard deviation 0.01 on the unit circle, drawn by `zoo.data` (the mode-collapse "
              "benchmark of VEEGAN and PacGAN)", "synthetic data, no terms"),
    "grid25": ("25 Gaussians of standard deviation 0.05 on the 5×5 grid {-4, -2, 0, 2, 4}², drawn by `zoo.data` "
               "(the mode-collapse benchmark of VEEGAN and PacGAN)", "synthetic data, no terms"),
    "digits": ("scikit-learn's bundled `load_digits` (UCI optical recognition of handwritten digits): 1,797 grey "
               "8×8 images of 10 classes, values 0..16 scaled by v / 8 - 1; trained on a stratified 80 % split "
               "(random_state 0), the 360-image test split is never trained on", "UCI ML repository, CC BY 4.0"),
    "mnist": ("MNIST: 70,000 grey 28×28 handwritten digits (60,000 train, 10,000 test), 8-bit pixels scaled by "
              "x / 127.5 - 1", "Yann LeCun and Corinna Cortes, CC BY-SA 3.0"),
    "fashion_mnist": ("Fashion-MNIST (Xiao et al. 2017): 70,000 grey 28×28 images of clothing in 10 classes "
                      "(60,000 train, 10,000 test), 8-bit pixels scaled by x / 127.5 - 1", "MIT"),
    "cifar10": ("CIFAR-10: 60,000 colour 32×32 images of 10 classes, 8-bit pixels scaled by x / 127.5 - 1",
                "Krizhevsky 2009 (no licence stated; cite the technical report)"),
    "celeb_a": ("CelebA: 202,599 photographs of celebrities' faces, centre-cropped and resized, 8-bit pixels scaled "
                "by x / 127.5 - 1", "non-commercial research only (the CelebA agreement)"),
}
DATASETS["fashion-mnist"] = DATASETS["fashion_mnist"]
# The binary-unit families' data (zoo.data.binarized): one fixed Bernoulli draw per split.
for _name in ("digits", "fashion_mnist"):
    DATASETS[f"binarized_{_name}"] = (
        DATASETS[_name][0] + "; binarised once per split by `zoo.data.binarized` (each pixel white with probability "
        "its grey level in [0, 1], a fixed seed), values {-1, +1}", DATASETS[_name][1])
del _name

# metric key -> what it measures; keys not listed are shown as they are.
METRIC_NAMES = {
    "modes": "modes captured", "high_quality": "high-quality samples (%)",
    "reverse_kl": "reverse KL of the mode histogram from uniform", "fid": "FID (lower is better)",
    "kid": "KID (lower is better)", "class_coverage": "classes covered (of 10)", "class_kl": "class KL from uniform",
    "parzen_ll": "Parzen log-likelihood of the test split (nats)",
    "memorisation_ratio": "nearest-training-image distance, samples / test split",
    "reconstruction_mse": "reconstruction MSE on the test split", "log_likelihood": "test log-likelihood (nats per image)",
    "log_likelihood_se": "its standard error", "bits_per_dim": "bits per dimension", "elbo": "ELBO (nats)",
    "iwae": "IWAE bound, k = 1000 (nats)", "test_log_density": "log-density of test points",
    "true_log_density": "the true mixture's log-density of them", "density_integral": "density integral over a grid",
    "label_accuracy": "label accuracy", "test_accuracy": "test accuracy",
}
PROTOCOLS_DOC = "docs/protocols.md"


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
    return str(value)


def _metric_rows(metrics: dict) -> list[str]:
    rows = []
    for key, value in metrics.items():
        if key in ("protocol", "seeds", "command"):
            continue
        label = METRIC_NAMES.get(key, key.replace("_", " "))
        if isinstance(value, dict) and "mean" in value:
            per_seed = ", ".join(_number(v) for v in value.get("per_seed", []))
            rows.append(f"| {label} | {_number(value['mean'])} ± {_number(value.get('se', 0.0))} | {per_seed} |")
        else:
            rows.append(f"| {label} | {_number(value)} | |")
    return rows


def _sources(metrics: dict) -> list[str]:
    """One line per command that measured some of the metrics after training (``zoo eval``
    records it as each metric's ``source``): which rows it wrote and how."""
    by_source = {}
    for key, value in metrics.items():
        if isinstance(value, dict) and value.get("source"):
            by_source.setdefault(value["source"], []).append(METRIC_NAMES.get(key, key.replace("_", " ")))
    rows = sum(isinstance(value, dict) and "mean" in value for value in metrics.values())
    return [f"- {_rows_named(labels, rows)}: {source}." for source, labels in by_source.items()]


def _rows_named(labels: list[str], rows: int) -> str:
    """``labels`` of the metrics table (in its order, measured together), named briefly."""
    if len(labels) == rows:
        return "Every row"
    return ", ".join(labels) if len(labels) <= 2 else f"The rows from {labels[0]} to {labels[-1]}"


def _code_list(names) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _header(card: ModelCard) -> list[str]:
    """Title, description, the status when there is one, the sample grid and the facts."""
    shape = "×".join(str(d) for d in card.data_shape) or "?"
    lines = [README_MARKER, "", f"# {card.name}", "",
             card.description or f"{card.family} on {card.dataset}.", ""]
    if card.status:
        lines += [f"> **Status: {card.status}.** It ships so that the comparison stays complete; do not use it "
                  f"as this family's reference.", ""]
    if "samples.png" in card.files:
        lines += [f"![{card.name}: samples drawn from the shipped SavedModel, seed 0](samples.png)", ""]
    lines += ["| | |", "|---|---|", f"| family | `{card.family}` |",
              f"| data | `{card.dataset}`, {card.data_kind} of shape {shape} |"]
    if card.latent_dim:
        lines.append(f"| latent code | {card.latent_dim}-d, {card.latent_distribution} |")
    if card.conditioning:
        lines.append(f"| conditioning | {card.conditioning.get('num_classes')} classes |")
    if card.trained:
        lines += [f"| parameters | {card.parameters:,} |", f"| weights served | {card.weights or 'raw'} |",
                  f"| signatures | {_code_list(card.signatures)} |"]
    return lines


def _data_and_use(card: ModelCard, data: str, data_terms: str) -> list[str]:
    lines = ["", "## Data", "", f"{data}. Terms: {data_terms}.", "", "## Intended use", ""]
    if card.family == "classifier":
        lines.append(f"The feature network of the {card.dataset} protocol: FID, KID and the class measures of the "
                     f"{card.dataset} exports are computed on its penultimate features. It is not meant as a "
                     f"general-purpose classifier.")
    else:
        lines.append(f"Research and teaching: a trained reference of the `{card.family}` family to sample from, to "
                     f"compare with the other families under one protocol, or to train further "
                     f"(`zoo.load(\"{card.name}\", trainable=True)`). It is not meant for production use.")
    if card.dataset == "celeb_a":
        lines.append("Its faces are of real people: do not use it to depict or to decide about real persons.")
    lines += ["", "## Use", ""]
    if not card.trained:
        return lines + [f"No trained weights ship with this name (yet): train it where its data is with "
                        f"`{card.recipe}`.", ""]
    call = ("x = model.sample(16, seed=0)" if "sample" in card.signatures
            else 'probabilities = model.saved_model.signatures["classify"](x=x)  # x: images in [-1, 1]')
    tflite = card.runtimes.get("tflite")
    shell = (f"From the shell: `zoo sample {card.name} -o samples.png` (or `zoo info {card.name}` for this card). "
             if "sample" in card.signatures else f"From the shell: `zoo info {card.name}` shows this card. ")
    return lines + ["```python", "import zoo", "", f"model = zoo.load(\"{card.name}\")", call, "```", "",
                    shell + "The SavedModel in `saved_model/` serves without zoo: eager `tf.saved_model.load`, "
                    "TF Serving and `keras.layers.TFSMLayer` run every signature"
                    + (f", TFLite runs {_code_list(tflite)}" if tflite else "") + ".", ""]


def _metrics(card: ModelCard) -> list[str]:
    lines = ["## Metrics", ""]
    if not card.metrics:
        return lines + ["Not measured: no trained weights.", ""]
    seeds = card.metrics.get("seeds")
    return lines + [
        f"Protocol: {card.metrics.get('protocol', 'see the recipe')} (described in "
        f"[{PROTOCOLS_DOC}](../../{PROTOCOLS_DOC})). "
        + (f"Mean ± standard error over {seeds} training seeds; the shipped weights are those of the first seed."
           if seeds else ""), "", "| metric | value | per seed |", "|---|---|---|", *_metric_rows(card.metrics), "",
        *([*sources, ""] if (sources := _sources(card.metrics)) else [])]


# Families whose exported ``sample`` reruns their full network for each pixel in raster order
# (van den Oord et al. 2016): H·W passes, each as costly as one ``log_prob``.  Their Keras model
# caches the network's rows (zoo.families._row_cache) and draws the same pixels far faster, on
# images of at least ROW_CACHE_MIN_PIXELS pixels and batches of ROW_CACHE_MIN_IMAGES (restated
# from zoo.families.pixelcnn, which imports TensorFlow; a test holds them equal).
PIXEL_BY_PIXEL = ("pixelcnn",)
ROW_CACHE_MIN_PIXELS, ROW_CACHE_MIN_IMAGES = 16 * 16, 16


def _tflite_sampling(card: ModelCard) -> str:
    """The Limitations line for a ``sample`` TFLite cannot run (its random ops are stateful)."""
    if "generate" in card.signatures:
        return "- TFLite has no stateless random ops: on TFLite draw the codes yourself and call `generate`."
    served = card.runtimes.get("tflite", [])
    return ("- TFLite has no stateless random ops, and this family has no code to draw and pass to a `generate`: "
            + (f"on TFLite it serves {_code_list(served)} only." if served else "it does not sample on TFLite."))


def _limitations(card: ModelCard) -> list[str]:
    lines = ["## Limitations", ""]
    if card.status:
        lines.append(f"- {card.status[0].upper()}{card.status[1:]}.")
    if card.data_kind == "points":
        lines.append("- Toy 2-D data: it shows mode coverage and sample quality, and nothing about images.")
    elif card.dataset == "digits":
        lines.append("- Tiny data (8×8 images, 1,437 to train on): results need not carry over to larger images.")
    if card.trained and "sample" in card.signatures and "sample" not in card.runtimes.get("tflite", ["sample"]):
        lines.append(_tflite_sampling(card))
    if card.family in PIXEL_BY_PIXEL and len(card.data_shape) == 3:
        passes = card.data_shape[0] * card.data_shape[1]
        lines.append(f"- `sample` runs the whole network once per pixel: {passes:,} passes a call, each as costly "
                     "as a `log_prob` of the same batch."
                     + (f" The Keras model (`zoo.load(name, trainable=True)`) caches the network's rows and, from "
                        f"{ROW_CACHE_MIN_IMAGES} images a call, draws the same images many times faster."
                        if passes >= ROW_CACHE_MIN_PIXELS else ""))
    if card.weights == "ema":
        lines.append("- The SavedModel serves the moving average of the generator's weights (EMA), not the last step's.")
    lines.append(f"- Measured on the data above only: a model of {card.dataset} has not seen anything else.")
    return lines


def _reproduce(card: ModelCard) -> list[str]:
    lines = ["## Reproduce", "", "```bash", card.recipe or "# no recipe recorded", "```", "",
             f"From a checkout of the repository. It writes `runs/exports/{card.name}` (or under `$ZOO_EXPORTS`), "
             f"never this shipped export: only `--out exports` replaces it.", ""]
    facts = []
    if card.steps:
        facts.append(f"{card.steps:,} training steps")
    if card.wall_time:
        facts.append(f"{card.wall_time / 60:.1f} minutes to train and measure all seeds on the project's 2-core CPU")
    if card.versions:
        facts.append("written with " + ", ".join(f"{k} {v}" for k, v in card.versions.items()
                                                 if k != "tflite_interpreter"))
        if "tflite_interpreter" in card.versions:
            facts.append(f"TFLite checked with {card.versions['tflite_interpreter']}")
    if facts:
        text = "; ".join(facts)
        lines += [text[0].upper() + text[1:] + ".", ""]
    if card.trained:
        lines += ["Every file of this folder is listed with its sha256 in `card.json` (this README excepted: it is "
                  "rendered from the card); `zoo.load` checks them before loading.", ""]
    return lines


def render_readme(card: ModelCard) -> str:
    """The model card a person reads (``exports/<name>/README.md``, and ``zoo info NAME``): a pure,
    deterministic function of ``card``, so the README never disagrees with the card it is made from."""
    data, data_terms = DATASETS.get(card.dataset, (f"`{card.dataset}`", "see the data's own terms"))
    lines = [*_header(card), *_data_and_use(card, data, data_terms), *_metrics(card), *_limitations(card),
             "", "## Licence", "", f"Weights: {LICENCE}. Data: {data_terms}.", "", *_reproduce(card)]
    if card.papers:
        lines += ["## Papers", "", *(f"- {paper}" for paper in card.papers), ""]
    return "\n".join(lines)


def write_readmes(root=None) -> list:
    """Render ``README.md`` beside every ``card.json`` under ``root`` (the repository's ``exports/``).

    Only README files this function made (they start with ``README_MARKER``) are replaced; any
    other ``README.md`` is left alone and reported.  Returns ``[(path, "written" | "unchanged" |
    "kept: not generated")]``.
    """
    import os
    from pathlib import Path

    from zoo.registry import CARD_FILE, REPO_EXPORTS

    root = Path(root) if root is not None else REPO_EXPORTS
    outcomes = []
    for card_path in sorted(root.glob(f"*/{CARD_FILE}")):
        target = card_path.parent / README_FILE
        text = render_readme(ModelCard.read(card_path.parent))
        if target.is_symlink() or (target.exists() and not target.read_text(errors="replace").startswith(README_MARKER)):
            outcomes.append((target, "kept: not generated"))
            continue
        if target.exists() and target.read_text() == text:
            outcomes.append((target, "unchanged"))
            continue
        partial = target.with_name(f".{README_FILE}.partial")
        partial.write_text(text)
        os.chmod(partial, 0o644)
        os.replace(partial, target)
        outcomes.append((target, "written"))
    return outcomes

