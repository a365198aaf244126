package eqt.checkpoint;

import eqt.ops.Tensors;
import eqt.model.Model;
import eqt.model.ModelConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eqt.dsp.ErrorBars;
import eqt.io.AtomicFile;
import eqt.io.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The project's checkpoint: a zip holding {@code config.json} (the {@link ModelConfig} plus free-form metadata),
 * {@code tensors.json} (name → shape, in order) and one little-endian float32 blob per tensor under
 * {@code tensors/}; a checkpoint written during training also holds what resuming needs under {@code train/}
 * (progress as JSON, the optimiser in libtorch's archive format, the dropout generator's state). Plain and documented so any language can read it; written to a temporary file, flushed and
 * renamed into place, so a crash never leaves a half-written checkpoint under the final name.
 */
public final class Checkpoint {

    public static final String FORMAT = "eqt-checkpoint/1";
    /** The entry holding calibrated error bars, when the checkpoint has them. */
    public static final String ERROR_BARS = "error_bars.json";
    /** Per pair, the share of the network's correction kept (see {@code WienerModel.setGates}). */
    public static final String GATES = "gates.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {
    }

    /**
     * Training state that makes a checkpoint resumable (progress is any JSON-serialisable value). {@code rng}
     * holds each rank's CPU generator state, rank r's at r: ranks draw their own dropout masks, so a resumed
     * rank continues its own stream. A checkpoint written before per-rank states has rank 0's only.
     */
    public record Training(JsonNode progress, byte[] optimizer, List<byte[]> rng, List<byte[]> deviceRng) {
        public Training {
            if (rng.isEmpty()) throw new IllegalArgumentException("no generator state");
            rng = List.copyOf(rng);
            deviceRng = deviceRng == null ? List.of() : List.copyOf(deviceRng);
        }

        /** Training state of a run on the CPU: no device generator. */
        public Training(JsonNode progress, byte[] optimizer, List<byte[]> rng) {
            this(progress, optimizer, rng, List.of());
        }
    }

    /** Each rank's device generator (cuda, sdaa: SDPA's dropout masks come from it); none on the CPU. */
    private static String deviceRngEntry(int rank) {
        return "train/rng.device.rank" + rank + ".bin";
    }

    /** Rank 0's generator state keeps its original entry name, so older readers still resume rank 0. */
    private static String rngEntry(int rank) {
        return rank == 0 ? "train/rng.bin" : "train/rng.rank" + rank + ".bin";
    }

    /** One entry per rank, rank r's under {@code name.apply(r)}. */
    private static void writePerRank(ZipOutputStream zip, List<byte[]> perRank, java.util.function.IntFunction<String> name)
            throws IOException {
        for (int r = 0; r < perRank.size(); r++) {
            zip.putNextEntry(new ZipEntry(name.apply(r)));
            zip.write(perRank.get(r));
            zip.closeEntry();
        }
    }

    /** The entries {@link #writePerRank} wrote, from rank 0 until the first rank without one. */
    private static List<byte[]> readPerRank(Map<String, byte[]> entries, java.util.function.IntFunction<String> name) {
        List<byte[]> out = new java.util.ArrayList<>();
        for (int r = 0; entries.containsKey(name.apply(r)); r++) out.add(entries.get(name.apply(r)));
        return out;
    }

    public static void save(Model model, Map<String, Object> metadata, Path file) {
        save(model, metadata, null, file);
    }

    public static void save(Model model, Map<String, Object> metadata, Training training, Path file) {
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("format", FORMAT);
        cfg.set("model", JSON.valueToTree(model.config()));
        cfg.set("metadata", JSON.valueToTree(metadata));
        ArrayNode index = JSON.createArrayNode();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFile.write(file, out -> {
                ZipOutputStream zip = new ZipOutputStream(out);
                for (Map.Entry<String, Tensor> e : model.state().entrySet()) {
                    float[] v = Tensors.toArray(e.getValue());
                    ObjectNode entry = index.addObject();
                    entry.put("name", e.getKey());
                    ArrayNode shape = entry.putArray("shape");
                    for (long s : e.getValue().shape()) shape.add(s);
                    zip.putNextEntry(new ZipEntry("tensors/" + e.getKey()));
                    ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    bb.asFloatBuffer().put(v);
                    zip.write(bb.array());
                    zip.closeEntry();
                }
                writeJson(zip, "config.json", cfg);
                writeJson(zip, "tensors.json", index);
                if (training != null) {
                    writeJson(zip, "train/progress.json", training.progress());
                    zip.putNextEntry(new ZipEntry("train/optimizer.pt"));
                    zip.write(training.optimizer());
                    zip.closeEntry();
                    writePerRank(zip, training.rng(), Checkpoint::rngEntry);
                    writePerRank(zip, training.deviceRng(), Checkpoint::deviceRngEntry);
                }
                zip.finish();
            });
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write checkpoint (" + e.getMessage() + ")", e);
        }
    }

    private static void writeJson(ZipOutputStream zip, String name, JsonNode node) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
        zip.closeEntry();
    }

    /** What a checkpoint file holds, read fully into memory (checkpoints are small). */
    /**
     * {@code errorBars}, {@code gates}: null unless the checkpoint was calibrated ({@link #addCalibration}); gates only
     * for a model with a linear path.
     */
    public record Contents(ModelConfig config, JsonNode metadata, Map<String, float[]> tensors,
                           Map<String, long[]> shapes, Training training, ErrorBars errorBars, double[] gates) {
    }

    public static Contents read(Path file) {
        return parse(file, entries(file));
    }

    /**
     * Adds calibrated error bars to a checkpoint (replacing any it held), rewriting the file atomically. A
     * checkpoint saved again by training loses them: they belong to the weights they were calibrated for.
     */
    public static void addErrorBars(Path file, ErrorBars bars) {
        addCalibration(file, null, bars);
    }

    /** As {@link #addErrorBars}, with the gates the error bars were fitted under (null: none, any held removed). */
    public static void addCalibration(Path file, double[] gates, ErrorBars bars) {
        Map<String, byte[]> entries = entries(file);
        int channels = parse(file, entries).config().channels(); // refuses what is not a whole checkpoint
        bars.check(channels);
        if (gates != null && gates.length != channels) throw new IllegalArgumentException(gates.length + " gates for " + channels + " pairs");
        try {
            entries.put(ERROR_BARS, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(bars));
            if (gates != null) entries.put(GATES, JSON.writeValueAsBytes(Map.of("gates", gates)));
            else entries.remove(GATES);
            AtomicFile.write(file, out -> {
                ZipOutputStream zip = new ZipOutputStream(out);
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    zip.putNextEntry(new ZipEntry(e.getKey()));
                    zip.write(e.getValue());
                    zip.closeEntry();
                }
                zip.finish();
            });
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write checkpoint (" + e.getMessage() + ")", e);
        }
    }

    /** Every entry of the zip, inflated, in file order. */
    private static Map<String, byte[]> entries(Path file) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            // Float tensors deflate little: a checkpoint that inflates past this is a zip bomb, not a model.
            long budget = 64L * 1024 * 1024 + 32 * Files.size(file);
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                byte[] b = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, budget + 1));
                budget -= b.length;
                if (budget < 0) {
                    throw new BadInputException(file + ": entry " + e.getName() + " inflates past " + (64 + 32 * Files.size(file)
                            / (1024 * 1024)) + " MB, far beyond any checkpoint of its size (a zip bomb?)");
                }
                entries.put(e.getName(), b);
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": checkpoint not found");
        } catch (ZipException | java.io.EOFException | IllegalArgumentException e) { // the last: a name not in UTF-8
            throw new BadInputException(file + ": not a checkpoint or truncated (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read checkpoint (" + e.getMessage() + ")");
        }
        return entries;
    }

    private static Contents parse(Path file, Map<String, byte[]> entries) {
        if (!entries.containsKey("config.json") || !entries.containsKey("tensors.json")) {
            throw new BadInputException(file + ": not a checkpoint of this tool (no config.json/tensors.json; "
                    + "truncated, or a different format)");
        }
        try {
            JsonNode cfg = JSON.readTree(entries.get("config.json"));
            if (!FORMAT.equals(cfg.path("format").asText())) {
                throw new BadInputException(file + ": unsupported checkpoint format '" + cfg.path("format").asText() + "'");
            }
            ModelConfig mc = JSON.treeToValue(cfg.get("model"), ModelConfig.class);
            Map<String, float[]> tensors = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (JsonNode t : JSON.readTree(entries.get("tensors.json"))) {
                String name = t.get("name").asText();
                long[] shape = JSON.treeToValue(t.get("shape"), long[].class);
                byte[] raw = entries.get("tensors/" + name);
                long n = 1;
                for (long s : shape) n *= s;
                if (raw == null || raw.length != n * 4) {
                    throw new BadInputException(file + ": tensor " + name + " is missing or truncated");
                }
                float[] v = new float[(int) n];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                tensors.put(name, v);
                shapes.put(name, shape);
            }
            Training training = null;
            if (entries.containsKey("train/progress.json")) {
                if (!entries.containsKey("train/optimizer.pt") || !entries.containsKey("train/rng.bin")) {
                    throw new BadInputException(file + ": training state is incomplete (truncated checkpoint?)");
                }
                training = new Training(JSON.readTree(entries.get("train/progress.json")),
                        entries.get("train/optimizer.pt"), readPerRank(entries, Checkpoint::rngEntry),
                        readPerRank(entries, Checkpoint::deviceRngEntry));
            }
            ErrorBars bars = null;
            if (entries.containsKey(ERROR_BARS)) {
                bars = JSON.readValue(entries.get(ERROR_BARS), ErrorBars.class);
                bars.check(mc.channels());
            }
            double[] gates = null;
            if (entries.containsKey(GATES)) {
                gates = JSON.readValue(entries.get(GATES), GatesEntry.class).gates();
                if (gates == null || gates.length != mc.channels()) throw new IllegalArgumentException("gates.json does not hold one gate per pair");
                for (double g : gates) if (!(g >= 0 && g <= 1)) throw new IllegalArgumentException("a gate outside [0, 1]: " + g);
            }
            return new Contents(mc, cfg.path("metadata"), tensors, shapes, training, bars, gates);
        } catch (IOException | IllegalArgumentException e) {
            if (e.getCause() instanceof BadInputException b) throw b;
            throw new BadInputException(file + ": corrupt checkpoint metadata (" + e.getMessage() + ")");
        }
    }

    /**
     * Refuses a configuration that describes a model far larger than the tensors the file holds, before it is
     * built (a hostile {@code config.json} would otherwise allocate whatever it names).
     */
    static void checkSize(Contents c, Path file) {
        long held = 0;
        for (float[] v : c.tensors().values()) held += v.length;
        long described = c.config().approximateSize();
        if (described > 2 * held + 1_000_000) {
            throw new BadInputException(file + ": config.json describes a model of about " + described
                    + " numbers, the file holds " + held);
        }
    }

    /** Builds the model the checkpoint describes on {@code device} and loads its weights. */
    public static Model load(Path file, Device device) {
        return load(read(file), file, device);
    }

    /** As {@link #load(Path, Device)} for contents already read ({@code file} names them in messages). */
    public static Model load(Contents c, Path file, Device device) {
        checkSize(c, file);
        Model model = Model.create(c.config(), device, 0);
        loadInto(model, c, file);
        if (c.gates() != null && model instanceof eqt.model.WienerModel w) w.setGates(c.gates());
        return model;
    }

    private record GatesEntry(double[] gates) {
    }

    /** Copies the checkpoint's tensors into {@code model}; names and shapes must match exactly. */
    public static void loadInto(Model model, Contents c, Path file) {
        Map<String, Tensor> params = model.state();
        if (!params.keySet().equals(c.tensors().keySet())) {
            java.util.Set<String> missing = new java.util.TreeSet<>(params.keySet());
            missing.removeAll(c.tensors().keySet());
            java.util.Set<String> unexpected = new java.util.TreeSet<>(c.tensors().keySet());
            unexpected.removeAll(params.keySet());
            throw new BadInputException(file + ": parameters do not match the " + model.config().model()
                    + " architecture (expected " + params.size() + " tensors, found " + c.tensors().size()
                    + (missing.isEmpty() ? "" : "; missing " + missing)
                    + (unexpected.isEmpty() ? "" : "; unexpected " + unexpected) + ")");
        }
        try (NoGradGuard g = new NoGradGuard(); org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                long[] want = e.getValue().shape();
                long[] got = c.shapes().get(e.getKey());
                if (!java.util.Arrays.equals(want, got)) {
                    throw new BadInputException(file + ": " + e.getKey() + " has shape " + java.util.Arrays.toString(got)
                            + ", model expects " + java.util.Arrays.toString(want));
                }
                e.getValue().copy_(Tensors.of(c.tensors().get(e.getKey()), model.device(), want));
            }
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

}
