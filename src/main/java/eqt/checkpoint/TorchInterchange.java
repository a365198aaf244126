package eqt.checkpoint;

import eqt.checkpoint.TorchStateDict.Array;
import eqt.io.BadInputException;
import eqt.io.RunDirectory;
import eqt.model.EqTransformer;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import eqt.model.nn.Registry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * Checkpoints to and from PyTorch state_dict files ({@link TorchStateDict} is the file format): any model's weights
 * out under its own names, and the reference architecture's state_dict (the original's {@code model.pkl}) in, its
 * configuration read from the tensor shapes and its positional table checked against the sinusoid.
 */
public final class TorchInterchange {

    private TorchInterchange() {
    }

    /** Writes a checkpoint's weights as a state_dict; returns how many tensors were written. */
    public static int export(Path checkpoint, Path output, boolean overwrite) {
        RunDirectory.checkWritable(output, overwrite);
        Checkpoint.Contents c = Checkpoint.read(checkpoint);
        Map<String, Array> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : c.tensors().entrySet()) {
            out.put(e.getKey(), new Array(c.shapes().get(e.getKey()), e.getValue()));
        }
        // The original's module holds its positional table as a persistent buffer: export it, or its strict
        // load_state_dict refuses the file.
        if (ModelKind.REFERENCE.equals(c.config().model())) out = withPositions(out, c.config());
        RunDirectory.createParents(output);
        TorchStateDict.write(out, output);
        return out.size();
    }

    /** Turns a reference-architecture state_dict into a checkpoint; returns the configuration read from it. */
    public static ModelConfig importReference(Path stateDict, int nHead, Integer maxLength, double dropout, Path output,
                                              boolean overwrite) {
        RunDirectory.checkWritable(output, overwrite);
        Checkpoint.Contents contents = referenceContents(TorchStateDict.read(stateDict), nHead, maxLength, dropout, stateDict);
        Model model = Checkpoint.load(contents, stateDict, new Device(torch.DeviceType.CPU));
        Checkpoint.save(model, Map.of("imported_from", stateDict.toAbsolutePath().toString()), output);
        return contents.config();
    }

    /**
     * The original's positional table: a persistent buffer {@code pe} of shape {@code [1, max_length, d_model]} in
     * its module {@code pos_encoder}, so every model.pkl it saved holds it and its strict load_state_dict expects it.
     */
    public static final String POSITIONS = "pos_encoder.pe";

    /**
     * {@code weights} of a reference model with the original's {@link #POSITIONS} added after the embedding,
     * {@code [1, maxLength, dModel]}, so the original's module loads the file strictly.
     */
    static Map<String, Array> withPositions(Map<String, Array> weights, ModelConfig mc) {
        Map<String, Array> out = new LinkedHashMap<>();
        for (Map.Entry<String, Array> e : weights.entrySet()) {
            out.put(e.getKey(), e.getValue());
            if (e.getKey().equals("embedding.0.bias")) {
                out.put(POSITIONS, new Array(new long[] {1, mc.maxLength(), mc.dModel()},
                        EqTransformer.sinusoid(mc.maxLength(), mc.dModel())));
            }
        }
        return out;
    }

    /**
     * Takes {@link #POSITIONS} out of {@code sd} (if there) after checking it is the fixed sinusoid the Java model
     * computes; returns its length (the original's max_length), or 0 when absent. Anything else would be another
     * architecture (learned positions, say), refused naming the key.
     */
    static int takePositions(Map<String, Array> sd, int dModel, Path file) {
        Array pe = sd.remove(POSITIONS);
        if (pe == null) return 0;
        long[] s = pe.shape();
        boolean shaped = (s.length == 3 && s[0] == 1 && s[2] == dModel) || (s.length == 2 && s[1] == dModel);
        if (!shaped || s[s.length - 2] < 1 || s[s.length - 2] > Integer.MAX_VALUE / dModel) {
            throw new BadInputException(file + ": " + POSITIONS + " has shape " + java.util.Arrays.toString(s)
                    + ", expected [1, max_length, " + dModel + "]");
        }
        int len = (int) s[s.length - 2];
        float[] want = EqTransformer.sinusoid(len, dModel);
        for (int i = 0; i < want.length; i++) {
            // float32 sinusoids computed another way differ by ~1e-4 at position 1500; learned tables by far more.
            if (!(Math.abs(pe.values()[i] - want[i]) <= 2e-3)) {
                throw new BadInputException(String.format(java.util.Locale.ROOT, "%s: %s is not the fixed sinusoidal "
                        + "table at position %d, feature %d (%g, expected %g): another architecture", file, POSITIONS,
                        i / dModel, i % dModel, pe.values()[i], want[i]));
            }
        }
        return len;
    }

    /**
     * A reference-architecture state_dict (the original's model.pkl) as checkpoint contents: its positional table
     * checked and taken out, the configuration read from the shapes. {@code maxLength}: null takes the table's
     * length (1500 without one).
     */
    static Checkpoint.Contents referenceContents(Map<String, Array> stateDict, int nHead, Integer maxLength,
                                                 double dropout, Path file) {
        Map<String, Array> sd = new LinkedHashMap<>(stateDict);
        Array emb = sd.get("embedding.0.weight");
        int table = emb == null || emb.shape().length != 2 ? 0 : takePositions(sd, (int) emb.shape()[0], file);
        ModelConfig mc = referenceConfig(sd, nHead, maxLength != null ? maxLength : table > 0 ? table : 1500, dropout, file);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        sd.forEach((k, v) -> {
            values.put(k, v.values());
            shapes.put(k, v.shape());
        });
        return new Checkpoint.Contents(mc, null, values, shapes, null, null, null);
    }

    /** The reference configuration a state_dict's shapes describe. */
    static ModelConfig referenceConfig(Map<String, Array> sd, int nHead, int maxLength, double dropout,
                                       Path file) {
        Array emb = sd.get("embedding.0.weight");
        Array ff = sd.get(Registry.ENCODER_LAYERS + "0.linear1.weight");
        if (emb == null || ff == null || emb.shape().length != 2) {
            throw new BadInputException(file + ": not a state_dict of the reference architecture (no embedding.0.weight "
                    + "or " + Registry.ENCODER_LAYERS + "0.linear1.weight; keys: " + sd.keySet().stream().limit(6).toList() + "…)");
        }
        int layers = (int) sd.keySet().stream().filter(k -> k.startsWith(Registry.ENCODER_LAYERS))
                .map(k -> k.substring(Registry.ENCODER_LAYERS.length(), k.indexOf('.', Registry.ENCODER_LAYERS.length()))).distinct().count();
        boolean normalize = sd.containsKey("normalization.input_mean");
        return new ModelConfig(ModelKind.REFERENCE, (int) emb.shape()[1], new ModelConfig.Encoder((int) emb.shape()[0], nHead, layers, (int) ff.shape()[0]), new ModelConfig.Dropouts(dropout, dropout), maxLength, normalize, 0, 0);
    }
}
