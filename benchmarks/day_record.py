"""Writes a station record of HOURS hours (default 24), 10 channels at 100 Hz, as NPY [samples, 10] float32 (345 MB
a day), made by repeating the default data set's station records, for timing `eq invert` on long records:

    /usr/bin/python3 benchmarks/day_record.py eq_data /tmp/day.npy
    /usr/bin/python3 benchmarks/day_record.py eq_data /tmp/week.npy 168
    /usr/bin/time -v java -jar eq.jar invert --checkpoint runs/<run>/model_transf/model.eqt \
        --input /tmp/day.npy --output /tmp/day_source.npy
"""
import sys

import numpy as np

data, out = sys.argv[1], sys.argv[2]
hours = int(sys.argv[3]) if len(sys.argv) > 3 else 24
samples = hours * 3600 * 100
sta = np.stack([np.loadtxt(f"{data}/value_{i + 10}", dtype=np.float32) for i in range(10)], axis=1)
# written a slice at a time through a memory map: a week is 2.4 GB
rec = np.lib.format.open_memmap(out, mode="w+", dtype=np.float32, shape=(samples, 10))
for at in range(0, samples, len(sta)):
    n = min(len(sta), samples - at)
    rec[at:at + n] = sta[:n]
rec.flush()
print("wrote", out, (samples, 10))
