"""Exports of the auto-encoding families: encode/decode signatures that work without zoo."""
import numpy as np
import pytest
from family_cases import CASES
from without_zoo import Call, call_without_zoo

import zoo
from zoo import export
from zoo.exports import Pretrained

ENCODER_CASES = ["vae", "avb", "aae", "wae-mmd", "wae-gan", "ali"]
SHIPPED = ["vae-digits", "avb-digits", "aae-digits", "wae-mmd-digits", "wae-gan-digits", "ali-digits"]

@pytest.fixture(scope="module")
def tiny_exports(tmp_path_factory):
    """Each case trained one step and its SavedModel written; one process without zoo encodes
    (through the function zoo.load calls and the signature TF Serving calls) and decodes.  The
    VAE's is a whole export, which ``Pretrained`` opens below; the others are the SavedModel
    alone, as an export writes it: a whole export also runs every signature in every runtime,
    which tests/test_shipped_exports.py does for each family's shipped export."""
    from zoo.exports.serving import write_saved_model

    root = tmp_path_factory.mktemp("exports")
    models, folders, calls = {}, {}, []
    for name in ENCODER_CASES:
        model, x = CASES[name](seed=0)
        model.fit(x, batch_size=len(x), epochs=1, verbose=0)
        if name == "vae":
            folder = export(model, f"{name}-tiny", dataset="ring8", out_dir=root)
        else:
            folder = root / f"{name}-tiny"
            write_saved_model(model.serving_networks(), model.serving_functions(), folder / "saved_model")
        saved_model = folder / "saved_model"
        calls += [Call(saved_model, "encode", {"x": x}, via="function"),
                  Call(saved_model, "decode", {"z": model.encode(x).numpy()}, via="function"),
                  Call(saved_model, "encode", {"x": x})]
        models[name], folders[name] = (model, x), folder
    outputs = call_without_zoo(calls, root / "calls", timeout=300)
    fresh = {name: outputs[3 * i: 3 * i + 3] for i, name in enumerate(ENCODER_CASES)}
    return models, folders, fresh


@pytest.mark.parametrize("name", ENCODER_CASES)
def test_round_trip_in_a_fresh_process_without_zoo(tiny_exports, name):
    (model, x), (codes, decoded, served) = tiny_exports[0][name], tiny_exports[2][name]
    z = model.encode(x).numpy()
    np.testing.assert_allclose(codes["z"], z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(served["z"], z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(decoded["x"], model.decode(z).numpy(), rtol=1e-5, atol=1e-6)
    if name == "vae":  # the VAE's encode returns its posterior's mean and standard deviation
        q, _ = model.posterior(x)
        np.testing.assert_allclose(codes["mean"], q.mean().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(codes["stddev"], q.stddev().numpy(), rtol=1e-5, atol=1e-6)


def test_pretrained_encode_decode_validates_inputs(tiny_exports):
    (model, x), folder = tiny_exports[0]["vae"], tiny_exports[1]["vae"]
    pretrained = Pretrained(folder)
    np.testing.assert_allclose(pretrained.decode(pretrained.encode(x)), model.decode(model.encode(x)), atol=1e-6)
    np.testing.assert_allclose(pretrained.reconstruct(x), pretrained.decode(pretrained.encode(x)))
    outputs = pretrained.encode(x, return_all=True)
    assert set(outputs) == {"z", "mean", "stddev"} and np.all(outputs["stddev"] > 0)
    with pytest.raises(ValueError, match=r"x must have shape \[N, 2\]. Received: shape=\[16, 3\]"):
        pretrained.encode(np.zeros((16, 3), np.float32))
    with pytest.raises(ValueError, match="must be a float array"):
        pretrained.decode(np.zeros((2, 2), np.int32))


def test_generator_only_exports_have_no_encoder(tmp_path):
    model, _ = CASES["gan"](seed=0)
    pretrained = Pretrained(export(model, "gan-tiny", dataset="ring8", out_dir=tmp_path))
    assert "encode" not in pretrained.card.signatures
    with pytest.raises(AttributeError, match="invert_generator"):
        pretrained.encode(np.zeros((1, 2), np.float32))
    # The loaded generator is differentiable: latent optimisation inverts it.
    from zoo.metrics.reconstruction import invert_generator

    target = pretrained.generate(np.array([[0.3, -0.2]], np.float32))
    _, error = invert_generator(lambda z: pretrained.saved_model.generate(z=z)["x"], target, 2, steps=200,
                                restarts=2)
    assert error[0] < 1e-3


def _trained(name):
    return name in zoo.list_models() and zoo.info(name).trained


def test_shipped_encoder_exports_beat_the_baselines():
    from zoo.data import digits_split
    from zoo.metrics.reconstruction import pca_mse, reconstruction_mse, train_mean_mse

    shipped = [name for name in SHIPPED if _trained(name)]
    if not shipped:
        pytest.skip("no digits encoder export is trained here (python -m recipes.train vae-digits ...)")
    x_train, _, x_test, _ = digits_split()
    mean_baseline = train_mean_mse(x_train, x_test)
    errors = {}
    for name in shipped:
        pretrained = zoo.load(name)
        errors[name] = reconstruction_mse(pretrained.encode, pretrained.decode, x_test)
        assert errors[name] < mean_baseline, (name, errors[name], mean_baseline)
    latent = zoo.info(shipped[0]).latent_dim
    assert min(errors.values()) < pca_mse(x_train, x_test, latent), errors


# ALI is left out: its game does not make the encoder invert the decoder (ALICE, Li et al. 2017;
# docs/autoencoders-fashion-mnist.md), and its reconstructions are no better than the train mean.
FASHION_SHIPPED = ["vae-fashion-mnist", "aae-fashion-mnist", "wae-mmd-fashion-mnist", "wae-gan-fashion-mnist",
                   "avb-fashion-mnist"]


def test_shipped_fashion_encoders_reconstruct_better_than_the_train_mean():
    """On 500 test images through ``zoo.load``: each Fashion-MNIST auto-encoder export beats the
    train mean in pixels, and the classifier gives far more reconstructions their input's label
    than chance (1 in 10) would (docs/autoencoders-fashion-mnist.md has the full table beside PCA)."""
    from zoo.data import fashion_mnist as fm

    shipped = [name for name in FASHION_SHIPPED if _trained(name)]
    if not shipped or fm._find_folder() is None:
        pytest.skip("no Fashion-MNIST encoder export or no Fashion-MNIST data here")
    from zoo.metrics.fashion_mnist import classify
    from zoo.metrics.reconstruction import label_kept, per_example_mse, reconstruct, train_mean_mse

    x_train, _, x_test, _ = fm.fashion_mnist_split()
    x = x_test[:500]
    mean_baseline = train_mean_mse(x_train, x)
    for name in shipped:
        pretrained = zoo.load(name)
        x_hat = reconstruct(pretrained.encode, pretrained.decode, x)
        assert per_example_mse(x, x_hat).mean() < mean_baseline / 2, name
        assert label_kept(lambda images: classify(images)[1].argmax(axis=1), x, x_hat) > 0.3, name
