"""VAE rows: 8×8 digits (PROTOCOLS.md §3), measured by the reconstruction MSE, the digits
sample protocol, and the ELBO and importance-weighted bound (k = 1000) of the discrete images.

The auto-encoding rows (VAE, AVB, AAE, WAE, ALI) share MLP encoders/decoders with an 8-d code
(``recipes.protocols``).  Seeds: 5 for the VAE; 3 for the others, whose steps cost up to three
times a VAE step (an adversary to train too) on the 2-core CPU shared by the whole project;
the card records how many seeds its mean ± s.e. covers.
"""
from recipes.base import Recipe, adam, register
from recipes.protocols import AE_LATENT, ae_decoder, ae_encoder, autoencoder_rows

IWAE_PAPER = "Burda et al. 2016, Importance Weighted Autoencoders, arXiv:1509.00519"

register(Recipe(
    name="vae-digits", family="VAE",
    **autoencoder_rows(bounds=True, dequantized=True),
    # The encoder gives the 2 × 8 parameters of the Gaussian posterior, the decoder a location
    # and a scale per pixel.
    networks={"encoder": ae_encoder(2 * AE_LATENT), "generator": ae_decoder(channels_multiplier=2)},
    options={"likelihood": "gaussian"}, optimizers={"vae_optimizer": adam(1e-3)}, steps=8000,
    description=(f"VAE with a {AE_LATENT}-d Gaussian posterior and a Gaussian likelihood (per-pixel mean "
                 "and scale) on uniformly dequantised 8×8 digits; MLP encoder and decoder."),
    papers=[IWAE_PAPER],
))
