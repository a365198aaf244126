package eqt.formats;

import edu.sc.seis.seisFile.sac.SacHeader;
import edu.sc.seis.seisFile.sac.SacTimeSeries;
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
        checkHeader(file);
        SacTimeSeries s;
        try {
            s = SacTimeSeries.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file + ": not a readable SAC file (" + e.getMessage() + ")");
        }
        SacHeader h = s.getHeader();
        if (h.getLeven() == 0) throw new BadInputException(file + ": unevenly sampled SAC traces are not supported");
        if (!(h.getDelta() > 0)) throw new BadInputException(file + ": SAC header has no sample interval (delta)");
        String name = clean(h.getKnetwk()) + "." + clean(h.getKstnm()) + "." + clean(h.getKcmpnm());
        Instant start;
        try {
            start = start(h);
        } catch (BadInputException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
        return new Record(java.util.List.of(name), java.util.List.of(s.getY()), 1.0 / h.getDelta(), start);
    }

    static void write(Record r, int channel, Path file) {
        SacHeader h = SacHeader.createEmptyEvenSampledTimeSeriesHeader();
        h.setDelta((float) (1.0 / r.sampleRate()));
        h.setNpts(r.samples());
        h.setB(0f);
        h.setE((float) ((r.samples() - 1) / r.sampleRate()));
        String[] parts = r.names().get(channel).split("\\.", -1);
        if (parts.length == 3) {
            h.setKnetwk(parts[0]);
            h.setKstnm(parts[1]);
            h.setKcmpnm(parts[2]);
        } else {
            h.setKstnm(r.names().get(channel));
        }
        if (r.start() != null) {
            var t = r.start().atOffset(ZoneOffset.UTC);
            h.setNzyear(t.getYear());
            h.setNzjday(t.getDayOfYear());
            h.setNzhour(t.getHour());
            h.setNzmin(t.getMinute());
            h.setNzsec(t.getSecond());
            h.setNzmsec(t.getNano() / 1_000_000);
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            new SacTimeSeries(h, r.channels().get(channel)).write(tmp.toFile());
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING); // never a half-written file under its name
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write SAC (" + e.getMessage() + ")");
        }
    }

    /** Bytes of a SAC header: 70 floats, 40 integers, 5 logicals, 24 strings of 8 bytes. */
    private static final int HEADER_BYTES = 632;

    /**
     * Reads {@code npts} and {@code leven} from the header (either byte order, told by {@code nvhdr}) and refuses
     * a file that does not hold that many samples, before the reader allocates them.
     */
    private static void checkHeader(Path file) {
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
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h).order(java.nio.ByteOrder.BIG_ENDIAN);
        int version = b.getInt(76 * 4);
        if (version < 1 || version > 7) {
            b.order(java.nio.ByteOrder.LITTLE_ENDIAN);
            version = b.getInt(76 * 4);
        }
        if (version < 1 || version > 7) throw new BadInputException(file + ": not a SAC file (header version " + version + ")");
        long npts = b.getInt(79 * 4);
        boolean even = b.getInt(105 * 4) != 0;
        long want = HEADER_BYTES + 4 * npts * (even ? 1 : 2);
        if (npts < 0 || want > size) {
            throw new BadInputException(file + ": SAC header declares " + npts + " samples" + (even ? "" : " (uneven: x and y)")
                    + ", " + want + " bytes, but the file holds " + size);
        }
    }

    /** Reference time plus the begin offset {@code b}; {@code null} when the header has no reference time. */
    private static Instant start(SacHeader h) {
        if (h.getNzyear() == UNDEFINED || h.getNzjday() == UNDEFINED) return null;
        if (h.getNzjday() < 1 || h.getNzjday() > 366 || h.getNzyear() < 0 || h.getNzyear() > 9999
                || h.getNzhour() < 0 || h.getNzhour() > 23 || h.getNzmin() < 0 || h.getNzmin() > 59
                || h.getNzsec() < 0 || h.getNzsec() > 60 || h.getNzmsec() < 0 || h.getNzmsec() > 999) {
            throw new BadInputException(String.format(java.util.Locale.ROOT, "SAC reference time out of range: "
                    + "year %d, day %d, %d:%d:%d.%03d", h.getNzyear(), h.getNzjday(), h.getNzhour(), h.getNzmin(),
                    h.getNzsec(), h.getNzmsec()));
        }
        Instant ref = LocalDate.ofYearDay(h.getNzyear(), h.getNzjday()).atStartOfDay().toInstant(ZoneOffset.UTC)
                .plusSeconds(3600L * h.getNzhour() + 60L * h.getNzmin() + h.getNzsec())
                .plusMillis(h.getNzmsec());
        float b = h.getB() == UNDEFINED ? 0 : h.getB();
        return ref.plus(Duration.ofNanos(Math.round(b * 1e9)));
    }

    private static String clean(String s) {
        return s == null || s.startsWith("-12345") ? "" : s.trim();
    }
}
