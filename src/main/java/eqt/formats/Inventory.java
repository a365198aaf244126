package eqt.formats;

import edu.sc.seis.seisFile.fdsnws.stationxml.Channel;
import edu.sc.seis.seisFile.fdsnws.stationxml.FDSNStationXML;
import edu.sc.seis.seisFile.fdsnws.stationxml.FloatType;
import edu.sc.seis.seisFile.fdsnws.stationxml.Network;
import edu.sc.seis.seisFile.fdsnws.stationxml.NetworkIterator;
import edu.sc.seis.seisFile.fdsnws.stationxml.Station;
import edu.sc.seis.seisFile.fdsnws.stationxml.StationIterator;
import eqt.io.BadInputException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A StationXML inventory (FDSN's schema, parsed by seisFile): every channel epoch — the span in which a channel's
 * instrument and settings stayed the same — with its codes, sample rate, place and orientation. Checked against a
 * record before it is inverted: each channel must be in it with an epoch covering the record and the rate the
 * data have; an epoch that begins inside the record is a known change in the station–source relation.
 */
public record Inventory(List<Epoch> epochs) {

    /** No inventory: nothing to check, nothing known. */
    public static final Inventory NONE = new Inventory(List.of());

    /** One channel epoch; a field StationXML leaves out is null ({@code end} null: still open). */
    public record Epoch(String id, Instant start, Instant end, double sampleRate, Double latitude, Double longitude,
                        Double elevation, Double depth, Double azimuth, Double dip, String sensor) {

        boolean covers(Instant t) {
            return !t.isBefore(start) && (end == null || t.isBefore(end));
        }

        boolean overlaps(Instant from, Instant to) {
            return start.isBefore(to) && (end == null || end.isAfter(from));
        }
    }

    /** A channel's epoch beginning inside the record: sample {@code index} of channel {@code channel}. */
    public record Change(int channel, String id, long index, Instant time, String sensor) {
    }

    /** Reads {@code file}; anything seisFile cannot parse, or an inventory without channels, is refused. */
    public static Inventory read(Path file) {
        List<Epoch> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            FDSNStationXML xml = FDSNStationXML.loadStationXML(in);
            NetworkIterator nets = xml.getNetworks();
            while (nets.hasNext()) {
                Network n = nets.next();
                StationIterator stations = n.getStations();
                while (stations.hasNext()) {
                    Station s = stations.next();
                    for (Channel c : s.getChannelList()) out.add(epoch(n, s, c, file));
                }
            }
        } catch (BadInputException e) {
            throw e;
        } catch (Exception | StackOverflowError e) {
            throw new BadInputException(file + ": not readable StationXML (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")) + ")");
        }
        if (out.isEmpty()) throw new BadInputException(file + ": StationXML without any channel");
        return new Inventory(List.copyOf(out));
    }

    private static Epoch epoch(Network n, Station s, Channel c, Path file) {
        String loc = c.getLocCode() == null ? "" : c.getLocCode().trim();
        String id = n.getNetworkCode() + "." + s.getStationCode() + "." + (loc.equals("--") ? "" : loc) + "." + c.getChannelCode();
        Instant start = c.getStartDateTime();
        if (start == null) throw new BadInputException(file + ": channel " + id + " has no startDate");
        FloatType rate = c.getSampleRate();
        if (rate == null || !(rate.getValue() > 0)) {
            throw new BadInputException(file + ": channel " + id + " from " + start + " has no sample rate");
        }
        String sensor = c.getSensor() == null ? null : c.getSensor().getDescription();
        return new Epoch(id, start, c.getEndDateTime(), rate.getValue(), value(c.getLatitude()), value(c.getLongitude()),
                value(c.getElevation()), value(c.getDepth()), value(c.getAzimuth()), value(c.getDip()), sensor);
    }

    private static Double value(FloatType f) {
        return f == null ? null : (double) f.getValue();
    }

    /**
     * {@code in} checked against the inventory: every channel's trace id must have epochs over the whole record
     * (refused naming the first uncovered time), each at the data's sample rate. Returns the record with each
     * channel's place and orientation from the epoch in force at its start (where the input carries none) and
     * prints the epochs that begin inside it: known change points.
     */
    public RecordStream apply(RecordStream in, java.io.PrintStream say) {
        if (epochs.isEmpty()) return in;
        if (in.start() == null) throw BadInputException.setting("{inventory}: the record carries no time to match epochs with");
        Instant from = in.start(), to = from.plusNanos(Math.round(in.samples() / in.sampleRate() * 1e9));
        List<SacHeaders> headers = new ArrayList<>();
        for (int c = 0; c < in.channels(); c++) {
            String id = in.names().get(c);
            List<Epoch> mine = epochs.stream().filter(e -> e.id().equals(id) && e.overlaps(from, to))
                    .sorted((a, b) -> a.start().compareTo(b.start())).toList();
            if (epochs.stream().noneMatch(e -> e.id().equals(id))) {
                throw BadInputException.setting("{inventory}: " + id + " is not in the inventory");
            }
            Instant at = from;
            for (Epoch e : mine) {
                if (e.start().isAfter(at)) break;
                if (e.end() == null || !e.end().isBefore(to)) {
                    at = to;
                    break;
                }
                at = e.end().isAfter(at) ? e.end() : at;
            }
            if (at.isBefore(to)) {
                throw BadInputException.setting("{inventory}: no epoch of " + id + " covers " + at + " (the record runs "
                        + from + " to " + to + ")");
            }
            for (Epoch e : mine) {
                if (Math.abs(e.sampleRate() - in.sampleRate()) > 1e-6 * in.sampleRate()) {
                    throw BadInputException.setting("{inventory}: " + id + " is sampled at " + e.sampleRate() + " Hz "
                            + "from " + e.start() + " by the inventory; the data at " + in.sampleRate() + " Hz");
                }
                if (e.start().isAfter(from)) {
                    long i = Timeline.index(from, e.start(), in.sampleRate());
                    say.printf(Locale.ROOT, "inventory: %s changes epoch at %s (sample %d)%s: a known change point%n", id,
                            e.start(), i, e.sensor() == null ? "" : ", sensor " + e.sensor());
                }
            }
            headers.add(withPlace(in.headers().get(c), mine.get(0)));
        }
        return in.withHeaders(headers);
    }

    /** {@code h} with the epoch's place and orientation where it has none (SAC: cmpinc is the dip + 90°). */
    private static SacHeaders withPlace(SacHeaders h, Epoch e) {
        return new SacHeaders(h.stla() != null ? h.stla() : f(e.latitude()), h.stlo() != null ? h.stlo() : f(e.longitude()),
                h.stel() != null ? h.stel() : f(e.elevation()), h.cmpaz() != null ? h.cmpaz() : f(e.azimuth()),
                h.cmpinc() != null ? h.cmpinc() : e.dip() == null ? null : (float) (e.dip() + 90), h.evla(), h.evlo(),
                h.evdp(), h.kevnm(), h.origin());
    }

    private static Float f(Double d) {
        return d == null ? null : d.floatValue();
    }
}
