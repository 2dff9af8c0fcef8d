"""The export contract (docs/design.md): self-contained SavedModel, sha256 manifest, atomic writes,
validated inputs."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import zoo
from zoo import exports
from family_cases import gan_case
from without_zoo import Call, call_without_zoo


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model, batch = gan_case(seed=0)
    model.fit(np.tile(batch, (4, 1)), batch_size=16, epochs=1, verbose=0)
    out = tmp_path_factory.mktemp("exports")
    path = zoo.export(model, "gan-test", dataset="ring8", out_dir=out, recipe="python -m recipes.train gan-test")
    return model, path


def test_layout_and_manifest(exported):
    _, path = exported
    assert sorted(p.name for p in path.iterdir()) == ["README.md", "card.json", "model.keras", "samples.png", "saved_model"]
    card = zoo.ModelCard.read(path)
    assert card.files == exports.manifest(path)
    assert "saved_model/saved_model.pb" in card.files and "model.keras" in card.files
    assert card.latent_dim == 2 and card.data_shape == [2] and card.family == "gan"
    assert set(card.signatures) == {"generate", "sample", "discriminate", "serving_default"}
    assert card.parameters == sum(int(np.prod(v.shape)) for v in exported[0].generator.weights) + sum(
        int(np.prod(v.shape)) for v in exported[0].discriminator.weights)


def test_pretrained_matches_in_memory_model(exported):
    model, path = exported
    pretrained = zoo.load(str(path))
    x, z = model.sample(7, 3)
    np.testing.assert_allclose(pretrained.sample(7, seed=3), x.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(pretrained.latent(7, seed=3), z.numpy())
    np.testing.assert_allclose(pretrained.generate(z.numpy()), model.generate(z).numpy(), rtol=1e-6, atol=1e-6)
    logits = pretrained.discriminate(x.numpy())
    np.testing.assert_allclose(logits, model.discriminator(x).numpy(), rtol=1e-5, atol=1e-6)


def test_saved_model_loads_without_zoo(exported, tmp_path):
    """A fresh process in which `import zoo` fails reproduces the in-memory samples."""
    model, path = exported
    expected, z = model.sample(5, 11)
    got, served = call_without_zoo([Call(path / "saved_model", "sample", {"n": np.int32(5), "seed": np.int32(11)},
                                         via="function"),
                                    Call(path / "saved_model", "serving_default", {"z": z.numpy()})], tmp_path)
    np.testing.assert_allclose(got["x"], expected.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(served["x"], expected.numpy(), rtol=1e-5, atol=1e-6)


def test_saved_model_cli_lists_signatures(exported):
    cli = shutil.which("saved_model_cli")
    if cli is None:
        pytest.skip("saved_model_cli is not on PATH")
    result = subprocess.run([cli, "show", "--dir", str(exported[1] / "saved_model"), "--all"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("serving_default", "generate", "sample"):
        assert f"signature_def['{name}']" in result.stdout
    assert "tensorflow/serving/predict" in result.stdout


def test_unknown_name_suggests_closest():
    with pytest.raises(zoo.UnknownModelError, match="Did you mean 'gan-ring8'"):
        zoo.load("gan-rign8")


@pytest.mark.parametrize("z, message", [
    (np.zeros((3, 5), np.float32), r"shape \[N, 2\]. Received: shape=\[3, 5\]"),
    (np.zeros((3,), np.float32), r"shape \[N, 2\]. Received: shape=\[3\]"),
    (np.zeros((3, 2), np.int32), r"float array of shape \[N, 2\]. Received: dtype=int32"),
    (np.zeros((0, 2), np.float32), "at least one row"),
])
def test_bad_z_is_refused_before_the_graph(exported, z, message):
    with pytest.raises(ValueError, match=message):
        zoo.load(str(exported[1])).generate(z)


@pytest.mark.parametrize("n", [0, -3, 2.5, "10", True, None])
def test_bad_n_is_refused(exported, n):
    with pytest.raises(ValueError, match="n must be a positive integer"):
        zoo.load(str(exported[1])).sample(n, seed=0)


@pytest.mark.parametrize("seed", [-1, 2**31, 1.5])
def test_bad_seed_is_refused(exported, seed):
    with pytest.raises(ValueError, match="seed must be an integer"):
        zoo.load(str(exported[1])).sample(4, seed=seed)


def test_modified_byte_is_refused(exported, tmp_path):
    copy = tmp_path / "gan-test"
    shutil.copytree(exported[1], copy)
    variables = next((copy / "saved_model" / "variables").glob("variables.data-*"))
    data = bytearray(variables.read_bytes())
    data[len(data) // 2] ^= 0xFF
    variables.write_bytes(bytes(data))
    with pytest.raises(zoo.IntegrityError, match=r"sha256.*modified: saved_model/variables/variables.data"):
        zoo.load(str(copy))


def test_crash_mid_export_keeps_previous_export(exported, monkeypatch):
    model, path = exported
    before = {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("simulated crash while writing the preview")

    monkeypatch.setattr(exports.writing, "_write_preview", crash)
    with pytest.raises(KeyboardInterrupt):
        zoo.export(model, "gan-test", dataset="ring8", out_dir=path.parent)
    assert sorted(p.name for p in path.parent.iterdir()) == [".gan-test.lock", "gan-test"]  # no partial folder
    assert {p: p.read_bytes() for p in path.rglob("*") if p.is_file()} == before
    zoo.load(str(path))  # still verifies


def test_crash_mid_first_export_leaves_nothing(exported, monkeypatch, tmp_path):
    monkeypatch.setattr(exports.writing, "_write_preview", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        zoo.export(exported[0], "gan-new", dataset="ring8", out_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [".gan-new.lock"]


def test_trainable_load_resumes_optimizer_state(exported):
    model, path = exported
    restored = zoo.load(str(path), trainable=True)
    assert type(restored) is type(model)
    assert int(restored.g_optimizer.iterations) == int(model.g_optimizer.iterations) > 0
    for a, b in zip(restored.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_saved_model_stores_each_variable_once(exported):
    """The SavedModel's variables are the served networks' weights, once each (tracking the
    networks besides the endpoints' captures wrote every variable twice)."""
    import tensorflow as tf

    model, path = exported
    reader = tf.train.load_checkpoint(str(path / "saved_model" / "variables" / "variables"))
    stored = sum(int(np.prod(shape)) for shape in reader.get_variable_to_shape_map().values())
    served = sum(int(np.prod(v.shape)) for net in model.serving_networks() for v in net.weights)
    assert served <= stored < 1.5 * served  # (a scalar or two besides the weights; twice them before)


def test_model_keras_without_optimizer_state_loads_and_trains(exported, tmp_path):
    """``optimizer_state=False``: model.keras without Adam's slots (two thirds of a big model), the card
    says so, and ``trainable=True`` gives the same weights with fresh optimizers, quietly."""
    import warnings

    model, path = exported
    light = zoo.export(model, "gan-light", dataset="ring8", out_dir=tmp_path, optimizer_state=False)
    card = zoo.ModelCard.read(light)
    assert card.optimizer_state is False and '"optimizer_state": false' in (light / "card.json").read_text()
    assert "optimizer_state" not in (path / "card.json").read_text()  # written only when it is false
    slots = sum(4 * int(np.prod(v.shape)) for opt in (model.g_optimizer, model.d_optimizer) for v in opt.variables)
    saved = (path / "model.keras").stat().st_size - (light / "model.keras").stat().st_size
    assert saved >= 0.9 * slots  # float32 optimizer variables left out
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored = zoo.load(str(light), trainable=True)
    assert int(restored.g_optimizer.iterations) == 0
    for a, b in zip(restored.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert int(model.g_optimizer.iterations) > 0  # the exported model keeps its own optimizers
    restored.fit(np.zeros((16, 2), np.float32), batch_size=16, epochs=1, verbose=0)
    assert int(restored.g_optimizer.iterations) == 1


def _archive(folder, tmp_path):
    import tarfile

    archive = tmp_path / "gan-remote.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="gan-remote")
    return archive


def test_download_from_card_url_into_zoo_home(exported, tmp_path, monkeypatch):
    """A card with a url and no weights downloads through keras.utils.get_file, sha256-checked."""
    model, path = exported
    remote = tmp_path / "remote" / "gan-remote"
    shutil.copytree(path, remote)
    card = zoo.ModelCard.read(remote)
    card.name = "gan-remote"
    (remote / "card.json").write_text(card.to_json())
    archive = _archive(remote, tmp_path)

    registered = tmp_path / "registered" / "gan-remote"
    registered.mkdir(parents=True)
    stub = zoo.ModelCard(name="gan-remote", family="gan", dataset="ring8", recipe="python -m recipes.train gan-remote",
                         url=archive.as_uri(), sha256=exports.sha256_file(archive))
    (registered / "card.json").write_text(stub.to_json())
    monkeypatch.setenv("ZOO_EXPORTS", str(registered.parent))
    monkeypatch.setenv("ZOO_HOME", str(tmp_path / "home"))

    pretrained = zoo.load("gan-remote")
    assert pretrained.path == tmp_path / "home" / "gan-remote"
    np.testing.assert_allclose(pretrained.sample(5, seed=2), model.sample(5, 2)[0].numpy(), rtol=1e-6, atol=1e-6)
    # Later loads find the cached copy first.
    assert zoo.load("gan-remote").path == tmp_path / "home" / "gan-remote"

    # A download whose sha256 differs from the card's is refused.
    stub.sha256 = "0" * 64
    stub.name = "gan-remote2"
    (registered.parent / "gan-remote2").mkdir()
    (registered.parent / "gan-remote2" / "card.json").write_text(stub.to_json())
    with pytest.raises(ValueError, match="(?i)hash"):
        zoo.load("gan-remote2")


# --------------------------------------------------------------------------- every runtime
def test_card_records_the_runtimes_checked_at_write_time(exported):
    card = zoo.ModelCard.read(exported[1])
    for runtime in ("eager", "session", "tfsm_layer"):
        assert card.runtimes[runtime] == ["discriminate", "generate", "sample"], runtime
    assert "generate" in card.runtimes["tflite"]
    assert card.weights == "raw" and card.wall_time is None


def test_session_loader_and_tfsm_layer_serve_generate(exported):
    """The graph-mode loader of TF Serving / saved_model_cli (failed with 'Could not find variable')."""
    from zoo.exports import serving

    model, path = exported
    z = np.random.default_rng(0).standard_normal([4, 2]).astype(np.float32)
    expected = model.generate(z).numpy()
    session = serving.run_session(path / "saved_model", {"serving_default": {"z": z}, "generate": {"z": z}})
    np.testing.assert_allclose(session["serving_default"]["x"], expected, atol=1e-5)
    np.testing.assert_allclose(session["generate"]["x"], expected, atol=1e-5)
    np.testing.assert_allclose(serving.run_tfsm_layer(path / "saved_model", "generate", {"z": z})["x"], expected, atol=1e-5)


def test_tflite_generate_carries_the_weights(exported):
    """TFLite converted an 11 KB model without the variables and returned NaN before."""
    from zoo.exports import serving

    model, path = exported
    z = np.random.default_rng(1).standard_normal([5, 2]).astype(np.float32)
    flat = serving.tflite_model(path / "saved_model", "generate")
    parameters = sum(int(np.prod(v.shape)) for v in model.generator.weights)
    assert len(flat) > 4 * parameters  # float32 weights are inside
    out = serving.run_tflite(flat, "generate", {"z": z})["x"]
    np.testing.assert_allclose(out, model.generate(z).numpy(), atol=1e-4)


def test_export_files_are_world_readable(exported):
    _, path = exported
    old = os.umask(0o022)
    os.umask(old)
    if old != 0o022:
        pytest.skip(f"the test expects the usual umask 022, the process has {oct(old)}")
    for p in [path, *path.rglob("*")]:
        assert (p.stat().st_mode & 0o777) == (0o755 if p.is_dir() else 0o644), p


@pytest.mark.parametrize("name", ["", ".", "..", "../gan", "Gan-ring8", "gan_ring8", "gan-", "a/b", " gan"])
def test_bad_name_is_refused_before_touching_disk(exported, tmp_path, name):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "card.json").write_text("{}")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(ValueError, match=r"must match \[a-z0-9\]\+\(-\[a-z0-9\]\+\)\*"):
        zoo.export(exported[0], name, dataset="ring8", out_dir=tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("name", [None, 3, b"gan-ring8", ["gan-ring8"]])
def test_non_string_name_is_a_type_error(exported, tmp_path, name):
    with pytest.raises(TypeError, match="must be a string"):
        zoo.export(exported[0], name, dataset="ring8", out_dir=tmp_path)
    with pytest.raises(TypeError, match="must be a string"):
        zoo.load(name)


def test_next_export_removes_a_crashed_exports_leftovers(exported, tmp_path):
    model, path = exported
    partial = tmp_path / ".gan-test.k3j2.partial"
    old = tmp_path / ".gan-test.old"
    for leftover in (partial, old):
        shutil.copytree(path, leftover)
    zoo.export(model, "gan-test", dataset="ring8", out_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gan-test.lock", "gan-test"]


def test_two_processes_exporting_one_name_both_succeed(tmp_path):
    """A file lock serialises them: both exit 0 and one complete export remains."""
    worker = os.path.join(os.path.dirname(__file__), "_export_worker.py")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    procs = [subprocess.Popen([sys.executable, worker, str(tmp_path), str(seed)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in (0, 1)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    for out, err, code in results:
        assert code == 0, err[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gan-race.lock", "gan-race"]
    pretrained = zoo.load(str(tmp_path / "gan-race"))  # verifies the manifest
    assert pretrained.sample(3, seed=0).shape == (3, 2)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_z_is_refused(exported, bad):
    z = np.zeros([3, 2], np.float32)
    z[1, 0] = bad
    with pytest.raises(ValueError, match="must be finite"):
        zoo.load(str(exported[1])).generate(z)
    with pytest.raises(ValueError, match="must be finite"):
        zoo.load(str(exported[1])).discriminate(z)


@pytest.mark.parametrize("n", [2**20 + 1, 10**9, 2**31, 2**64])
def test_n_above_the_limit_says_sample_in_batches(exported, n):
    with pytest.raises(ValueError, match="sample in batches"):
        zoo.load(str(exported[1])).sample(n, seed=0)


def test_symlinked_saved_model_behind_an_empty_manifest_is_refused(exported, tmp_path):
    """A card with files {} and saved_model linked to another export must not load those weights."""
    _, path = exported
    fake = tmp_path / "gan-fake"
    fake.mkdir()
    card = zoo.ModelCard.read(path)
    card.name, card.files = "gan-fake", {}
    (fake / "card.json").write_text(card.to_json())
    (fake / "saved_model").symlink_to(path / "saved_model")
    with pytest.raises(FileNotFoundError, match="no trained weights"):
        zoo.load(str(fake))
    card.files = {"model.keras": zoo.ModelCard.read(path).files["model.keras"]}
    shutil.copy(path / "model.keras", fake / "model.keras")
    (fake / "card.json").write_text(card.to_json())
    with pytest.raises(zoo.IntegrityError, match="does not list saved_model/saved_model.pb"):
        zoo.load(str(fake))
    card.files = zoo.ModelCard.read(path).files
    (fake / "card.json").write_text(card.to_json())
    with pytest.raises(zoo.IntegrityError, match="symbolic link"):
        zoo.load(str(fake))


@pytest.mark.parametrize("scale, shift", [(0.5, 0.5), (127.5, 127.5)])  # [0, 1] and [0, 255] images
def test_images_outside_minus_one_one_are_refused_with_how_to_scale(scale, shift):
    """vae-digits encoded [0, 1] or [0, 255] images into meaningless codes (reconstruction MSE 0.05 -> 0.28)."""
    vae = zoo.load("vae-digits")
    x = vae.sample(4, seed=0) * scale + shift
    with pytest.raises(ValueError, match=r"images in \[-1, 1\].*v / 8 - 1.*2 \* x - 1"):  # the digits own scaling
        vae.encode(x)
    vae.encode(np.clip(vae.sample(4, seed=0), -1, 1))  # images in range still encode
