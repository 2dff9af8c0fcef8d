"""Row-cached evaluation of an autoregressive convolutional network, for drawing its image
pixel by pixel at a fraction of a full pass a pixel.

Drawing from a PixelCNN runs the network once per pixel: H·W passes, each over the whole image,
though a new pixel changes few of the activations (Ramachandran et al. 2017, "Fast Generation for
Convolutional Autoregressive Models", arXiv:1704.06001, cache the rest).  This module caches by
rows, which the U-net's strided and transposed convolutions allow where a per-pixel cache would
not: before row ``r`` is drawn, one full pass records every layer's output; each pixel of row ``r``
then recomputes, in every layer, only the band of rows that both depends on input row ``r`` and is
read, through the layers after it, by output row ``r``; every other row is read from the record.
In a PixelCNN the vertical stack does not depend on row ``r`` at all, and the horizontal one only
on a row or two of it, so a pixel costs a few rows of the horizontal stack.

The bands are planned once per network from the layers' geometry (kernel rows, masks, strides,
``"same"`` padding) by :class:`RowPlan`, and tests check them against the full network.
"""
import itertools

import keras
import numpy as np
import tensorflow as tf

POINTWISE = (keras.layers.Dense, keras.layers.Add, keras.layers.Concatenate, keras.layers.Dropout,
             keras.layers.ELU, keras.layers.Activation)


def _as_list(tensors):
    return list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]


def _same_padding(size, kernel, stride):
    """``(before, after)`` of TensorFlow's ``"same"`` padding of a dimension divisible by ``stride``."""
    if size % stride:
        raise ValueError(f"row caching needs sizes divisible by the strides. Received: size={size}, stride={stride}")
    total = max(kernel - stride, 0)
    return total // 2, total - total // 2


class RowPlan:
    """Which rows of which layer a pixel step of each image row recomputes.

    Args:
      network: a functional ``keras.Model`` ``[N, H, W, C] -> [N, H, W, P]`` of masked
        convolutions (stride 1 or 2, ``"same"`` padding), their transposes, and pointwise layers,
        whose output row ``r`` depends only on input rows ``<= r``; every layer used once.
      pointwise: further layer classes that act on each position alone.
    """

    def __init__(self, network, pointwise=()):
        self.network = network
        self.pointwise = POINTWISE + tuple(pointwise)
        self.layers = [layer for layer in network.layers if not isinstance(layer, keras.layers.InputLayer)]
        for layer in self.layers:
            self._check(layer)
        self.input_key = id(network.inputs[0])
        self.output_key = id(network.outputs[0])
        self.rows = {id(t): int(t.shape[1]) for layer in self.layers for t in _as_list(layer.input) + [layer.output]}
        self.height = self.rows[self.input_key]
        # every layer's output from one full pass
        self.taps = keras.Model(network.inputs, [layer.output for layer in self.layers], name=f"{network.name}_taps")
        self.bands = [self._bands(r) for r in range(self.height)]

    # -------------------------------------------------------------------- geometry
    def _check(self, layer):
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            if getattr(layer, "mask", None) is None or layer.padding != "same" or tuple(layer.dilation_rate) != (1, 1):
                raise ValueError(f"row caching handles masked 'same' convolutions without dilation. "
                                 f"Received: layer {layer.name!r}")
            if layer.activation not in (None, keras.activations.linear) or layer.data_format != "channels_last":
                raise ValueError(f"row caching needs linear channels_last convolutions. Received: layer {layer.name!r}")
        elif not isinstance(layer, self.pointwise):
            raise ValueError(f"row caching does not know how layer {layer.name!r} ({type(layer).__name__}) mixes "
                             f"positions: pass its class as pointwise=... if it acts on each position alone")

    def reads(self, layer, row):
        """The rows ``[first, last]`` of ``layer``'s input(s) that output row ``row`` reads
        through unmasked weights (``None`` if none), on the input's own scale."""
        if isinstance(layer, keras.layers.Conv2DTranspose):
            kernel, stride = layer.kernel_size[0], layer.strides[0]
            top, _ = _same_padding(self.rows[id(layer.output)], kernel, stride)
            valid = layer.valid_rows  # output row o = stride·i - top + k, k in the valid kernel rows
            first, last = -(-(row + top - valid[1] + 1) // stride), (row + top - valid[0]) // stride
        elif isinstance(layer, keras.layers.Conv2D):
            kernel, stride = layer.kernel_size[0], layer.strides[0]
            top, _ = _same_padding(self.rows[id(layer.input)], kernel, stride)
            first, last = row * stride - top + layer.valid_rows[0], row * stride - top + layer.valid_rows[1] - 1
        else:
            first, last = row, row
        height = self.rows[id(_as_list(layer.input)[0])]
        first, last = max(first, 0), min(last, height - 1)
        return (first, last) if first <= last else None

    def _bands(self, r):
        """``{tensor: (first, last)}``: the rows a pixel step of image row ``r`` recomputes."""
        changed = {self.input_key: {r}}  # rows that depend on input row r
        for layer in self.layers:
            inputs = set().union(*(changed.get(id(t), set()) for t in _as_list(layer.input)))
            out = set()
            for row in range(self.rows[id(layer.output)]):
                span = self.reads(layer, row)
                if span and any(span[0] <= i <= span[1] for i in inputs):
                    out.add(row)
            changed[id(layer.output)] = out
        needed = {self.output_key: {r}}  # rows that output row r reads
        for layer in reversed(self.layers):
            spans = [self.reads(layer, row) for row in needed.get(id(layer.output), ())]
            rows = {i for span in spans if span for i in range(span[0], span[1] + 1)}
            for t in _as_list(layer.input):
                needed.setdefault(id(t), set()).update(rows)
        bands = {}
        for key in self.rows:
            if changed.get(key) and needed.get(key) and min(changed[key]) <= max(needed[key]):
                bands[key] = (min(changed[key]), max(needed[key]))
        if bands.get(self.output_key, (None, None))[0] != r or bands[self.output_key][1] != r:
            raise ValueError(f"network output row {r} does not depend on input row {r} alone and the rows above: "
                             "it is not autoregressive over rows")
        return bands

    # ------------------------------------------------------------------ evaluation
    def record(self, x):
        """``{tensor: value}`` of every layer's output over the whole image ``x``."""
        outputs = self.taps(x, training=False)
        return {self.input_key: x, **{id(layer.output): out for layer, out in zip(self.layers, _as_list(outputs))}}

    def step(self, r, input_row, record):
        """The network's output row ``r`` ``[N, 1, W, P]`` for the image whose rows above ``r``
        are those of ``record``'s input and whose row ``r`` is ``input_row`` ``[N, 1, W, C]``
        (``record`` made by :meth:`record` with rows ``r`` and above as they stood then)."""
        bands = self.bands[r]
        band_values = {self.input_key: input_row}
        for layer in self.layers:
            key = id(layer.output)
            if key in bands:
                band_values[key] = self._layer_band(layer, bands[key], bands, band_values, record)
        return band_values[self.output_key]

    def _rows(self, key, first, last, bands, band_values, record):
        """Rows ``first..last`` of a tensor: zeros outside the image (the ``"same"`` padding),
        its band where recomputed, its record elsewhere."""
        full, height, band = record[key], self.rows[key], bands.get(key)

        def source(row):
            if row < 0 or row >= height:
                return "zeros"
            return "band" if band and band[0] <= row <= band[1] else "record"

        pieces = []
        for kind, rows in itertools.groupby(range(first, last + 1), key=source):
            rows = list(rows)
            a, b = rows[0], rows[-1]
            if kind == "zeros":
                pieces.append(tf.repeat(tf.zeros_like(full[:, :1]), b - a + 1, axis=1))
            elif kind == "band":
                pieces.append(band_values[key][:, a - band[0]:b - band[0] + 1])
            else:
                pieces.append(full[:, a:b + 1])
        return pieces[0] if len(pieces) == 1 else tf.concat(pieces, axis=1)

    def _layer_band(self, layer, band, bands, band_values, record):
        first, last = band
        inputs = [id(t) for t in _as_list(layer.input)]
        if isinstance(layer, keras.layers.Conv2DTranspose):
            return self._transposed_band(layer, first, last, inputs[0], bands, band_values, record)
        if isinstance(layer, keras.layers.Conv2D):
            return self._conv_band(layer, first, last, inputs[0], bands, band_values, record)
        views = [self._rows(key, first, last, bands, band_values, record) for key in inputs]
        if isinstance(layer, keras.layers.Dropout):
            return views[0]  # inference: the identity
        return layer.call(views if len(views) > 1 else views[0])

    def _conv_band(self, layer, first, last, key, bands, band_values, record):
        """Output rows ``first..last`` of a masked ``"same"`` convolution, from the input rows
        they span (zeros above and below the image), by a row-``"valid"`` convolution."""
        (kh, kw), (stride, _) = layer.kernel_size, layer.strides
        top, _ = _same_padding(self.rows[key], kh, stride)
        left, right = _same_padding(int(record[key].shape[2]), kw, stride)
        view = self._rows(key, first * stride - top, last * stride - top + kh - 1, bands, band_values, record)
        out = tf.nn.conv2d(view, layer.kernel * layer.mask, strides=[1, stride, stride, 1],
                           padding=[[0, 0], [0, 0], [left, right], [0, 0]])
        return out + layer.bias if layer.use_bias else out

    def _transposed_band(self, layer, first, last, key, bands, band_values, record):
        """Output rows ``first..last`` of a masked ``"same"`` transposed convolution: the
        ``"valid"`` transposed convolution of the input rows that reach them, cropped."""
        (kh, kw), (stride, _) = layer.kernel_size, layer.strides
        height, width = self.rows[id(layer.output)], int(record[key].shape[2]) * stride
        top, _ = _same_padding(height, kh, stride)
        left, _ = _same_padding(width, kw, stride)
        lo, hi = -(-(first + top - kh + 1) // stride), (last + top) // stride
        view = self._rows(key, lo, hi, bands, band_values, record)
        n = tf.shape(view)[0]
        shape = tf.stack([n, (hi - lo) * stride + kh, (width // stride - 1) * stride + kw, layer.filters])
        out = tf.nn.conv2d_transpose(view, layer.kernel * layer.mask, shape, strides=[1, stride, stride, 1],
                                     padding="VALID")
        start = first - (stride * lo - top)
        out = out[:, start:start + last - first + 1, left:left + width]
        return out + layer.bias if layer.use_bias else out


def band_cost(plan) -> float:
    """Rows recomputed by a pixel step, summed over layers and weighted by each layer's width,
    relative to a full pass (mean over image rows): a rough cost of a cached pixel."""
    full = sum(plan.rows[id(layer.output)] * int(layer.output.shape[2]) for layer in plan.layers)
    steps = [sum((b[1] - b[0] + 1) * int(layer.output.shape[2]) for layer in plan.layers
                 for b in [bands.get(id(layer.output))] if b) for bands in plan.bands]
    return float(np.mean(steps)) / full
