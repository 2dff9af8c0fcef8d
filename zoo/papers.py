"""The papers the zoo implements, each written once: families list them in ``PAPERS``, cards
copy them, recipes add the papers of their protocol.

A string is "Authors year, Title, arXiv:id" so a card reader can find the paper.
"""

GAN = "Goodfellow et al. 2014, Generative Adversarial Nets, arXiv:1406.2661"
DCGAN = ("Radford, Metz & Chintala 2016, Unsupervised Representation Learning with Deep "
         "Convolutional Generative Adversarial Networks, arXiv:1511.06434")
CGAN = "Mirza & Osindero 2014, Conditional Generative Adversarial Nets, arXiv:1411.1784"
LAPGAN = ("Denton, Chintala, Szlam & Fergus 2015, Deep Generative Image Models using a "
          "Laplacian Pyramid of Adversarial Networks, arXiv:1506.05751")
FGAN = ("Nowozin, Cseke & Tomioka 2016, f-GAN: Training Generative Neural Samplers using Variational "
        "Divergence Minimization, arXiv:1606.00709")
IMPLICIT_MODELS = "Mohamed & Lakshminarayanan 2016, Learning in Implicit Generative Models, arXiv:1610.03483"
DENSITY_RATIO_GAN = ("Uehara et al. 2016, Generative Adversarial Nets from a Density Ratio Estimation "
                     "Perspective, arXiv:1610.02920")
WGAN = "Arjovsky, Chintala & Bottou 2017, Wasserstein GAN, arXiv:1701.07875"
WGAN_GP = "Gulrajani et al. 2017, Improved Training of Wasserstein GANs, arXiv:1704.00028"
CRAMER = ("Bellemare et al. 2017, The Cramer Distance as a Solution to Biased Wasserstein Gradients, "
          "arXiv:1705.10743")
UNROLLED = "Metz et al. 2017, Unrolled Generative Adversarial Networks, arXiv:1611.02163"
VAE = "Kingma & Welling 2013, Auto-Encoding Variational Bayes, arXiv:1312.6114"
AVB = "Mescheder et al. 2017, Adversarial Variational Bayes, arXiv:1701.04722"
AAE = "Makhzani et al. 2015, Adversarial Autoencoders, arXiv:1511.05644"
WAE = "Tolstikhin et al. 2018, Wasserstein Auto-Encoders, arXiv:1711.01558"
ALI = "Dumoulin et al. 2016, Adversarially Learned Inference, arXiv:1606.00704"
BIGAN = "Donahue et al. 2016, Adversarial Feature Learning, arXiv:1605.09782"
PIXELCNN = "van den Oord et al. 2016, Conditional Image Generation with PixelCNN Decoders, arXiv:1606.05328"
PIXELCNN_PP = "Salimans, Karpathy, Chen & Kingma 2017, PixelCNN++, arXiv:1701.05517"
REALNVP = "Dinh, Sohl-Dickstein & Bengio 2017, Density estimation using Real NVP, arXiv:1605.08803"
MAF = "Papamakarios, Pavlakou & Murray 2017, Masked Autoregressive Flow for Density Estimation, arXiv:1705.07057"
# Papers without an arXiv id carry their DOI instead.
CONTRASTIVE_DIVERGENCE = ("Hinton 2002, Training Products of Experts by Minimizing Contrastive Divergence, "
                          "Neural Computation 14(8), doi:10.1162/089976602760128018")
PCD = ("Tieleman 2008, Training Restricted Boltzmann Machines using Approximations to the Likelihood Gradient, "
       "ICML 2008, doi:10.1145/1390156.1390290")
AIS_RBM = ("Salakhutdinov & Murray 2008, On the Quantitative Analysis of Deep Belief Networks, ICML 2008, "
           "doi:10.1145/1390156.1390266")

# The options every family offers (cited where they are used: zoo.tricks, zoo.families._base).
IMPROVED_TECHNIQUES = "Salimans et al. 2016, Improved Techniques for Training GANs, arXiv:1606.03498"
INSTANCE_NOISE = "Arjovsky & Bottou 2017, Towards Principled Methods for Training GANs, arXiv:1701.04862"
EMA = "Yazıcı et al. 2019, The Unusual Effectiveness of Averaging in GAN Training, arXiv:1806.04498"
PROGRESSIVE_GAN = ("Karras et al. 2018, Progressive Growing of GANs for Improved Quality, Stability, "
                   "and Variation, arXiv:1710.10196")
PACGAN = "Lin et al. 2018, PacGAN: The power of two samples in generative adversarial networks, arXiv:1712.04086"
