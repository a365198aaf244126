package eqt.formats;

import eqt.io.BadInputException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Who and when, said by the user for inputs whose format carries neither (NPY, text, the reference layout): the
 * start time and SEED codes, used for every output format. An input that carries its own is never overridden:
 * giving these for it is refused, so that a flag is never silently ignored.
 *
 * @param channels one channel code per channel, in order; empty: channel codes unknown
 */
public record Identity(Instant start, String network, String station, String location, List<String> channels) {

    public static final Identity NONE = new Identity(null, null, null, null, List.of());

    public Identity {
        channels = channels == null ? List.of() : List.copyOf(channels);
        check("network", network, 2);
        check("station", station, 5);
        check("location", location, 2);
        for (String c : channels) check("channels", c, 3);
    }

    private static void check(String setting, String code, int max) {
        if (code != null && (code.length() > max || !code.matches("[A-Za-z0-9_-]*"))) {
            throw BadInputException.setting("{" + setting + "} '" + code + "': a SEED code of at most " + max
                    + " letters and digits");
        }
    }

    boolean codesGiven() {
        return network != null || station != null || location != null || !channels.isEmpty();
    }

    /** {@code in} with this identity on the channels that carry none; refused where the input has its own. */
    RecordStream applyTo(RecordStream in, String what) {
        RecordStream out = in;
        if (start != null) {
            if (in.start() != null) {
                throw BadInputException.setting("{starttime}: " + what + " carries its own start time (" + in.start()
                        + "); the flag is for NPY and text inputs");
            }
            out = out.startingAt(start);
        }
        if (!codesGiven()) return out;
        if (!channels.isEmpty() && channels.size() != in.channels()) {
            throw BadInputException.setting("{channels}: " + channels.size() + " codes given for " + in.channels()
                    + " channels");
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < in.channels(); c++) {
            String n = in.names().get(c);
            if (TraceId.of(n) != null) {
                throw BadInputException.setting("{station}, {network}, {location}, {channels}: " + what + " channel "
                        + n + " carries its own codes; the flags are for NPY and text inputs");
            }
            names.add(new TraceId(network, station, location, channels.isEmpty() ? null : channels.get(c)).toString());
        }
        return out.renamed(names);
    }
}
