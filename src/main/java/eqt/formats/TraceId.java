package eqt.formats;

/**
 * A channel's SEED identity, {@code NETWORK.STATION.LOCATION.CHANNEL} (2, 5, 2 and 3 characters at most), as
 * miniSEED stores it and SAC's {@code knetwk kstnm khole kcmpnm} hold it. Channels are named by this string
 * whenever their input carries the codes; a code the input does not carry is empty, never made up.
 */
public record TraceId(String network, String station, String location, String channel) {

    public static final TraceId UNKNOWN = new TraceId("", "", "", "");

    public TraceId {
        network = network == null ? "" : network;
        station = station == null ? "" : station;
        location = location == null ? "" : location;
        channel = channel == null ? "" : channel;
    }

    /** The codes of a channel named {@code NET.STA.LOC.CHA} (each within SEED's lengths); null for any other name. */
    public static TraceId of(String name) {
        if (name == null) return null;
        String[] p = name.split("\\.", -1);
        if (p.length != 4 || p[0].length() > 2 || p[1].length() > 5 || p[2].length() > 2 || p[3].length() > 3) return null;
        for (String code : p) if (!code.matches("[A-Za-z0-9 _-]*")) return null;
        return new TraceId(p[0], p[1], p[2], p[3]);
    }

    /** Whether every code is empty: nothing is known of the channel. */
    public boolean unknown() {
        return (network + station + location + channel).isBlank();
    }

    /** {@code NET.STA.LOC.CHA}, the codes as given. */
    @Override
    public String toString() {
        return network + "." + station + "." + location + "." + channel;
    }
}
