package eqt.formats;

import edu.sc.seis.seisFile.sac.SacHeader;
import java.time.Duration;
import java.time.Instant;

/**
 * The SAC header values that describe where a trace was recorded and what it recorded, carried from a SAC input
 * to a SAC output: station latitude, longitude, elevation, the component's azimuth and incidence, the event's
 * latitude, longitude, depth and name, and its origin time ({@code o}, kept as an absolute time: the output's
 * reference time is its own start, so {@code o} is re-expressed against it). {@code null}: undefined.
 */
public record SacHeaders(Float stla, Float stlo, Float stel, Float cmpaz, Float cmpinc, Float evla, Float evlo,
                         Float evdp, String kevnm, Instant origin) {

    /** SAC's "undefined" for floats and integers. */
    static final float UNDEFINED = -12345f;

    public static final SacHeaders NONE = new SacHeaders(null, null, null, null, null, null, null, null, null, null);

    /** What {@code h} defines; {@code reference} is its reference time (null: {@code o} cannot be placed). */
    static SacHeaders of(SacHeader h, Instant reference) {
        Instant origin = reference == null || h.getO() == UNDEFINED ? null
                : reference.plus(Duration.ofNanos(Math.round(h.getO() * 1e9)));
        String event = Sac.text(h.getKevnm());
        return new SacHeaders(def(h.getStla()), def(h.getStlo()), def(h.getStel()), def(h.getCmpaz()),
                def(h.getCmpinc()), def(h.getEvla()), def(h.getEvlo()), def(h.getEvdp()),
                event.isEmpty() ? null : event, origin);
    }

    /** Sets what is defined here on {@code h}, whose reference time is {@code reference}. */
    void applyTo(SacHeader h, Instant reference) {
        if (stla != null) h.setStla(stla);
        if (stlo != null) h.setStlo(stlo);
        if (stel != null) h.setStel(stel);
        if (cmpaz != null) h.setCmpaz(cmpaz);
        if (cmpinc != null) h.setCmpinc(cmpinc);
        if (evla != null) h.setEvla(evla);
        if (evlo != null) h.setEvlo(evlo);
        if (evdp != null) h.setEvdp(evdp);
        if (kevnm != null) h.setKevnm(kevnm);
        if (origin != null && reference != null) h.setO((float) (Duration.between(reference, origin).toNanos() / 1e9));
    }

    private static Float def(float v) {
        return v == UNDEFINED || !Float.isFinite(v) ? null : v;
    }
}
