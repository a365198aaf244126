"""ObsPy's side of SdsArchiveTest: it writes the archive and judges eqt's outputs; eqt never writes for it.

  obspy_sds.py make ROOT [wrong-rate]
                                    a 3-day, 10-channel SDS archive at 1 Hz, written by ObsPy, with gaps (one
                                    inside a day, one across midnight, one whole missing day), an identical and a
                                    differing overlap, and a change of gain on one channel on day 2 (wrong-rate:
                                    the last channel at 2 Hz, a hostile archive)
  obspy_sds.py segments FILE|SACDIR|ROOT START END
                                    per channel, the stretches of data ObsPy sees (merged as Stream.merge() does
                                    by default, split at its gaps): "id start npts" per line
  obspy_sds.py filegaps FILE        the same for one miniSEED file
  obspy_sds.py gaps ROOT            every gap and overlap, as Stream.get_gaps() lists them: "id last next nsamples"
  obspy_sds.py nan FILE.npy START   per column, the stretches that are not NaN, as "col index npts"
  obspy_sds.py stationxml OUT [wrong-rate|missing-channel]
                                    the archive's inventory, written by ObsPy: one epoch per channel, two for
                                    STA05 (its gain changes at 2024-01-02T12:00); or one of two hostile variants
  obspy_sds.py epochs FILE          every channel epoch as read_inventory reads it:
                                    "id start end rate lat lon elev depth azimuth dip"
"""
import sys
import numpy as np
from obspy import Stream, Trace, UTCDateTime, read
from obspy.clients.filesystem.sds import Client

T0 = UTCDateTime("2024-01-01T00:00:00")
DAYS = 3
RATE = 1.0
IDS = ["XX.STA%02d..BHZ" % i for i in range(10)]


def signal(i, n):
    rng = np.random.default_rng(100 + i)
    return np.cumsum(rng.standard_normal(n)).astype(np.float32)


def make(root, variant=None):
    n = int(DAYS * 86400 * RATE)
    for c, tid in enumerate(IDS):
        net, sta, loc, cha = tid.split(".")
        rate = 2.0 if variant == "wrong-rate" and c == 9 else RATE
        data = signal(c, n)
        if c == 5:
            data[86400 + 43200:] *= 3.0  # the gain changes at noon on day 2 (an epoch boundary in the inventory)
        keep = np.ones(n, bool)
        if c == 1:
            keep[5000:5600] = False                 # a gap inside day 1
        if c == 2:
            keep[86400 - 300:86400 + 200] = False   # a gap across midnight
        if c == 3:
            keep[86400:2 * 86400] = False           # day 2 is missing
        st = Stream()
        start = 0
        while start < n:
            if not keep[start]:
                start += 1
                continue
            end = start
            while end < n and keep[end]:
                end += 1
            tr = Trace(data[start:end].copy(), header=dict(network=net, station=sta, location=loc, channel=cha,
                                                          sampling_rate=rate, starttime=T0 + start / RATE))
            st.append(tr)
            start = end
        if c == 4:  # an identical overlap: 120 samples sent twice
            st.append(st[0].slice(T0 + 20000, T0 + 20119).copy())
        if c == 6:  # a differing overlap: 50 samples of other values
            tr = st[0].slice(T0 + 30000, T0 + 30049).copy()
            tr.data = tr.data + 7.0
            st.append(tr)
        for d in range(DAYS):
            day = T0 + d * 86400
            part = st.slice(day, day + 86400 - 1 / RATE)
            if len(part) == 0:
                continue
            path = "%s/%d/%s/%s/%s.D/%s.D.%d.%03d" % (root, day.year, net, sta, cha, tid, day.year, day.julday)
            import os
            os.makedirs(os.path.dirname(path), exist_ok=True)
            part.write(path, format="MSEED", encoding="FLOAT32", reclen=512)


def merged(st):
    st.merge(method=0)
    return st.split()


def segments(src, start, end):
    start, end = UTCDateTime(start), UTCDateTime(end)
    import os
    if src.endswith(".mseed"):
        st = read(src)
    elif os.path.isdir(src) and any(f.endswith(".sac") for f in os.listdir(src)):
        st = read(os.path.join(src, "*.sac"))
    else:
        st = Client(src).get_waveforms("*", "*", "*", "*", start, end - 1 / RATE)
        st.trim(start, end - 1 / RATE)
    for tr in sorted(merged(st), key=lambda t: (t.id, t.stats.starttime)):
        print(tr.id, tr.stats.starttime.isoformat(), tr.stats.npts)


def gaps(root):
    import glob
    st = Stream()
    for f in sorted(glob.glob(root + "/*/*/*/*.D/*")):
        st += read(f)
    for g in st.get_gaps():
        print("%s.%s.%s.%s" % tuple(g[:4]), g[4].isoformat(), g[5].isoformat(), g[7])


def filegaps(path):
    for g in read(path).get_gaps():
        print("%s.%s.%s.%s" % tuple(g[:4]), g[4].isoformat(), g[5].isoformat(), g[7])


def nan(path, start):
    a = np.load(path)
    for c in range(a.shape[1]):
        ok = ~np.isnan(a[:, c])
        i = 0
        while i < len(ok):
            if ok[i]:
                j = i
                while j < len(ok) and ok[j]:
                    j += 1
                print(c, i, j - i)
                i = j
            else:
                i += 1


def stationxml(out, variant=None):
    from obspy.core.inventory import Channel, Inventory, Network, Station
    stations = []
    for c, tid in enumerate(IDS):
        net, sta, loc, cha = tid.split(".")
        if variant == "missing-channel" and c == 7:
            continue
        lat, lon = 46.0 + c / 10, 7.0 + c / 10
        changes = [T0, T0 + 86400 + 43200] if c == 5 else [T0]
        chans = []
        for k, t in enumerate(changes):
            end = changes[k + 1] if k + 1 < len(changes) else None
            rate = 2.0 if variant == "wrong-rate" and c == 2 else RATE
            chans.append(Channel(code=cha, location_code=loc, latitude=lat, longitude=lon, elevation=500.0 + c,
                                 depth=k * 1.5, azimuth=0.0, dip=-90.0, sample_rate=rate, start_date=t, end_date=end))
        stations.append(Station(code=sta, latitude=lat, longitude=lon, elevation=500.0 + c, channels=chans))
    inv = Inventory(networks=[Network(code="XX", stations=stations)], source="eqt test")
    inv.write(out, format="STATIONXML")


def epochs(path):
    from obspy import read_inventory
    inv = read_inventory(path)
    for net in inv:
        for sta in net:
            for ch in sta:
                end = ch.end_date.isoformat() if ch.end_date else "open"
                print("%s.%s.%s.%s" % (net.code, sta.code, ch.location_code, ch.code), ch.start_date.isoformat(), end,
                      repr(float(ch.sample_rate)), ch.latitude, ch.longitude, ch.elevation, ch.depth, ch.azimuth, ch.dip)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif cmd == "segments":
        segments(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "gaps":
        gaps(sys.argv[2])
    elif cmd == "stationxml":
        stationxml(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif cmd == "epochs":
        epochs(sys.argv[2])
    elif cmd == "filegaps":
        filegaps(sys.argv[2])
    elif cmd == "nan":
        nan(sys.argv[2], sys.argv[3])
