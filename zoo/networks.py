"""Network builders.  Families take networks as constructor arguments, so the same family
trains on 2-D points or images; these functions build the usual ones.
"""
import keras
from keras import layers


def mlp(input_dim, output_dim, hidden=(128, 128, 128), activation="relu", batch_norm=False,
        output_activation=None, name="mlp"):
    """A fully connected network ``input_dim -> hidden... -> output_dim``.

    ``batch_norm=True`` puts batch normalisation before each hidden activation, as the
    PacGAN generator on the 2-D mixtures (4×400, BN + ReLU).
    """
    inputs = keras.Input((input_dim,), name=f"{name}_input")
    h = inputs
    for i, units in enumerate(hidden):
        h = layers.Dense(units, use_bias=not batch_norm, name=f"{name}_dense{i}")(h)
        if batch_norm:
            h = layers.BatchNormalization(name=f"{name}_bn{i}")(h)
        h = layers.Activation(activation, name=f"{name}_act{i}")(h)
    outputs = layers.Dense(output_dim, activation=output_activation, name=f"{name}_out")(h)
    return keras.Model(inputs, outputs, name=name)
