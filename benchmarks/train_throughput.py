"""Training throughput, side by side in one run: zoo against plain Keras and PyTorch.

    python benchmarks/train_throughput.py                 # every row, medians of 3 repeats (~8 min on 2 cores)
    python benchmarks/train_throughput.py --quick         # short repeats: a smoke run (~3 min)
    python benchmarks/train_throughput.py --only fashion  # only the Fashion-MNIST DCGAN rows (and the matmul)
    python benchmarks/train_throughput.py --markdown      # also print the README "Performance" table
    python benchmarks/train_throughput.py --threads 1     # pin both frameworks to N threads (a loaded machine)
    python benchmarks/train_throughput.py --profile       # where a 2-D GAN step's time goes
    python benchmarks/train_throughput.py --xla           # add the 2-D recipe path with XLA (not the default)

Rows (each a median of ``--repeats`` timed repeats after a warm-up; ``--only dcgan``,
``fashion`` or ``2d`` runs one group):

- **matmul**: fp32 2048×2048 @ 2048×2048 in TensorFlow and in PyTorch, the machine's roofline.
- **DCGAN 64×64, batch 64, random images** (the ``dcgan-celeba`` recipe's networks):
  zoo through the recipe's own training path (``recipes.train.train_one`` with its run folder:
  backups, TensorBoard, sample grids, NaN guard); plain Keras ``fit`` over a hand-written
  ``train_step``; PyTorch's official loop (pytorch/examples ``dcgan/main.py``: the fake images
  of the D step are reused for the G step) and a matched loop (G forward twice, as zoo does).
- **Fashion-MNIST DCGAN 28×28, batch 64** (the ``dcgan-fashion-mnist`` recipe's networks,
  z 100 -> 7×7×128 -> 14×14×64 -> 28×28×1 and its mirror, Adam 2e-4, β1 0.5): the recipe path
  as ``python -m recipes.train dcgan-fashion-mnist`` runs it, plain Keras ``fit``, and a
  PyTorch loop of the same layers matched to zoo's step, all on real Fashion-MNIST batches
  (random images, said in the rows, where the data is not installed).
- **2-D GAN, 128×3 MLPs, batch 256** (``gan-ring8``): the recipe path exactly as
  ``python -m recipes.train gan-ring8`` runs it (1,000-step epochs, every callback), the same
  with one step per call of the train function (the former path, before a whole epoch became
  one call), and a PyTorch eager loop with the same networks, batch, data and Adam.

The recipe path's callbacks run once per epoch; their time is measured and spread over the
recipe's own epoch length (at most 1,000 steps), so ``--quick``'s short epochs do not distort it.
GFLOP per step counts the matched step: D update = G forward + D forward and backward on the
real and the fake batch (1 G + 6 D forward-equivalents), G update = G forward and backward
through D (3 G + 2 D): 2 · batch · (4 · MAC(G) + 8 · MAC(D)), multiply-accumulates of the
dense and convolution layers.  Every row uses the same count, so GFLOP/s compares as steps/s.

PyTorch comes from the ``bench`` extra (``pip install -e ".[bench]"``: ``torch==2.13.0``, the
CPU build); without it the TensorFlow rows still run.  Compare only within one run, on a quiet
machine: the same 2-core machines measured a 2048³ matmul anywhere from 206 to 345 GFLOP/s on
different days, and other jobs on the cores change every row.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MATMUL_N = 2048
DCGAN_BATCH, MIXTURE_BATCH = 64, 256
ROW_GROUPS = ("dcgan", "fashion", "2d")  # --only's choices, in the order the rows run
INSTALL_TORCH = 'pip install -e ".[bench]"   (torch==2.13.0, the CPU build)'


# --------------------------------------------------------------------------- helpers
def median_rate(count: float, seconds: list[float]) -> float:
    """``count`` per second over the median of the timed repeats."""
    return count / statistics.median(seconds)


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def forward_macs(model) -> int:
    """Multiply-accumulates of one sample's forward pass through the dense and convolution
    layers of a Keras model (nested models included)."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += forward_macs(layer)
        elif isinstance(layer, keras.layers.Dense):
            rows = 1
            for d in layer.input.shape[1:-1]:
                rows *= int(d)
            total += rows * int(layer.input.shape[-1]) * layer.units
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            kh, kw = layer.kernel_size
            c_in, c_out = int(layer.input.shape[-1]), layer.filters
            # A convolution does k² · c_in · c_out MACs per output pixel; a transposed one per input pixel.
            shape = layer.output.shape if isinstance(layer, keras.layers.Conv2D) else layer.input.shape
            total += int(shape[1]) * int(shape[2]) * kh * kw * c_in * c_out
    return total


def step_gflop(generator, discriminator, batch: int) -> float:
    """GFLOP of one matched GAN step (module docstring): 2 · batch · (4 G + 8 D) MACs."""
    return 2 * batch * (4 * forward_macs(generator) + 8 * forward_macs(discriminator)) / 1e9


@dataclasses.dataclass
class Row:
    group: str
    loop: str
    steps_per_s: float | None
    batch: int
    gflop: float
    framework: str  # "tf" or "torch": whose matmul rate the row is compared with
    note: str = ""

    def gflops(self) -> float | None:
        return None if self.steps_per_s is None else self.steps_per_s * self.gflop


# --------------------------------------------------------------------------- matmul
def matmul_tf(n: int, repeats: int) -> float:
    import tensorflow as tf

    a = tf.random.normal([n, n])
    b = tf.random.normal([n, n])

    @tf.function
    def matmul(a, b):
        return tf.reduce_sum(tf.matmul(a, b))

    matmul(a, b).numpy()  # warm-up
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a, b).numpy()
        seconds.append(time.perf_counter() - start)
    return median_rate(2 * n**3 / 1e9, seconds)


def matmul_torch(torch, n: int, repeats: int) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        seconds.append(time.perf_counter() - start)
    return median_rate(2 * n**3 / 1e9, seconds)


# --------------------------------------------------------------------------- zoo recipe path
def epoch_clock():
    """A Keras callback timing each epoch's training (begin -> end) and its epoch-end
    callbacks (end -> next begin).  Placed before the recipe's backup, TensorBoard and
    sample-grid callbacks, so those count as epoch-end time."""
    import keras

    class EpochClock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.begins, self.ends = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self.begins.append(time.perf_counter())

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

        def on_train_end(self, logs=None):
            self.begins.append(time.perf_counter())

        def train_seconds(self):  # epoch 1 traces the graph: left out
            return [end - begin for begin, end in zip(self.begins[1:], self.ends[1:])]

        def epoch_end_seconds(self):
            return [begin - end for end, begin in zip(self.ends[1:], self.begins[2:])]

    return EpochClock()


def xla_switch():
    """A Keras callback that turns XLA on (``jit_compile=True``) for the model it is given:
    ``set_model`` runs before ``fit`` makes the train function.  Benchmark only: XLA is not
    the recipe default (measured 39 % slower on DCGAN-64 on a 2-core CPU)."""
    import keras

    class XLASwitch(keras.callbacks.Callback):
        def set_model(self, model):
            super().set_model(model)
            model.jit_compile = True

    return XLASwitch()


def recipe_path_rate(recipe, batch: int, steps_per_epoch: int, repeats: int, steps_per_execution=None, xla=False):
    """Steps/s of ``recipes.train.train_one`` with its run folder (every callback), the
    epoch-end callbacks spread over the recipe's own epoch length; and their seconds per epoch."""
    from recipes.train import epoch_plan, train_one

    clock = epoch_clock()
    callbacks = [clock, xla_switch()] if xla else [clock]
    with tempfile.TemporaryDirectory() as run_dir:
        train_one(dataclasses.replace(recipe, evaluate=None), 0, steps_per_epoch * (repeats + 1), batch, 0,
                  run_dir=run_dir, steps_per_epoch=steps_per_epoch, callbacks=callbacks,
                  steps_per_execution=steps_per_execution)
    per_step = statistics.median(clock.train_seconds()) / steps_per_epoch
    epoch_end = statistics.median(clock.epoch_end_seconds())
    recipe_epoch = epoch_plan(recipe.steps)[1]
    return recipe_epoch / (recipe_epoch * per_step + epoch_end), epoch_end


# --------------------------------------------------------------------------- DCGAN
def random_images(shape):
    """``(batch_size, seed) -> dataset`` of fixed random images in [-1, 1] (the speed does not
    depend on the pictures; CelebA is not on this machine)."""

    def data(batch_size, seed):
        import tensorflow as tf

        images = tf.random.stateless_uniform([4 * batch_size, *shape], seed=[seed, 0], minval=-1.0, maxval=1.0)
        return tf.data.Dataset.from_tensor_slices(images).repeat().batch(batch_size, drop_remainder=True)

    return data


def plain_keras_gan(generator, discriminator):
    """A DCGAN step written as the keras-io example writes it (``dcgan_overriding_train_step``):
    one tape per player, fresh noise for each, Adam(2e-4, β1 0.5), binary cross-entropy."""
    import keras
    import tensorflow as tf

    class PlainGAN(keras.Model):
        def __init__(self):
            super().__init__()
            self.generator, self.discriminator = generator, discriminator
            self.latent_dim = int(generator.inputs[0].shape[-1])
            self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

        def compile(self):
            super().compile()
            self.g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
            self.d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)

        def train_step(self, x):
            batch = tf.shape(x)[0]
            z = tf.random.normal([batch, self.latent_dim])
            with tf.GradientTape() as tape:
                real, fake = self.discriminator(x, training=True), self.discriminator(self.generator(z, training=True),
                                                                                        training=True)
                d_loss = self.bce(tf.ones_like(real), real) + self.bce(tf.zeros_like(fake), fake)
            d_vars = self.discriminator.trainable_variables
            self.d_opt.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars))
            z = tf.random.normal([batch, self.latent_dim])
            with tf.GradientTape() as tape:
                fake = self.discriminator(self.generator(z, training=True), training=True)
                g_loss = self.bce(tf.ones_like(fake), fake)
            g_vars = self.generator.trainable_variables
            self.g_opt.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars))
            return {"d_loss": d_loss, "g_loss": g_loss}

    model = PlainGAN()
    model.compile()
    return model


def keras_fit_rate(model, dataset, steps: int, repeats: int) -> float:
    clock = epoch_clock()
    model.fit(dataset, steps_per_epoch=steps, epochs=repeats + 1, verbose=0, callbacks=[clock], shuffle=False)
    return median_rate(steps, clock.train_seconds())


def torch_dcgan(torch, nz=100, ngf=64, ndf=64, nc=3):
    """The 64×64 networks of pytorch/examples ``dcgan/main.py`` (N(0, 0.02) init, BN γ ~ N(1, 0.02))."""
    nn = torch.nn
    generator = nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid(),
    )

    def init(module):
        if "Conv" in type(module).__name__:
            nn.init.normal_(module.weight, 0.0, 0.02)
        elif "BatchNorm" in type(module).__name__:
            nn.init.normal_(module.weight, 1.0, 0.02)
            nn.init.zeros_(module.bias)

    generator.apply(init)
    discriminator.apply(init)
    return generator, discriminator


def torch_gan_step(torch, generator, discriminator, opt_g, opt_d, loss, sample_noise, real, reuse_fake):
    """One GAN step of pytorch/examples (``reuse_fake``: D(fake) of the D step's fake images
    drives the G step) or matched to zoo (fresh noise, G forward again)."""
    batch = real.shape[0]
    ones, zeros = torch.ones(batch), torch.zeros(batch)
    discriminator.zero_grad()
    loss(discriminator(real).view(-1), ones).backward()
    fake = generator(sample_noise(batch))
    loss(discriminator(fake.detach()).view(-1), zeros).backward()
    opt_d.step()
    generator.zero_grad()
    if not reuse_fake:
        fake = generator(sample_noise(batch))
    loss(discriminator(fake).view(-1), ones).backward()
    opt_g.step()


def torch_adams(torch, generator, discriminator):
    """The DCGAN optimiser for each player, as the recipes' ``DCGAN_ADAM``: Adam(2e-4, β1 0.5)."""
    return (torch.optim.Adam(generator.parameters(), 2e-4, betas=(0.5, 0.999)),
            torch.optim.Adam(discriminator.parameters(), 2e-4, betas=(0.5, 0.999)))


def batch_sampler(torch, data, batch: int):
    """``i -> the i-th batch`` of ``data``'s rows, reshuffled at every pass (``i`` a multiple of
    the batches in a pass), as the tf.data pipelines reshuffle each iteration."""
    per_pass = len(data) // batch
    order = torch.randperm(len(data))

    def sample(i):
        nonlocal order
        k = i % per_pass
        if k == 0:
            order = torch.randperm(len(data))
        return data[order[k * batch:(k + 1) * batch]]

    return sample


def torch_matched_step(torch, generator, discriminator, sample_noise, loss, batches):
    """``i -> None``: one zoo-matched GAN step (fresh noise, G forward twice) on ``batches(i)``."""
    opt_g, opt_d = torch_adams(torch, generator, discriminator)

    def step(i):
        torch_gan_step(torch, generator, discriminator, opt_g, opt_d, loss, sample_noise, batches(i),
                       reuse_fake=False)

    return step


def torch_rate(step, steps: int, repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        step(0)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(steps):
            step(i)
        seconds.append(time.perf_counter() - start)
    return median_rate(steps, seconds)


def dcgan_rows(args, torch) -> list[Row]:
    from recipes import get_recipe

    recipe = dataclasses.replace(get_recipe("dcgan-celeba"), data=random_images((64, 64, 3)))
    networks = recipe.build_networks()
    gflop = step_gflop(networks["generator"], networks["discriminator"], DCGAN_BATCH)
    steps = 3 if args.quick else 10
    print(f"DCGAN-64: {gflop:.1f} GFLOP a step; {args.repeats} repeats of {steps} steps per row", flush=True)
    rows = []
    rate, epoch_end = recipe_path_rate(recipe, DCGAN_BATCH, steps, args.repeats)
    rows.append(Row("DCGAN 64×64, batch 64", "zoo recipe path (`train_one`, every callback)", rate, DCGAN_BATCH,
                    gflop, "tf", f"epoch-end callbacks {epoch_end:.2f} s per epoch"))
    plain = plain_keras_gan(networks["generator"], networks["discriminator"])
    rows.append(Row("DCGAN 64×64, batch 64", "plain Keras `fit`, hand-written `train_step`",
                    keras_fit_rate(plain, recipe.data(DCGAN_BATCH, 0), steps, args.repeats), DCGAN_BATCH, gflop, "tf"))
    for reuse, name in ((True, "PyTorch, pytorch/examples loop (fake reused for G)"),
                        (False, "PyTorch, matched loop (G forward twice)")):
        if torch is None:
            rows.append(Row("DCGAN 64×64, batch 64", name, None, DCGAN_BATCH, gflop, "torch", "torch not installed"))
            continue
        torch.manual_seed(0)
        generator, discriminator = torch_dcgan(torch)
        opt_g, opt_d = torch_adams(torch, generator, discriminator)
        real = torch.rand(DCGAN_BATCH, 3, 64, 64) * 2 - 1
        loss = torch.nn.BCELoss()

        def step(_, reuse=reuse):
            torch_gan_step(torch, generator, discriminator, opt_g, opt_d, loss,
                           lambda n: torch.randn(n, 100, 1, 1), real, reuse)

        rows.append(Row("DCGAN 64×64, batch 64", name, torch_rate(step, steps, args.repeats), DCGAN_BATCH, gflop,
                        "torch"))
    return rows


# --------------------------------------------------------------------------- Fashion-MNIST DCGAN
def torch_fashion_dcgan(torch, nz=100, filters=64):
    """``dcgan_networks(100, 28, 1, filters=64)`` of ``dcgan-fashion-mnist`` in PyTorch, layer
    for layer: z -> Linear (no bias) -> 7×7×128 -> BN, ReLU -> 4×4 stride-2 transposed
    convolution (no bias) -> 14×14×64 -> BN, ReLU -> 4×4 stride-2 transposed convolution ->
    28×28×1, tanh; D mirrored (4×4 stride-2 convolutions, LeakyReLU 0.2, BN on the second,
    one logit).  Keras's ``padding="same"`` with kernel 4 and stride 2 pads 1 pixel on each side
    (2 in all, split evenly), which is PyTorch's ``padding=1``: 28 -> 14 -> 7 and back,
    ``output_padding=0``.  BN as Keras's (momentum 0.99, ε 1e-3); N(0, 0.02) weights."""
    nn = torch.nn
    wide = 2 * filters

    def bn(channels):
        return nn.BatchNorm2d(channels, momentum=0.01, eps=1e-3)

    generator = nn.Sequential(
        nn.Linear(nz, 7 * 7 * wide, bias=False), nn.Unflatten(1, (wide, 7, 7)), bn(wide), nn.ReLU(),
        nn.ConvTranspose2d(wide, filters, 4, 2, 1, bias=False), bn(filters), nn.ReLU(),
        nn.ConvTranspose2d(filters, 1, 4, 2, 1), nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(1, filters, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(filters, wide, 4, 2, 1, bias=False), bn(wide), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(7 * 7 * wide, 1),
    )
    for module in (*generator, *discriminator):
        if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(module.weight, 0.0, 0.02)
    return generator, discriminator


def fashion_images():
    """Fashion-MNIST's train images as float32 ``[N, 28, 28, 1]`` in [-1, 1], or None when the
    data is on none of zoo's searched folders (the rows then run on random images)."""
    from zoo.data import FashionMnistUnavailableError, fashion_mnist_split

    try:
        return fashion_mnist_split()[0]
    except FashionMnistUnavailableError:
        return None


def fashion_rows(args, torch) -> list[Row]:
    import numpy as np

    from recipes import get_recipe

    recipe = get_recipe("dcgan-fashion-mnist")
    batch = recipe.batch_size
    images = fashion_images()
    data_note = "real Fashion-MNIST batches"
    if images is None:
        recipe = dataclasses.replace(recipe, data=random_images((28, 28, 1)))
        data_note = "random images: Fashion-MNIST not found"
    networks = recipe.build_networks()
    gflop = step_gflop(networks["generator"], networks["discriminator"], batch)
    steps = 20 if args.quick else 100
    group = f"Fashion-MNIST DCGAN 28×28, batch {batch}"
    print(f"Fashion-MNIST DCGAN ({data_note}): {gflop:.2f} GFLOP a step; {args.repeats} repeats of {steps} steps "
          "per row", flush=True)
    rows = []
    rate, epoch_end = recipe_path_rate(recipe, batch, steps, args.repeats)
    rows.append(Row(group, "zoo recipe path (`python -m recipes.train dcgan-fashion-mnist`, every callback)", rate,
                    batch, gflop, "tf", f"{data_note}; epoch-end callbacks {epoch_end:.2f} s per epoch"))
    plain = plain_keras_gan(networks["generator"], networks["discriminator"])
    rows.append(Row(group, "plain Keras `fit`, hand-written `train_step`",
                    keras_fit_rate(plain, recipe.data(batch, 0), steps, args.repeats), batch, gflop, "tf", data_note))
    name = "PyTorch, matched loop (G forward twice)"
    if torch is None:
        rows.append(Row(group, name, None, batch, gflop, "torch", "torch not installed"))
        return rows
    torch.manual_seed(0)
    generator, discriminator = torch_fashion_dcgan(torch)
    # NCHW with one channel holds NHWC's bytes in the same order: a reshape, then one copy
    # (torch wants a writable array; the split is read-only).
    pictures = (torch.rand(4 * batch, 1, 28, 28) * 2 - 1 if images is None
                else torch.from_numpy(np.array(images).reshape(-1, 1, 28, 28)))
    batches = batch_sampler(torch, pictures, batch)
    step = torch_matched_step(torch, generator, discriminator, lambda n: torch.randn(n, 100),
                              torch.nn.BCEWithLogitsLoss(), batches)
    rows.append(Row(group, name, torch_rate(step, steps, args.repeats), batch, gflop, "torch", data_note))
    return rows


# --------------------------------------------------------------------------- 2-D GAN
def torch_mlp(torch, out_dim, batch_norm, activation):
    """``zoo.networks.mlp(2, out_dim, hidden=(128,) * 3)``: BN (Keras' momentum 0.99, ε 1e-3)
    before each hidden activation when ``batch_norm``."""
    nn = torch.nn
    layers, width = [], 2
    for _ in range(3):
        layers.append(nn.Linear(width, 128, bias=not batch_norm))
        if batch_norm:
            layers.append(nn.BatchNorm1d(128, momentum=0.01, eps=1e-3))
        layers.append(activation())
        width = 128
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


def mixture_rows(args, torch) -> list[Row]:
    from recipes import get_recipe
    from zoo.data import mixture_samples

    recipe = get_recipe("gan-ring8")
    networks = recipe.build_networks()
    gflop = step_gflop(networks["generator"], networks["discriminator"], MIXTURE_BATCH)
    steps = 250 if args.quick else 1000
    print(f"2-D GAN: {gflop:.3f} GFLOP a step; {args.repeats} repeats of {steps}-step epochs per row", flush=True)
    group = "2-D GAN (gan-ring8), batch 256"
    rows = []
    rate, epoch_end = recipe_path_rate(recipe, MIXTURE_BATCH, steps, args.repeats)
    rows.append(Row(group, "zoo recipe path (`python -m recipes.train gan-ring8`, every callback)", rate,
                    MIXTURE_BATCH, gflop, "tf", f"epoch-end callbacks {epoch_end:.2f} s per epoch"))
    rate, epoch_end = recipe_path_rate(recipe, MIXTURE_BATCH, steps, args.repeats, steps_per_execution=1)
    rows.append(Row(group, "zoo recipe path, one step per call (the former path)", rate, MIXTURE_BATCH, gflop, "tf",
                    f"epoch-end callbacks {epoch_end:.2f} s per epoch"))
    if args.xla:
        rate, epoch_end = recipe_path_rate(recipe, MIXTURE_BATCH, steps, args.repeats, xla=True)
        rows.append(Row(group, "zoo recipe path + XLA (`jit_compile=True`, not the default)", rate, MIXTURE_BATCH,
                        gflop, "tf", f"epoch-end callbacks {epoch_end:.2f} s per epoch"))
    if torch is None:
        rows.append(Row(group, "PyTorch eager loop, same networks", None, MIXTURE_BATCH, gflop, "torch",
                        "torch not installed"))
        return rows
    torch.manual_seed(0)
    generator = torch_mlp(torch, 2, True, torch.nn.ReLU)
    discriminator = torch_mlp(torch, 1, False, lambda: torch.nn.LeakyReLU(0.2))
    batches = batch_sampler(torch, torch.from_numpy(mixture_samples("ring8", 100_000, 0)), MIXTURE_BATCH)
    step = torch_matched_step(torch, generator, discriminator, lambda n: torch.randn(n, 2),
                              torch.nn.BCEWithLogitsLoss(), batches)
    rows.append(Row(group, "PyTorch eager loop, same networks, data and Adam", torch_rate(step, steps, args.repeats, 50),
                    MIXTURE_BATCH, gflop, "torch"))
    return rows


# --------------------------------------------------------------------------- profile
def profile_mixture_step(steps: int, repeats: int) -> list[tuple[str, float]]:
    """Where a ``gan-ring8`` step's time goes: milliseconds per step of nested parts of the
    step, each run ``steps`` times inside one compiled ``tf.while_loop`` on a fixed batch (no
    data pipeline, no Keras loop), beside the recipe's ``fit`` and the step's arithmetic alone
    (its GFLOP at the rate this CPU reaches on the step's own 256×128 @ 128×128 matmul)."""
    import tensorflow as tf

    from recipes import get_recipe

    recipe = get_recipe("gan-ring8")
    model = recipe.build(0)
    x = next(iter(recipe.data(MIXTURE_BATCH, 0)))
    gen, disc = model.generator, model.discriminator
    d_vars, g_vars = disc.trainable_variables, gen.trainable_variables

    def forward():
        z = tf.random.normal([MIXTURE_BATCH, 2])
        d_loss = model.discriminator_loss(disc(x, training=True), disc(gen(z, training=True), training=True))
        return d_loss + model.generator_loss(disc(gen(z, training=True), training=True))

    def gradients():
        z = tf.random.normal([MIXTURE_BATCH, 2])
        with tf.GradientTape() as tape:
            d_loss = model.discriminator_loss(disc(x, training=True), disc(gen(z, training=True), training=True))
        d_grads = tape.gradient(d_loss, d_vars)
        with tf.GradientTape() as tape:
            g_loss = model.generator_loss(disc(gen(z, training=True), training=True))
        g_grads = tape.gradient(g_loss, g_vars)
        return tf.add_n([tf.reduce_sum(g) for g in d_grads + g_grads])  # keeps every gradient alive

    def train_step():
        logs = model.train_step(x)
        return tf.add_n(list(logs.values()))

    a = tf.random.normal([MIXTURE_BATCH, 128])
    w = tf.random.normal([128, 128])

    def matmul():
        return tf.reduce_sum(tf.matmul(a, w))

    def per_step_ms(part) -> float:
        # As Keras runs several steps per call: a compiled step (no autograph) called from a
        # tf.while_loop, so each part gets the graph optimisations the train function gets.
        step = tf.function(part, autograph=False)

        @tf.function(autograph=False)
        def loop(n):
            def body(i, total):
                return i + 1, total + step()

            return tf.while_loop(lambda i, total: i < n, body, (tf.constant(0), tf.constant(0.0)))[1]

        loop(tf.constant(steps)).numpy()
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            loop(tf.constant(steps)).numpy()
            seconds.append(time.perf_counter() - start)
        return 1e3 * statistics.median(seconds) / steps

    matmul_gflops = 2 * MIXTURE_BATCH * 128 * 128 / 1e9 / (per_step_ms(matmul) / 1e3)
    networks = recipe.build_networks()
    gflop = step_gflop(networks["generator"], networks["discriminator"], MIXTURE_BATCH)
    fitted = recipe.build(0)
    fitted.steps_per_execution = steps
    clock = epoch_clock()
    fitted.fit(recipe.data(MIXTURE_BATCH, 0), steps_per_epoch=steps, epochs=repeats + 1, verbose=0, callbacks=[clock],
               shuffle=False)
    return [
        (f"arithmetic alone ({gflop:.3f} GFLOP at the {matmul_gflops:.0f} GFLOP/s of a 256×128 @ 128×128 matmul)",
         1e3 * gflop / matmul_gflops),
        ("forward passes of the step (D: real, fake; G: fake) and both losses", per_step_ms(forward)),
        ("+ both players' gradients (no update)", per_step_ms(gradients)),
        ("+ both Adam updates and the loss trackers: zoo's train_step", per_step_ms(train_step)),
        ("+ tf.data batches and Keras' loop: fit, one epoch per call, no callbacks",
         1e3 * statistics.median(clock.train_seconds()) / steps),
    ]


# --------------------------------------------------------------------------- report
def ratios(rows: list[Row]) -> list[str]:
    """The speed goals and the speed-ups, as ratios of the rows' steps/s (rows not run: n/a)."""

    def rate(group: str, *words: str):
        return next((r.steps_per_s for r in rows if r.group.startswith(group) and all(w in r.loop for w in words)),
                    None)

    def ratio(a, b, label):
        return f"{label}: {a / b:.2f}×" if a and b else f"{label}: n/a"

    zoo_dcgan, zoo_2d = rate("DCGAN", "zoo recipe path"), rate("2-D", "zoo recipe path", "every callback")
    zoo_fashion = rate("Fashion", "zoo recipe path")
    old_2d = rate("2-D", "one step per call")
    return [
        ratio(zoo_dcgan, rate("DCGAN", "matched"), "DCGAN-64, zoo / PyTorch matched (goal ≥ 1.2×)"),
        ratio(zoo_dcgan, rate("DCGAN", "examples"), "DCGAN-64, zoo / PyTorch official (goal ≥ 1.1×)"),
        ratio(zoo_dcgan, rate("DCGAN", "plain Keras"), "DCGAN-64, zoo / plain Keras"),
        ratio(zoo_fashion, rate("Fashion", "matched"), "Fashion-MNIST DCGAN, zoo / PyTorch matched (goal ≥ 1.2×)"),
        ratio(zoo_fashion, rate("Fashion", "plain Keras"), "Fashion-MNIST DCGAN, zoo / plain Keras"),
        ratio(zoo_2d, rate("2-D", "PyTorch"), "2-D GAN, zoo recipe path / PyTorch eager (goal ≥ 2.5×)"),
        ratio(old_2d, rate("2-D", "PyTorch"), "2-D GAN, one step per call / PyTorch eager"),
        ratio(zoo_2d, old_2d, "2-D GAN, recipe path speed-up over one step per call"),
    ]


def table(rows: list[Row], matmul: dict, markdown: bool) -> str:
    header = ("workload", "loop", "steps/s", "samples/s", "GFLOP/s", "% of matmul", "note")
    lines = []
    for row in rows:
        gflops = row.gflops()
        peak = matmul.get(row.framework)
        cells = (row.group, row.loop,
                 "–" if row.steps_per_s is None else f"{row.steps_per_s:.3g}" if row.steps_per_s < 100
                 else f"{row.steps_per_s:.0f}",
                 "–" if row.steps_per_s is None else f"{row.steps_per_s * row.batch:,.0f}",
                 "–" if gflops is None else f"{gflops:.1f}",
                 "–" if gflops is None or not peak else f"{100 * gflops / peak:.0f} %", row.note)
        lines.append(cells)
    for name, key in (("TensorFlow", "tf"), ("PyTorch", "torch")):
        value = matmul.get(key)
        lines.append((f"fp32 matmul {MATMUL_N}³", name, "–", "–", "–" if value is None else f"{value:.0f}",
                      "100 %" if value else "–", "" if value else "torch not installed"))
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(cells) + " |" for cells in lines]
        return "\n".join(out)
    widths = [max(len(str(cells[i])) for cells in [header, *lines]) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip() for cells in [header, *lines])


def import_torch(threads):
    try:
        import torch
    except ImportError:
        print(f"PyTorch is not installed: its rows are skipped. Install it with\n    {INSTALL_TORCH}", flush=True)
        return None
    if threads:
        torch.set_num_threads(threads)
    return torch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short repeats (a smoke run; noisier)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats per row after warm-up (default 3)")
    parser.add_argument("--markdown", action="store_true", help="also print the README table (markdown)")
    parser.add_argument("--only", choices=ROW_GROUPS, default=None,
                        help="run only these rows (and the matmul): DCGAN-64, Fashion-MNIST DCGAN or 2-D GAN")
    parser.add_argument("--xla", action="store_true",
                        help="add a row: the 2-D recipe path with XLA (jit_compile=True), to decide whether to adopt it")
    parser.add_argument("--profile", action="store_true",
                        help="only profile the 2-D GAN step: milliseconds per step of its nested parts")
    parser.add_argument("--threads", type=int, default=None,
                        help="intra-op threads of both frameworks (default: theirs, all cores)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1. Received: --repeats {args.repeats}")

    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    torch = import_torch(args.threads)
    start, load_before = time.time(), load_average()
    versions = f"TensorFlow {tf.__version__}" + (f", PyTorch {torch.__version__}" if torch else "")
    print(f"{cpu_name()}, {os.cpu_count()} cores; {versions}; load average before: {load_before}", flush=True)

    if args.profile:
        steps = 100 if args.quick else 500
        print(f"gan-ring8 step, batch {MIXTURE_BATCH}: milliseconds per step (median of {args.repeats} x {steps} steps)")
        for label, ms in profile_mixture_step(steps, args.repeats):
            print(f"  {ms:7.3f} ms  {label}")
        print(f"load average before {load_before}, after {load_average()} ({os.cpu_count()} cores)")
        return
    repeats = max(args.repeats, 5)  # a matmul is short: more repeats cost nothing
    matmul = {"tf": matmul_tf(MATMUL_N, repeats), "torch": matmul_torch(torch, MATMUL_N, repeats) if torch else None}
    print(f"fp32 matmul {MATMUL_N}³: TensorFlow {matmul['tf']:.0f} GFLOP/s"
          + (f", PyTorch {matmul['torch']:.0f} GFLOP/s" if torch else ""), flush=True)
    rows = [row for group, make_rows in zip(ROW_GROUPS, (dcgan_rows, fashion_rows, mixture_rows))
            if args.only in (None, group) for row in make_rows(args, torch)]

    print()
    print(table(rows, matmul, markdown=False))
    print()
    for line in ratios(rows):
        print(line)
    print(f"\n{time.time() - start:.0f} s; load average before {load_before}, after {load_average()} "
          f"({os.cpu_count()} cores)")
    if args.markdown:
        command = "python benchmarks/train_throughput.py" + (" --quick" if args.quick else "")
        print(f"\n<!-- {command}: {cpu_name()}, {os.cpu_count()} cores, {versions}, "
              f"load {load_before} -> {load_average()} -->")
        print(table(rows, matmul, markdown=True))
        print()
        for line in ratios(rows):
            print(f"- {line}")


if __name__ == "__main__":
    main()
