"""ObsPy's decode of a seismic file, for RealFilesObspyTest: "WARNING message" for what ObsPy warned of, then per
trace a header line "TRACE id start rate npts" and its samples one per line (repr, exact); "REFUSED message"
when ObsPy cannot read it.

  obspy_dump.py FILE
"""
import sys
import warnings

from obspy import read

try:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        st = read(sys.argv[1])
    for w in caught:
        print("WARNING", str(w.message).splitlines()[0])
except Exception as e:  # noqa: BLE001 - the test compares refusals too
    print("REFUSED", type(e).__name__, str(e).splitlines()[0] if str(e) else "")
    sys.exit(0)
out = []
for tr in st:
    out.append("TRACE %s %s %r %d" % (tr.id, tr.stats.starttime.isoformat(), float(tr.stats.sampling_rate), tr.stats.npts))
    out.extend(repr(float(v)) for v in tr.data)
sys.stdout.write("\n".join(out) + "\n")
