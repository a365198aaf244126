package eqt.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A physically grounded synthetic data set in the reference layout (the original data is private).
 *
 * <p>Per pair, at {@link #SAMPLE_RATE} Hz:
 * <ul>
 *   <li><b>source</b>: a Poisson train of Brune (ω²) moment-rate pulses {@code M0 ωc² t e^{-ωc t}}, magnitudes
 *       from a Gutenberg–Richter law (b = 1, M 0–1.6), corner frequency scaling as {@code M0^{-1/3}}, random
 *       polarity (radiation pattern);</li>
 *   <li><b>path</b>: a direct arrival (delay 0.1–0.5 s, geometric-spreading gain), a converted phase, and
 *       free-surface/layer reverberations with alternating sign and decaying reflection coefficient; every
 *       arrival is broadened by a causal attenuation pulse whose width grows with travel time (t* ∝ t);</li>
 *   <li><b>site</b>: a damped resonance (1.5–6 Hz, 5–20 % damping) added to the path response;</li>
 *   <li><b>noise</b>: AR(1)-coloured Gaussian recording noise at about 5 % of the record's RMS.</li>
 * </ul>
 * The station record is the source convolved with the path and site response, plus noise. Everything is drawn
 * from {@link SplittableRandom} and evaluated with {@link StrictMath}, so a seed gives the same files,
 * byte for byte, on every JVM.
 */
public final class SyntheticGenerator {

    public static final double SAMPLE_RATE = 100.0;

    /**
     * The physical knobs. {@link #DEFAULT} made {@code eq_data}; the other families are worlds for checking that a
     * model was not tuned to one (see {@link #FAMILIES} and {@code eq_data/README.md}).
     *
     * @param eventRate      source events per second
     * @param attenuation    growth of the arrival broadening with travel time (s per s; t* ∝ t)
     * @param reflection     lowest layer reflection coefficient (the highest is 0.4 above it)
     * @param siteLow        lowest site resonance (Hz); the highest is {@code siteSpan} above it
     * @param noise          recording-noise RMS as a share of the record's RMS
     * @param path           travel time of the direct arrival (s, lowest; the highest is 0.4 s above), the
     *                       two-way layer delay (s, lowest, and the span above it), the number of reverberations, and the
     *                       length of the path response (samples)
     * @param siteSpan       width of the site-resonance band (Hz)
     * @param bursts         noise bursts per minute (0: stationary noise) and their RMS relative to the background
     * @param clip           the sensor clips at this share of the record's largest amplitude (0: never)
     * @param drift          how the record's character changes along it (none for the stationary worlds)
     * @param lowCut         the instrument's corner (Hz): a second-order Butterworth high-pass on the ground
     *                       motion, as a short-period sensor loses what lies below it (0: broadband, none)
     * @param station        what the recording adds across pairs and over time: an instrument change, telemetry
     *                       dropouts, cross-talk, noise common to every station ({@link Station#NONE}: none)
     */
    public record Physics(double eventRate, double attenuation, double reflection, double siteLow, double noise,
                          Path path, double siteSpan, Bursts bursts, double clip, Drift drift, double lowCut,
                          Station station) {

        /** Without {@link Station} effects. */
        public Physics(double eventRate, double attenuation, double reflection, double siteLow, double noise,
                       Path path, double siteSpan, Bursts bursts, double clip, Drift drift, double lowCut) {
            this(eventRate, attenuation, reflection, siteLow, noise, path, siteSpan, bursts, clip, drift, lowCut,
                    Station.NONE);
        }

        /** A stationary world with a broadband sensor. */
        public Physics(double eventRate, double attenuation, double reflection, double siteLow, double noise,
                       Path path, double siteSpan, Bursts bursts, double clip) {
            this(eventRate, attenuation, reflection, siteLow, noise, path, siteSpan, bursts, clip, Drift.NONE, 0);
        }

        /**
         * A record whose character changes: the sensor's gain wanders by ±{@code gain} (one slow sine over the
         * record, random phase), the noise RMS grows linearly to {@code noiseGrowth} times its starting level at
         * the record's end, and at {@code pathSwitch} of the record (0: never) the path changes to a second one,
         * drawn like the first, over a 10 s cross-fade (a new source region, or a changed site).
         */
        public record Drift(double gain, double noiseGrowth, double pathSwitch) {
            static final Drift NONE = new Drift(0, 1, 0);
        }

        /**
         * What real station records carry besides the ground motion.
         *
         * @param gainStep       at the {@link Drift#pathSwitch} point the instrument's gain is multiplied by this (a
         *                       re-gained or swapped sensor; 1: unchanged). Nothing documents the change.
         * @param dropoutsPerHour telemetry dropouts per hour of record; each is a run of exact zeros, as data that
         *                       arrive already merged show a gap
         * @param dropoutSeconds mean dropout length (exponential, at least 1 s)
         * @param crossTalk      share of each neighbouring channel's recorded signal (pair order) that leaks in
         * @param commonNoise    RMS of a noise common to every station (one AR(1) series: a regional
         *                       microseism, a shared digitiser reference), as a share of each record's RMS
         */
        public record Station(double gainStep, double dropoutsPerHour, double dropoutSeconds, double crossTalk,
                              double commonNoise) {
            static final Station NONE = new Station(1, 0, 0, 0, 0);
        }

        /** Where the energy travels: see {@link Physics}. */
        public record Path(double directDelay, double layerDelayLow, double layerDelaySpan, int reverberations,
                           int responseLength) {
            static final Path SHALLOW = new Path(0.1, 0.15, 0.45, 6, 400);
        }

        /** Non-stationary noise: bursts (2–10 s, raised-cosine edges) per minute and their relative RMS. */
        public record Bursts(double perMinute, double gain) {
            static final Bursts NONE = new Bursts(0, 0);
        }

        public static final Physics DEFAULT = new Physics(0.25, 0.02, 0.3, 1.5, 0.05, Path.SHALLOW, 4.5, Bursts.NONE, 0);
        public static final Physics HARSH = new Physics(0.4, 0.035, 0.45, 0.8, 0.10, Path.SHALLOW, 4.5, Bursts.NONE, 0);

        /** Every named world, in the order the docs list them. */
        public static final java.util.Map<String, Physics> FAMILIES = families();

        private static java.util.Map<String, Physics> families() {
            java.util.Map<String, Physics> m = new java.util.LinkedHashMap<>();
            m.put("default", DEFAULT);
            m.put("harsh", HARSH);
            // Long reverberation trains in a thick low-velocity layer: echoes every 0.6-2 s for up to 20 s.
            m.put("reverb", new Physics(0.25, 0.01, 0.55, 1.5, 0.05, new Path(0.1, 0.6, 1.4, 12, 2500), 4.5,
                    Bursts.NONE, 0));
            // Distant sources: 1-1.4 s travel, strong attenuation, a long coda, and bursts of cultural noise.
            m.put("longpath", new Physics(0.25, 0.05, 0.4, 1.0, 0.05, new Path(1.0, 0.3, 0.9, 8, 1500), 4.5,
                    new Bursts(1.0, 6.0), 0));
            // A quiet site with bursty noise: storms, traffic.
            m.put("bursty", new Physics(0.25, 0.02, 0.3, 1.5, 0.04, Path.SHALLOW, 4.5, new Bursts(2.0, 10.0), 0));
            // A sensor that clips at 35 % of the record's peak: the largest events saturate.
            m.put("clipped", new Physics(0.25, 0.02, 0.3, 1.5, 0.03, Path.SHALLOW, 4.5, Bursts.NONE, 0.35));
            // A stiff shallow site ringing at 8-16 Hz, and few events.
            m.put("sparse-site", new Physics(0.08, 0.015, 0.3, 8.0, 0.05, Path.SHALLOW, 8.0, Bursts.NONE, 0));
            // Many overlapping events.
            m.put("dense", new Physics(1.5, 0.02, 0.35, 1.5, 0.05, Path.SHALLOW, 4.5, Bursts.NONE, 0));
            // A record that changes along its length: gain wander, noise growing fourfold, a new path at 70 %.
            m.put("drift", new Physics(0.25, 0.02, 0.3, 1.5, 0.05, Path.SHALLOW, 4.5, Bursts.NONE, 0,
                    new Drift(0.3, 4, 0.7), 0));
            // A short-period sensor with a 1 Hz corner: the large events' low frequencies are gone.
            m.put("short-period", new Physics(0.25, 0.02, 0.3, 1.5, 0.05, Path.SHALLOW, 4.5, Bursts.NONE, 0,
                    Drift.NONE, 1.0));
            // Families with what real records carry (issue "real records change and drop out"). Tuned on: change,
            // dropout, real-change-tune. Only reported: crosstalk, real-change.
            // The path and the sensor's gain change at 45 % of the record, inside the training block, undocumented.
            m.put("change", new Physics(0.25, 0.02, 0.3, 1.5, 0.05, Path.SHALLOW, 4.5, Bursts.NONE, 0,
                    new Drift(0, 1, 0.45), 0, new Station(0.6, 0, 0, 0, 0)));
            // Telemetry dropouts: about 8 an hour, 12 s on average, merged as runs of zeros.
            m.put("dropout", new Physics(0.25, 0.02, 0.3, 1.5, 0.05, Path.SHALLOW, 4.5, Bursts.NONE, 0,
                    Drift.NONE, 0, new Station(1, 8, 12, 0, 0)));
            // Neighbouring channels leak 12 % into each other, a common noise at 8 %, and a 0.3 Hz high-pass sensor.
            m.put("crosstalk", new Physics(0.25, 0.02, 0.3, 1.5, 0.05, Path.SHALLOW, 4.5, Bursts.NONE, 0,
                    Drift.NONE, 0.3, new Station(1, 0, 0, 0.12, 0.08)));
            // Real sources (the report set) with everything at once, as the world F: a change at 55 %,
            // dropouts, cross-talk and common noise.
            Physics realChange = new Physics(0.25, 0.02, 0.3, 1.5, 0.05, Path.SHALLOW, 4.5, Bursts.NONE, 0,
                    new Drift(0, 1, 0.55), 0, new Station(1.5, 6, 10, 0.1, 0.05));
            m.put("real-change", realChange);
            // The same with the tune set of real sources: real-change's counterpart to build on (it is only reported).
            m.put("real-change-tune", realChange);
            return java.util.Collections.unmodifiableMap(m);
        }
    }

    private final Layout layout;
    private final long seed;
    private final Physics physics;
    private final java.util.List<float[]> realSources;

    public SyntheticGenerator(Layout layout, long seed) {
        this(layout, seed, Physics.DEFAULT);
    }

    public SyntheticGenerator(Layout layout, long seed, Physics physics) {
        this(layout, seed, physics, null);
    }

    /**
     * With {@code realSources} (recorded seismograms, see {@link RealSources}), pair i's source is record
     * i mod their number instead of a synthetic train of Brune pulses; path, site and noise are drawn as ever.
     */
    public SyntheticGenerator(Layout layout, long seed, Physics physics, java.util.List<float[]> realSources) {
        this.layout = layout;
        this.seed = seed;
        this.physics = physics;
        this.realSources = realSources == null || realSources.isEmpty() ? null : java.util.List.copyOf(realSources);
    }

    /** Generates every pair in memory. */
    public EqDataset generate() {
        int p = layout.pairs();
        double[][] src = new double[p][];
        double[][] sta = new double[p][];
        IntStream.range(0, p).parallel().forEach(i -> {
            SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + i);
            double[] s = realSources != null
                    ? RealSources.prepare(realSources.get(i % realSources.size()), layout.samplesPerFile())
                    : sourceRecord(rng, layout.samplesPerFile(), physics);
            double[] h = pathResponse(rng, physics);
            double[] y = convolve(s, h);
            Physics.Drift drift = physics.drift();
            if (drift.pathSwitch() > 0) {
                switchPath(y, convolve(s, pathResponse(rng, physics)), drift.pathSwitch(), physics.station().gainStep());
            }
            if (drift.gain() > 0) wanderGain(rng, y, drift.gain());
            if (physics.lowCut() > 0) highPass(y, physics.lowCut());
            addNoise(rng, y, physics.noise(), physics.bursts(), drift.noiseGrowth());
            clip(y, physics.clip());
            src[i] = s;
            sta[i] = y;
        });
        Physics.Station st = physics.station();
        if (st.commonNoise() > 0) addCommonNoise(new SplittableRandom(seed * 1_000_003L - 1), sta, st.commonNoise());
        if (st.crossTalk() > 0) crossTalk(sta, st.crossTalk());
        if (st.dropoutsPerHour() > 0) {
            IntStream.range(0, p).parallel().forEach(i -> dropOut(new SplittableRandom(seed * 1_000_003L + i + 0x5eed0000L),
                    sta[i], st.dropoutsPerHour(), st.dropoutSeconds()));
        }
        float[][] srcF = new float[p][];
        float[][] staF = new float[p][];
        for (int i = 0; i < p; i++) {
            srcF[i] = toFloat(src[i]);
            staF[i] = toFloat(sta[i]);
        }
        return new EqDataset(layout, srcF, staF);
    }

    /** One AR(1) noise series, the same at every station, at {@code share} of each record's RMS. */
    private static void addCommonNoise(SplittableRandom rng, double[][] y, double share) {
        int n = y[0].length;
        double rho = 0.95;
        double[] common = new double[n];
        double e = 0;
        for (int i = 0; i < n; i++) {
            e = rho * e + StrictMath.sqrt(1 - rho * rho) * gaussian(rng);
            common[i] = e;
        }
        for (double[] r : y) {
            double rms = rms(r);
            for (int i = 0; i < n; i++) r[i] += share * rms * common[i];
        }
    }

    /** Each record takes {@code share} of its neighbours' (pair order) as they were recorded. */
    private static void crossTalk(double[][] y, double share) {
        double[][] before = new double[y.length][];
        for (int c = 0; c < y.length; c++) before[c] = y[c].clone();
        for (int c = 0; c < y.length; c++) {
            for (int nb = c - 1; nb <= c + 1; nb += 2) {
                if (nb < 0 || nb >= y.length) continue;
                for (int i = 0; i < y[c].length; i++) y[c][i] += share * before[nb][i];
            }
        }
    }

    /** Telemetry dropouts: Poisson in time, exponential lengths (at least 1 s), set to exactly zero. */
    private static void dropOut(SplittableRandom rng, double[] y, double perHour, double meanSeconds) {
        double rate = perHour / 3600 / SAMPLE_RATE; // per sample
        double t = -StrictMath.log(1 - rng.nextDouble()) / rate;
        while (t < y.length) {
            int len = (int) (SAMPLE_RATE * StrictMath.max(1, -meanSeconds * StrictMath.log(1 - rng.nextDouble())));
            int start = (int) t;
            for (int k = start; k < StrictMath.min(y.length, start + len); k++) y[k] = 0;
            t = start + len - StrictMath.log(1 - rng.nextDouble()) / rate;
        }
    }

    private static double rms(double[] v) {
        double ss = 0;
        for (double x : v) ss += x * x;
        return StrictMath.sqrt(ss / v.length);
    }

    /** Generates and writes {@code value_0 .. value_{2p-1}} into {@code dir} (created if needed). */
    public void writeTo(Path dir) {
        EqDataset d = generate();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int p = layout.pairs();
        IntStream.range(0, 2 * p).parallel().forEach(i -> {
            float[] v = i < p ? d.sourceRecord(i) : d.stationRecord(i - p);
            writeColumn(dir.resolve("value_" + i), v);
        });
    }

    public static void writeColumn(Path file, float[] v) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
            for (float x : v) {
                w.write(Float.toString(x));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double[] sourceRecord(SplittableRandom rng, int n, Physics physics) {
        double[] s = new double[n];
        double rate = physics.eventRate();
        double t = -StrictMath.log(1 - rng.nextDouble()) / rate;
        while (t * SAMPLE_RATE < n) {
            // Gutenberg-Richter with b = 1, truncated to [0, 1.6]: P(M > m) ∝ 10^{-m}.
            double mMax = 1.6;
            double u = rng.nextDouble();
            double m = -StrictMath.log10(1 - u * (1 - StrictMath.pow(10, -mMax)));
            double fc = 6.0 * StrictMath.pow(10, -0.5 * m); // Brune: fc ∝ M0^{-1/3}, M0 ∝ 10^{1.5 M}
            double wc = 2 * StrictMath.PI * fc;
            // Peak of M0 ωc² t e^{-ωc t} is M0 ωc / e ∝ 10^{1.5M} 10^{-0.5M} = 10^{M}; scaled so M0 peaks at 0.05.
            double peak = 0.05 * StrictMath.pow(10, m);
            double sign = rng.nextBoolean() ? 1 : -1;
            int start = (int) (t * SAMPLE_RATE);
            int len = (int) StrictMath.min(n - start, StrictMath.ceil(12 / wc * SAMPLE_RATE));
            for (int k = 0; k < len; k++) {
                double tau = k / SAMPLE_RATE;
                s[start + k] += sign * peak * StrictMath.E * wc * tau * StrictMath.exp(-wc * tau);
            }
            t += -StrictMath.log(1 - rng.nextDouble()) / rate;
        }
        return s;
    }

    static double[] pathResponse(SplittableRandom rng, Physics physics) {
        Physics.Path path = physics.path();
        int n = path.responseLength();
        double[] h = new double[n];
        double t0 = path.directDelay() + 0.4 * rng.nextDouble();
        double gain = 0.6 + 0.6 * rng.nextDouble();
        double layerDelay = path.layerDelayLow() + path.layerDelaySpan() * rng.nextDouble();
        double reflection = physics.reflection() + 0.4 * rng.nextDouble();
        double q = physics.attenuation();
        addArrival(h, t0, gain, q);
        addArrival(h, t0 + 0.3 * layerDelay + 0.05, 0.3 * gain * (rng.nextBoolean() ? 1 : -1), q); // converted phase
        double amp = gain;
        for (int k = 1; k <= path.reverberations(); k++) {
            amp *= -reflection;
            addArrival(h, t0 + k * layerDelay, amp, q);
        }
        // Site resonance: a damped oscillator driven by the incoming wavefield, added to it.
        double fSite = physics.siteLow() + physics.siteSpan() * rng.nextDouble();
        double zeta = 0.05 + 0.15 * rng.nextDouble();
        double siteGain = 0.2 + 0.3 * rng.nextDouble();
        double w0 = 2 * StrictMath.PI * fSite;
        double wd = w0 * StrictMath.sqrt(1 - zeta * zeta);
        double[] site = new double[n];
        for (int k = 0; k < n; k++) {
            double t = k / SAMPLE_RATE;
            site[k] = siteGain * w0 / SAMPLE_RATE * StrictMath.exp(-zeta * w0 * t) * StrictMath.sin(wd * t);
        }
        double[] withSite = convolve(h, site);
        for (int k = 0; k < n; k++) h[k] += withSite[k];
        return h;
    }

    /** Adds an arrival at {@code time} s broadened by a causal attenuation pulse (width grows with time). */
    private static void addArrival(double[] h, double time, double amp, double attenuation) {
        double width = 0.01 + attenuation * time; // seconds; t* grows with travel time
        int start = (int) StrictMath.round(time * SAMPLE_RATE);
        double sum = 0;
        int len = (int) StrictMath.ceil(8 * width * SAMPLE_RATE) + 1;
        double[] pulse = new double[len];
        for (int k = 0; k < len; k++) {
            double t = (k + 0.5) / SAMPLE_RATE;
            pulse[k] = t * StrictMath.exp(-t / width);
            sum += pulse[k];
        }
        for (int k = 0; k < len && start + k < h.length; k++) h[start + k] += amp * pulse[k] / sum;
    }

    /** Causal convolution truncated to the length of {@code x}. */
    static double[] convolve(double[] x, double[] h) {
        double[] y = new double[x.length];
        for (int j = 0; j < h.length; j++) {
            double hj = h[j];
            if (hj == 0) continue;
            for (int i = j; i < x.length; i++) y[i] += hj * x[i - j];
        }
        return y;
    }

    /**
     * {@code y} until {@code at} of its length, {@code other} times {@code gain} after it, with a 10 s
     * raised-cosine cross-fade.
     */
    private static void switchPath(double[] y, double[] other, double at, double gain) {
        int mid = (int) (at * y.length);
        int half = (int) (5 * SAMPLE_RATE);
        for (int i = StrictMath.max(0, mid - half); i < y.length; i++) {
            double w = i >= mid + half ? 1 : 0.5 - 0.5 * StrictMath.cos(StrictMath.PI * (i - mid + half) / (2.0 * half));
            y[i] = (1 - w) * y[i] + w * gain * other[i];
        }
    }

    /** The sensor's gain wanders by ±{@code amount}: one sine period over the record, random phase. */
    private static void wanderGain(SplittableRandom rng, double[] y, double amount) {
        double phase = 2 * StrictMath.PI * rng.nextDouble();
        for (int i = 0; i < y.length; i++) y[i] *= 1 + amount * StrictMath.sin(2 * StrictMath.PI * i / y.length + phase);
    }

    /** A second-order Butterworth high-pass at {@code corner} Hz (bilinear transform, prewarped), causal. */
    static void highPass(double[] y, double corner) {
        double k = StrictMath.tan(StrictMath.PI * corner / SAMPLE_RATE);
        double q = 1 / StrictMath.sqrt(2);
        double norm = 1 / (1 + k / q + k * k);
        double b0 = norm;
        double b1 = -2 * norm;
        double a1 = 2 * (k * k - 1) * norm;
        double a2 = (1 - k / q + k * k) * norm;
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < y.length; i++) {
            double x0 = y[i];
            double out = b0 * x0 + b1 * x1 + b0 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = x0;
            y2 = y1;
            y1 = out;
            y[i] = out;
        }
    }

    /** Recording noise; its level grows linearly to {@code growth} times the start's at the record's end. */
    private static void addNoise(SplittableRandom rng, double[] y, double level, Physics.Bursts bursts, double growth) {
        double ss = 0;
        for (double v : y) ss += v * v;
        double rms = StrictMath.sqrt(ss / y.length);
        double rho = 0.9;
        double sigma = level * rms * StrictMath.sqrt(1 - rho * rho);
        double[] envelope = burstEnvelope(rng, y.length, bursts);
        double e = 0;
        for (int i = 0; i < y.length; i++) {
            e = rho * e + sigma * gaussian(rng);
            double g = growth == 1 ? 1 : 1 + (growth - 1) * i / (y.length - 1.0);
            y[i] += (envelope == null ? e : e * envelope[i]) * g;
        }
    }

    /** 1 outside bursts; inside, {@code gain} with raised-cosine edges of 1 s. Null without bursts. */
    private static double[] burstEnvelope(SplittableRandom rng, int n, Physics.Bursts bursts) {
        if (bursts.perMinute() <= 0) return null;
        double[] env = new double[n];
        java.util.Arrays.fill(env, 1);
        double rate = bursts.perMinute() / 60 / SAMPLE_RATE; // per sample
        double t = -StrictMath.log(1 - rng.nextDouble()) / rate;
        while (t < n) {
            int start = (int) t;
            int len = (int) ((2 + 8 * rng.nextDouble()) * SAMPLE_RATE);
            int ramp = (int) SAMPLE_RATE;
            for (int k = 0; k < len && start + k < n; k++) {
                int edge = StrictMath.min(k, len - 1 - k);
                double w = edge >= ramp ? 1 : 0.5 - 0.5 * StrictMath.cos(StrictMath.PI * edge / ramp);
                env[start + k] = StrictMath.max(env[start + k], 1 + (bursts.gain() - 1) * w);
            }
            t += len - StrictMath.log(1 - rng.nextDouble()) / rate;
        }
        return env;
    }

    /** A sensor's saturation: amplitudes beyond {@code share} of the largest are cut there. */
    private static void clip(double[] y, double share) {
        if (share <= 0) return;
        double peak = 0;
        for (double v : y) peak = StrictMath.max(peak, StrictMath.abs(v));
        double c = share * peak;
        for (int i = 0; i < y.length; i++) y[i] = StrictMath.max(-c, StrictMath.min(c, y[i]));
    }

    /** Box–Muller with StrictMath, so the noise is the same on every JVM. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = 1 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }
}
