"""Writes an SDS archive with ObsPy for benchmarks/archive/memory.sh: DAYS days of 10 channels at 100 Hz (Steim-2,
4096-byte records, as data centres keep them), with a 10-minute telemetry gap on one channel, one missing day file
on another, and one record sent twice; also the same span as one NPY [samples, channels] for the comparison.

  run.sh make_sds.py ROOT NPY DAYS
"""
import os
import sys

import numpy as np
from obspy import Stream, Trace, UTCDateTime

root, npy, days = sys.argv[1], sys.argv[2], int(sys.argv[3])
rate, t0 = 100.0, UTCDateTime("2024-01-01T00:00:00")
n = int(days * 86400 * rate)
cols = np.lib.format.open_memmap(npy, mode="w+", dtype=np.float32, shape=(n, 10))
for c in range(10):
    rng = np.random.default_rng(c)
    data = (np.cumsum(rng.integers(-50, 51, n)) % 20000).astype(np.int32)
    cols[:, c] = data
    keep = np.ones(n, bool)
    if c == 1:
        keep[int(5000 * rate):int(5600 * rate)] = False
    if c == 3 and days > 1:
        keep[int(86400 * rate):int(2 * 86400 * rate)] = False
    edges = np.flatnonzero(np.diff(np.r_[0, keep.astype(np.int8), 0]))
    st = Stream()
    for a, b in zip(edges[::2], edges[1::2]):
        st.append(Trace(data[a:b], header=dict(network="XX", station="STA%02d" % c, location="", channel="HHZ",
                                               sampling_rate=rate, starttime=t0 + a / rate)))
    if c == 4:
        st.append(st[0].slice(t0 + 1000, t0 + 1010).copy())
    for d in range(days):
        day = t0 + d * 86400
        part = st.slice(day, day + 86400 - 1 / rate)
        if len(part) == 0:
            continue
        tid = "XX.STA%02d..HHZ" % c
        path = "%s/%d/XX/STA%02d/HHZ.D/%s.D.%d.%03d" % (root, day.year, c, tid, day.year, day.julday)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        part.write(path, format="MSEED", encoding="STEIM2", reclen=4096)
cols.flush()
print("wrote", root, "and", npy, n, "samples x 10")
