"""One of two processes that export the same name at once (test_exports.py)."""
import sys

import numpy as np

import zoo
from family_cases import gan_case

out_dir, seed = sys.argv[1], int(sys.argv[2])
model, batch = gan_case(seed=seed)
model.fit(np.tile(batch, (2, 1)), batch_size=16, epochs=1, verbose=0)
zoo.export(model, "gan-race", dataset="ring8", out_dir=out_dir)
