"""PixelCNN (van den Oord et al. 2016, arXiv:1606.05328; PixelCNN++, Salimans et al. 2017,
arXiv:1701.05517) row: 8×8 digits with the discretised logistic mixture over the 17 grey levels,
measured by its exact test log-likelihood (the exact-likelihood protocol) and the digits sample protocol; and
Fashion-MNIST over its 256 levels, measured in bits per dimension."""
from recipes.base import Recipe, adam, net, register
from recipes.protocols import (FASHION_SHAPE, digits_rows, evaluate_exact_digits, fashion_likelihood_rows,
                               likelihood_protocol)
from zoo.data import DIGITS_SHAPE

register(Recipe(
    name="pixelcnn-digits", family="PixelCNN",
    **digits_rows(evaluate=evaluate_exact_digits(dequantize=False), protocol=likelihood_protocol),
    # TFP's PixelCNN++ network, narrowed for 8×8: 2 levels of the U-net (8×8, 4×4), one gated
    # residual layer per level, 8 filters, 5 logistics per pixel.  Sampling costs 64 network
    # passes per image and the digits protocol draws 10,000: with 8 filters 1,000 samples took
    # 20 s on the shared 2-core CPU, with 16 filters 37 s (for +1.4 nats per image at 500 steps).
    networks={"network": net("zoo.families.pixelcnn:pixelcnn_network", DIGITS_SHAPE, num_resnet=1,
                             num_hierarchies=2, num_filters=8, num_logistic_mix=5)},
    # 1,500 steps: seed 0 FID 11.1 and 50.2 nats per image, against 16.9 and 50.6
    # over 5 seeds at 600; its likelihood barely moves, unlike the flows' (recipes/maf.py).
    options={"levels": 17}, optimizers={"pixelcnn_optimizer": adam(2e-3)}, steps=1500,
    description=("PixelCNN++ on 8×8 digits: gated vertical/horizontal masked convolutions in a 2-level U-net "
                 "(8 filters), a mixture of 5 discretised logistics over the 17 grey levels per pixel; exact "
                 "log-likelihood served as log_prob, samples drawn pixel by pixel (no latent)."),
))

register(Recipe(
    name="pixelcnn-fashion-mnist", family="PixelCNN",
    **{**fashion_likelihood_rows(dequantize=False, samples=False), "batch_size": 32, "seeds": 3},
    # PixelCNN++ as in TFP's network, sized for 40 CPU minutes on 28×28: 2 levels of the U-net
    # (28×28, 14×14), one gated residual layer per level, 32 filters, 5 logistics per pixel over
    # the 256 levels (Salimans et al. 2017 train 5 blocks of 160 filters for days on GPUs).  3 seeds:
    # the export is seed 0's (2.984 test bits/dim; its 2,200 steps, 1.2 epochs, took 50 minutes on
    # one thread shared with a second training, 1.35 s a step); seeds 1-2 went into its card with
    # --into-card from a new run folder, trained side by side on a slower machine (2.4 s a step on
    # each of the 2 cores; docs/training.md).  Run alone on 2 cores, a seed fits the 40-minute
    # budget: seed 0 retrained in 35 minutes to 2.971 bits/dim and exported in 3 more
    # (docs/likelihood-fashion-mnist.md).
    networks={"network": net("zoo.families.pixelcnn:pixelcnn_network", FASHION_SHAPE, num_resnet=1,
                             num_hierarchies=2, num_filters=32, num_logistic_mix=5)},
    options={"levels": 256}, optimizers={"pixelcnn_optimizer": adam(1e-3)}, steps=2200,
    description=("PixelCNN++ on Fashion-MNIST: gated vertical/horizontal masked convolutions in a 2-level U-net "
                 "(32 filters), a mixture of 5 discretised logistics over the 256 grey levels per pixel; exact "
                 "log-likelihood served as log_prob, samples drawn pixel by pixel (784 passes; no latent)."),
))
