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
        return new Record(java.util.List.of(name), java.util.List.of(s.getY()), 1.0 / h.getDelta(), start(h));
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

    /** Reference time plus the begin offset {@code b}; {@code null} when the header has no reference time. */
    private static Instant start(SacHeader h) {
        if (h.getNzyear() == UNDEFINED || h.getNzjday() == UNDEFINED) return null;
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
