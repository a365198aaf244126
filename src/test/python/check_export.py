"""Loads a state_dict exported by `eq torch export` into the Python reference model and runs it:

    /usr/bin/python3 src/test/python/check_export.py EXPORTED.pkl INPUT_AND_EXPECTED.pt N_HEAD

INPUT_AND_EXPECTED.pt is a dict {input, output} (the Java model's output on input). Prints the largest absolute
difference and exits 1 when it exceeds 1e-5.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "benchmarks", "python"))
from reference_model import EqTransformerRef  # noqa: E402

sd = torch.load(sys.argv[1])
io = torch.load(sys.argv[2])
d, c = sd["embedding.0.weight"].shape
layers = len({k.split(".")[2] for k in sd if k.startswith("transformer_encoder.layers.")})
ff = sd["transformer_encoder.layers.0.linear1.weight"].shape[0]
m = EqTransformerRef(channels=c, d_model=d, n_head=int(sys.argv[3]), num_layers=layers,
                     max_length=sd["pos_encoder.pe"].shape[1], dim_feedforward=ff).eval()
m.load_state_dict(sd)  # strict, as the original loads model.pkl: every name and shape must match, pos_encoder.pe too
with torch.no_grad():
    diff = (m(io["input"]) - io["output"]).abs().max().item()
print("max abs difference", diff)
sys.exit(0 if diff <= 1e-5 else 1)
