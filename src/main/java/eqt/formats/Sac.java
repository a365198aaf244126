package eqt.formats;

import edu.sc.seis.seisFile.sac.SacHeader;
import eqt.io.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** SAC files through seisFile: one evenly sampled trace per file. */
final class Sac {

    private static final int UNDEFINED = -12345;

    private Sac() {
    }

    static Record read(Path file) {
        return open(file).read();
    }

    /** The header now; the samples read forward from the file a block at a time. */
    static RecordStream open(Path file) {
        java.nio.ByteOrder order = checkHeader(file);
        SacHeader h;
        try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file)))) {
            h = new SacHeader(in);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file + ": not a readable SAC file (" + e.getMessage() + ")");
        }
        if (h.getLeven() == 0) throw new BadInputException(file + ": unevenly sampled SAC traces are not supported");
        if (!(h.getDelta() > 0)) throw new BadInputException(file + ": SAC header has no sample interval (delta)");
        // NET.STA.LOC.CHA, khole included: sensors 00 and 10 of one station are two channels, not one
        String name = text(h.getKnetwk()) + "." + text(h.getKstnm()) + "." + text(h.getKhole()) + "." + text(h.getKcmpnm());
        Instant reference;
        try {
            reference = reference(h);
        } catch (BadInputException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
        float b = h.getB() == UNDEFINED ? 0 : h.getB();
        Instant start = reference == null ? null : reference.plus(Duration.ofNanos(Math.round(b * 1e9)));
        int npts = h.getNpts();
        return new RecordStream(java.util.List.of(name), rate(h.getDelta()), start, npts,
                () -> new Samples(file, order, npts), java.util.List.of(SacHeaders.of(h, reference)));
    }

    /**
     * The sample rate of a SAC file's float32 {@code delta}, as ObsPy reads it (obspy/io/sac/util.py, its issue
     * #3408): the interval rounded to the microsecond before it is inverted, since writers store 0.01 s as the
     * float32 nearest it (0.0099999998) and some as the one below; 1/delta itself would make 100 Hz data
     * 100.0000022 Hz. An interval under a microsecond is taken as it is.
     */
    static double rate(float delta) {
        double rounded = Math.round(delta * 1e6) / 1e6;
        return rounded > 0 ? 1.0 / rounded : 1.0 / delta;
    }

    /** One trace's samples, read forward after the header. */
    private static final class Samples implements eqt.io.SampleSource {
        private final Path file;
        private final java.nio.channels.FileChannel in;
        private final java.nio.ByteOrder order;
        private final int npts;
        private java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(0);
        private long at;

        Samples(Path file, java.nio.ByteOrder order, int npts) throws IOException {
            this.file = file;
            this.order = order;
            this.npts = npts;
            this.in = java.nio.channels.FileChannel.open(file);
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public long samples() {
            return npts;
        }

        @Override
        public void read(float[][] dst, int off, int n) {
            if (buf.capacity() < 4 * n) buf = java.nio.ByteBuffer.allocate(4 * n);
            buf.clear().limit(4 * n);
            try {
                while (buf.hasRemaining()) {
                    if (in.read(buf, HEADER_BYTES + 4 * at + buf.position()) < 0) throw new IOException("file ends early");
                }
            } catch (IOException e) {
                throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
            }
            buf.flip().order(order);
            for (int i = 0; i < n; i++) dst[0][off + i] = buf.getFloat();
            at += n;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // read-only: nothing was lost
            }
        }
    }

    /**
     * One trace: seisFile's header, then the samples in its byte order as they arrive. The codes come from the
     * channel's trace id ({@link TraceId}; none are set for a name that is not one); the reference time is the
     * start cut to the millisecond SAC's header holds and {@code b} the rest, so the start survives to well
     * under a microsecond; {@code headers} (station and event geometry) are kept.
     */
    static RecordSink writer(Path file, String name, SacHeaders headers, double rate, Instant start, long samples) {
        if (samples > Integer.MAX_VALUE) throw new BadInputException(file + ": SAC holds at most 2^31 - 1 samples");
        SacHeader h = SacHeader.createEmptyEvenSampledTimeSeriesHeader();
        h.setDelta((float) (1.0 / rate));
        h.setNpts((int) samples);
        TraceId id = TraceId.of(name);
        if (id != null) {
            if (!id.network().isEmpty()) h.setKnetwk(id.network());
            if (!id.station().isEmpty()) h.setKstnm(id.station());
            if (!id.location().isEmpty()) h.setKhole(id.location());
            if (!id.channel().isEmpty()) h.setKcmpnm(id.channel());
        }
        Instant reference = start == null ? null : start.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        double b = start == null ? 0 : Duration.between(reference, start).toNanos() / 1e9;
        h.setB((float) b);
        h.setE((float) (b + (samples - 1) / rate));
        if (reference != null) {
            var t = reference.atOffset(ZoneOffset.UTC);
            h.setNzyear(t.getYear());
            h.setNzjday(t.getDayOfYear());
            h.setNzhour(t.getHour());
            h.setNzmin(t.getMinute());
            h.setNzsec(t.getSecond());
            h.setNzmsec(t.getNano() / 1_000_000);
            h.setIztype(9); // IB: the reference is the begin time
        }
        headers.applyTo(h, reference);
        java.nio.ByteOrder order = h.getByteOrder() == edu.sc.seis.seisFile.sac.SacConstants.SunByteOrder
                ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN;
        eqt.io.AtomicFile.Pending out;
        try {
            out = new eqt.io.AtomicFile.Pending(file); // never a half-written file under its name
            h.writeHeader(new java.io.DataOutputStream(out.out()));
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write SAC (" + e.getMessage() + ")");
        }
        return new RecordSink(file, samples) {
            private java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(0);

            @Override
            void append(float[][] src, int off, int n) throws IOException {
                if (bytes.capacity() < 4 * n) bytes = java.nio.ByteBuffer.allocate(4 * n).order(order);
                bytes.clear();
                for (int i = 0; i < n; i++) bytes.putFloat(src[0][off + i]);
                out.out().write(bytes.array(), 0, bytes.position());
            }

            @Override
            java.util.List<Path> finish() throws IOException {
                return java.util.List.of(out.commit());
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }

    /** Bytes of a SAC header: 70 floats, 40 integers, 5 logicals, 24 strings of 8 bytes. */
    private static final int HEADER_BYTES = 632;

    /**
     * Reads {@code npts} and {@code leven} from the header (either byte order, told by {@code nvhdr}) and refuses
     * a file that does not hold that many samples, before the reader allocates them. Returns the byte order.
     */
    private static java.nio.ByteOrder checkHeader(Path file) {
        byte[] h = new byte[HEADER_BYTES];
        long size;
        try (var in = java.nio.file.Files.newInputStream(file)) {
            size = java.nio.file.Files.size(file);
            if (in.readNBytes(h, 0, HEADER_BYTES) < HEADER_BYTES) {
                throw new BadInputException(file + ": " + size + " bytes, shorter than a SAC header (632)");
            }
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        Layout l = Layout.of(h);
        if (!l.versioned()) throw new BadInputException(file + ": not a SAC file (header version " + l.version() + ")");
        // As ObsPy's reader: a size that does not match npts is a damaged or mis-headed file, either way round.
        if (!l.fits(size)) {
            throw new BadInputException(file + ": SAC header declares " + l.npts() + " samples" + (l.even() ? ""
                    : " (uneven: x and y)") + ", " + l.bytes() + " bytes, but the file holds " + size
                    + (l.bytes() < size ? " (npts smaller than the data)" : ""));
        }
        return l.order();
    }

    /**
     * What a header's first words say: its byte order (the one in which the header version is 1–7, big-endian
     * first), that version, npts and leven.
     */
    private record Layout(java.nio.ByteOrder order, int version, long npts, boolean even) {
        static Layout of(byte[] header) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.BIG_ENDIAN);
            int version = b.getInt(76 * 4);
            if (version < 1 || version > 7) b.order(java.nio.ByteOrder.LITTLE_ENDIAN);
            return new Layout(b.order(), b.getInt(76 * 4), b.getInt(79 * 4), b.getInt(105 * 4) != 0);
        }

        boolean versioned() {
            return version >= 1 && version <= 7;
        }

        /** The file size this header declares: the header and npts samples (x and y when uneven). */
        long bytes() {
            return HEADER_BYTES + 4 * npts * (even ? 1 : 2);
        }

        boolean fits(long size) {
            return npts >= 0 && bytes() == size;
        }
    }

    /**
     * Whether {@code head} (a file's first bytes) is a SAC header whatever the file's name: a header version 1–7
     * and a size of exactly the header plus npts samples, the same reading {@link #open} checks.
     */
    static boolean looksLikeSac(Path file, byte[] head) {
        if (head.length < HEADER_BYTES) return false;
        Layout l = Layout.of(head);
        try {
            return l.versioned() && l.fits(java.nio.file.Files.size(file));
        } catch (IOException e) {
            return false;
        }
    }

    /** The header's reference time (nz*); {@code null} when it has none. */
    private static Instant reference(SacHeader h) {
        if (h.getNzyear() == UNDEFINED || h.getNzjday() == UNDEFINED) return null;
        if (h.getNzjday() < 1 || h.getNzjday() > 366 || h.getNzyear() < 0 || h.getNzyear() > 9999
                || h.getNzhour() < 0 || h.getNzhour() > 23 || h.getNzmin() < 0 || h.getNzmin() > 59
                || h.getNzsec() < 0 || h.getNzsec() > 60 || h.getNzmsec() < 0 || h.getNzmsec() > 999) {
            throw new BadInputException(String.format(java.util.Locale.ROOT, "SAC reference time out of range: "
                    + "year %d, day %d, %d:%d:%d.%03d", h.getNzyear(), h.getNzjday(), h.getNzhour(), h.getNzmin(),
                    h.getNzsec(), h.getNzmsec()));
        }
        return LocalDate.ofYearDay(h.getNzyear(), h.getNzjday()).atStartOfDay().toInstant(ZoneOffset.UTC)
                .plusSeconds(3600L * h.getNzhour() + 60L * h.getNzmin() + h.getNzsec())
                .plusMillis(h.getNzmsec());
    }

    /**
     * A SAC string header: cut at the first NUL (C writers end strings there; ObsPy does the same), trimmed,
     * empty when undefined ({@code -12345}).
     */
    static String text(String s) {
        if (s == null) return "";
        int nul = s.indexOf('\0');
        String t = (nul >= 0 ? s.substring(0, nul) : s).trim();
        return t.startsWith("-12345") ? "" : t;
    }
}
