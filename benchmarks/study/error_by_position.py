"""Where does a linear inverse filter's error live? (the model study's diagnosis)

    /usr/bin/python3 benchmarks/study/error_by_position.py [DATA_DIR]      (numpy; ~1 min)

Fits a per-pair least-squares FIR inverse (401 taps, 100 on past samples, ridge 1e-3, windows 0-79) as
eq evaluate's baseline does, applies it window by window (zeros outside the window) to the test windows 90-99,
and splits the squared error by whether the true source is quiet (exactly zero between pulses) and by position
in the window.
"""
import sys

import numpy as np

d = sys.argv[1] if len(sys.argv) > 1 else "eq_data"
L, taps, past = 1500, 401, 100
S = np.stack([np.loadtxt(f"{d}/value_{i}", dtype=np.float32) for i in range(10)])
Y = np.stack([np.loadtxt(f"{d}/value_{i + 10}", dtype=np.float32) for i in range(10)])
err, sig, quiet_err, n_quiet = np.zeros(L), np.zeros(L), 0.0, 0
for c in range(10):
    y, s = Y[c], S[c]
    rows = np.arange(past, 80 * L - (taps - past))[::3]
    A = np.lib.stride_tricks.sliding_window_view(y, taps)[rows - past]
    R = A.T @ A
    h = np.linalg.solve(R + 1e-3 * np.trace(R) / taps * np.eye(taps), A.T @ s[rows])
    for w in range(90, 100):
        sw = s[w * L:(w + 1) * L]
        pred = np.correlate(np.pad(y[w * L:(w + 1) * L], (past, taps - past - 1)), h, "valid")
        e = (pred - sw) ** 2
        err += e
        sig += sw ** 2
        q = np.abs(sw) < 1e-6
        quiet_err += e[q].sum()
        n_quiet += q.sum()
n = 100 * L
print("FIR test MSE %.3g, zero %.3g" % (err.sum() / n, sig.sum() / n))
print("quiet samples %.0f%% of all, %.0f%% of the error" % (100 * n_quiet / n, 100 * quiet_err / err.sum()))
for a, b in [(0, 50), (50, 1450), (1450, 1500)]:
    print("samples %4d-%4d: %3.0f%% of the error; MSE FIR %.3g, zero %.3g" % (
        a, b, 100 * err[a:b].sum() / err.sum(), err[a:b].sum() / (10 * 10 * (b - a)), sig[a:b].sum() / (10 * 10 * (b - a))))
