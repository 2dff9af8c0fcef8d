"""Wasserstein auto-encoder rows: 8×8 digits (PROTOCOLS.md §3), a deterministic 8-d code and
the squared-L2 cost; the code's distribution matched to the prior by MMD or by a latent GAN."""
from recipes.base import Recipe, adam, register
from recipes.protocols import AE_LATENT, ae_decoder, ae_encoder, autoencoder_rows, latent_discriminator

register(Recipe(
    name="wae-mmd-digits", family="WAEMMD", **autoencoder_rows(),
    networks={"encoder": ae_encoder(), "generator": ae_decoder()}, options={"lam": 10.0},
    optimizers={"ae_optimizer": adam(1e-3)}, steps=8000, seeds=3,
    description=(f"WAE-MMD (IMQ kernel over scales, λ = 10), deterministic {AE_LATENT}-d code, "
                 "squared-L2 cost; MLP networks."),
))

register(Recipe(
    name="wae-gan-digits", family="WAEGAN", **autoencoder_rows(),
    networks={"encoder": ae_encoder(), "generator": ae_decoder(), "discriminator": latent_discriminator()},
    options={"lam": 1.0},
    # The paper's optimisers: Adam 1e-3 for the auto-encoder, 5e-4 for the adversary.
    optimizers={"ae_optimizer": adam(1e-3), "d_optimizer": adam(5e-4, beta_1=0.5)}, steps=6000, seeds=3,
    description=(f"WAE-GAN (latent discriminator, λ = 1), deterministic {AE_LATENT}-d code, "
                 "squared-L2 cost; MLP networks."),
))
