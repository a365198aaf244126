"""Writes a 24-hour, 10-channel station record at 100 Hz as NPY [8 640 000, 10] float32 (345 MB), made by
repeating the default data set's station records, for timing `eq invert` on a day of data:

    /usr/bin/python3 benchmarks/day_record.py eq_data /tmp/day.npy
    /usr/bin/time -v java -jar eq.jar invert --checkpoint runs/<run>/model_transf/model.eqt \
        --input /tmp/day.npy --output /tmp/day_source.npy
"""
import sys

import numpy as np

data, out = sys.argv[1], sys.argv[2]
day = 24 * 3600 * 100
sta = np.stack([np.loadtxt(f"{data}/value_{i + 10}", dtype=np.float32) for i in range(10)], axis=1)
np.save(out, np.resize(sta, (day, 10)).astype(np.float32))
print("wrote", out, (day, 10))
