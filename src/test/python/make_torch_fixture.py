"""Makes the PyTorch fixture of TorchStateDictTest with Debian's python3-torch (1.13):

    /usr/bin/python3 src/test/python/make_torch_fixture.py src/test/resources/torch

ref_tiny_state_dict.pkl: torch.save(model.state_dict()) of a tiny reference model, exactly as the original saves
model.pkl (an OrderedDict with _metadata); ref_tiny_io.pt: a plain dict {input, output} of the same model in
eval mode, so Java can check same input -> same output; ref_tiny_ddp.pkl: the same weights with the "module."
prefix DistributedDataParallel adds.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "benchmarks", "python"))
from reference_model import EqTransformerRef  # noqa: E402

out = sys.argv[1]
torch.manual_seed(5)
m = EqTransformerRef(channels=10, d_model=8, n_head=2, num_layers=2, dropout=0.1, max_length=60,
                     dim_feedforward=16).eval()
x = torch.randn(2, 60, 10)
with torch.no_grad():
    y = m(x)
torch.save(m.state_dict(), os.path.join(out, "ref_tiny_state_dict.pkl"))
torch.save({"module." + k: v for k, v in m.state_dict().items()}, os.path.join(out, "ref_tiny_ddp.pkl"))
torch.save({"input": x, "output": y}, os.path.join(out, "ref_tiny_io.pt"))
print("wrote", out, "torch", torch.__version__)
