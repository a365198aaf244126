"""Times training steps of the reference model in PyTorch, as the original trains it (for side_by_side.sh).

    /usr/bin/python3 benchmarks/python/train_steps.py --data-dir eq_data --steps 11 [--threads 2]

Same data (windows 0-98 of the reference layout, batch 9, reshuffled), Adam 1e-2, StepLR(1000, 0.5) per
batch, MSE, dropout 0.1 (attention weights included: nn.TransformerEncoderLayer's own). Prints one line:
'python s/step <median of the steps after the first> peak_rss_mb <N>'.
"""
import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from reference_model import EqTransformerRef  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--data-dir", default="eq_data")
p.add_argument("--steps", type=int, default=11)
p.add_argument("--threads", type=int, default=os.cpu_count())
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

read = lambda i: np.loadtxt(os.path.join(a.data_dir, f"value_{i}"), dtype=np.float32).reshape(100, 1500)
src = torch.from_numpy(np.stack([read(i) for i in range(10)]).transpose(1, 2, 0).copy())
sta = torch.from_numpy(np.stack([read(i + 10) for i in range(10)]).transpose(1, 2, 0).copy())
x, y = sta[:99], src[:99]

model = EqTransformerRef().train()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1000, gamma=0.5)
times = []
order = torch.randperm(99)
for s in range(a.steps):
    idx = order[(s * 9) % 99:(s * 9) % 99 + 9]
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
    loss.backward()
    opt.step()
    sched.step()
    times.append(time.perf_counter() - t0)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("python s/step %.3f peak_rss_mb %.0f" % (statistics.median(times[1:]), rss))
