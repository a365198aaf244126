package eqt.checkpoint;



import eqt.io.AtomicFile;
import eqt.io.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.IObjectDeconstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Pickler;
import net.razorvine.pickle.Unpickler;

/**
 * PyTorch's {@code torch.save} format for a {@code state_dict}, read and written through razorvine's pickle
 * library: a zip whose {@code <name>/data.pkl} pickles an {@code OrderedDict} of tensors, each rebuilt by
 * {@code torch._utils._rebuild_tensor_v2} from a storage named by a persistent id
 * {@code ('storage', torch.FloatStorage, key, location, numel)} whose bytes are the entry {@code <name>/data/<key>}
 * (little-endian). libtorch's own {@code pickle_load} refuses an {@code OrderedDict} with {@code _metadata} (what
 * {@code state_dict()} returns), and this binding cannot build the dictionary {@code pickle_save} would need, so
 * both directions go through the pickle library; what is written here is PyTorch's convention, not a new format.
 *
 * <p>Reading accepts float32, float64, float16 and bfloat16 tensors (converted to float32), any strides, a
 * {@code state_dict} nested under {@code "state_dict"} / {@code "model_state_dict"}, and strips the
 * {@code "module."} prefix that DistributedDataParallel adds. The legacy (pre-1.6, non-zip) format is refused with
 * a message saying so.
 */
public final class TorchStateDict {

    /** A tensor as plain data: row-major float32 {@code values} of {@code shape}. */
    public record Array(long[] shape, float[] values) {
    }

    private static final String DDP_PREFIX = "module.";

    static {
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", TorchStateDict::rebuildTensor);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
        Unpickler.registerConstructor("collections", "OrderedDict", OrderedDict::of);
        for (Dtype d : Dtype.values()) Unpickler.registerConstructor("torch", d.storage, d);
        Pickler.registerCustomDeconstructor(OrderedDict.class, deconstructor("collections", "OrderedDict",
                o -> new Object[] {((OrderedDict) o).pairs()}));
        Pickler.registerCustomDeconstructor(Out.class, deconstructor("torch._utils", "_rebuild_tensor_v2", o -> {
            Out t = (Out) o;
            return new Object[] {new Storage(t.key, t.values.length), 0, boxed(t.shape), boxed(strides(t.shape)), false,
                    new OrderedDict()};
        }));
        // The storage class appears bare inside the persistent id: a GLOBAL opcode without a call.
        Pickler.registerCustomPickler(Dtype.class, (o, out, p) -> out.write(("ctorch\n" + ((Dtype) o).storage + "\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    private TorchStateDict() {
    }

    /** Reads a {@code torch.save}d state_dict (or a dict of tensors) from {@code file}: name → tensor, in order. */
    public static Map<String, Array> read(Path file) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file + ": file not found");
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            for (var e = zip.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                if (n.endsWith("data.pkl")) prefix = n.substring(0, n.length() - "data.pkl".length());
            }
            if (prefix == null) throw new BadInputException(file + ": a zip without data.pkl is not a torch.save file");
            Object root;
            ZipEntry entry = zip.getEntry(prefix + "data.pkl");
            try (PickleBounds.Counted pkl = new PickleBounds.Counted(zip.getInputStream(entry), entry.getSize())) {
                root = new StorageUnpickler(zip, prefix, file, pkl).load(pkl);
            } catch (BadInputException e) {
                throw e;
            } catch (RuntimeException e) {
                // the pickle library's own answers to malformed opcodes (an empty stack popped, a number that
                // does not parse, bad UTF-8): hostile bytes, not a fault of this program
                throw new BadInputException(file + ": unreadable torch.save file (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            }
            return tensors(root, file);
        } catch (java.util.zip.ZipException | IllegalArgumentException e) { // the latter: an entry name not in UTF-8
            throw new BadInputException(file + ": not a PyTorch zip checkpoint (" + e.getMessage() + "); files from "
                    + "torch < 1.6 or saved with _use_new_zipfile_serialization=False must be re-saved with a newer torch");
        } catch (IOException | PickleException | ClassCastException | ArrayIndexOutOfBoundsException
                 | ArithmeticException | NegativeArraySizeException | NullPointerException e) {
            throw new BadInputException(file + ": unreadable torch.save file (" + e.getMessage() + ")");
        }
    }

    /** Writes {@code tensors} as PyTorch writes {@code model.state_dict()}, so {@code torch.load} returns it. */
    public static void write(Map<String, Array> tensors, Path file) {
        String root = stem(file);
        List<Out> outs = new ArrayList<>();
        OrderedDict dict = new OrderedDict();
        for (Map.Entry<String, Array> e : tensors.entrySet()) {
            Out o = new Out(Integer.toString(outs.size()), e.getValue().shape(), e.getValue().values());
            outs.add(o);
            dict.put(e.getKey(), o);
        }
        try {
            AtomicFile.write(file, os -> writeZip(os, root, dict, outs));
        } catch (IOException | PickleException e) {
            throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private static void writeZip(OutputStream os, String root, OrderedDict dict, List<Out> outs) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(os);
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        new StoragePickler().dump(dict, pkl);
        stored(zip, root + "/data.pkl", pkl.toByteArray());
        for (Out o : outs) {
            ByteBuffer b = ByteBuffer.allocate(o.values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(o.values);
            stored(zip, root + "/data/" + o.key, b.array());
        }
        stored(zip, root + "/version", "3\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        zip.finish();
    }

    /** PyTorch's reader wants uncompressed entries it can map; so does alignment-free reading here. */
    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static Map<String, Array> tensors(Object root, Path file) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new BadInputException(file + ": holds a " + root.getClass().getSimpleName() + ", not a dict of tensors");
        }
        for (String nested : List.of("state_dict", "model_state_dict")) {
            if (map.get(nested) instanceof Map<?, ?> inner) map = inner;
        }
        Map<String, Array> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Array a)) {
                throw new BadInputException(file + ": entry '" + name + "' is not a tensor");
            }
            out.put(name.startsWith(DDP_PREFIX) ? name.substring(DDP_PREFIX.length()) : name, a);
        }
        return out;
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])}. */
    private static Object rebuildTensor(Object[] args) {
        float[] storage = (float[]) args[0];
        int offset = ((Number) args[1]).intValue();
        long[] shape = longs((Object[]) args[2]);
        long[] stride = longs((Object[]) args[3]);
        long n = 1;
        for (long s : shape) {
            if (s < 0) throw new PickleException("negative dimension " + s + " in shape " + java.util.Arrays.toString(shape));
            n = Math.multiplyExact(n, s);
        }
        // A view never holds more elements than its storage (a legitimate state_dict has no zero strides), and
        // every element it reads lies inside it: bounds what a hostile pickle can make us allocate or read.
        long last = offset;
        for (int d = 0; d < shape.length; d++) {
            if (stride.length != shape.length || stride[d] < 0) throw new PickleException("bad strides " + java.util.Arrays.toString(stride));
            if (shape[d] > 0) last += (shape[d] - 1) * stride[d];
        }
        if (offset < 0 || n > storage.length || (n > 0 && last >= storage.length)) {
            throw new PickleException("tensor of shape " + java.util.Arrays.toString(shape) + " does not fit its storage of "
                    + storage.length + " elements");
        }
        float[] v = new float[(int) n];
        long[] idx = new long[shape.length];
        for (int i = 0; i < n; i++) {
            long at = offset;
            for (int d = 0; d < shape.length; d++) at += idx[d] * stride[d];
            v[i] = storage[(int) at];
            for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
        }
        return new Array(shape, v);
    }

    private static long[] longs(Object[] t) {
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) out[i] = ((Number) t[i]).longValue();
        return out;
    }

    private static Object[] boxed(long[] v) {
        Object[] out = new Object[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
        return out;
    }

    private static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String s = (dot > 0 ? n.substring(0, dot) : n).replaceAll("[^A-Za-z0-9_]", "_");
        return s.isEmpty() ? "archive" : s;
    }

    private static IObjectDeconstructor deconstructor(String module, String name,
                                                      java.util.function.Function<Object, Object[]> args) {
        return new IObjectDeconstructor() {
            @Override
            public String getModule() {
                return module;
            }

            @Override
            public String getName() {
                return name;
            }

            @Override
            public Object[] deconstruct(Object o) {
                return args.apply(o);
            }
        };
    }

    /** Storage element types: the {@code torch.*Storage} class names and how to turn their bytes into floats. */
    private enum Dtype implements IObjectConstructor {
        FLOAT("FloatStorage", 4), DOUBLE("DoubleStorage", 8), HALF("HalfStorage", 2), BFLOAT16("BFloat16Storage", 2);

        final String storage;
        final int bytes;

        Dtype(String storage, int bytes) {
            this.storage = storage;
            this.bytes = bytes;
        }

        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch." + storage + " is not called in a state_dict");
        }

        float[] decode(byte[] raw, int n) {
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (this) {
                    case FLOAT -> b.getFloat(4 * i);
                    case DOUBLE -> (float) b.getDouble(8 * i);
                    case HALF -> half(b.getShort(2 * i));
                    case BFLOAT16 -> Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                };
            }
            return v;
        }
    }

    /** IEEE binary16 → float (Java 17 has no Float.float16ToFloat). */
    static float half(short h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        float v = exp == 0 ? mant * 0x1p-24f // subnormal
                : exp == 31 ? (mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN)
                : Float.intBitsToFloat(((exp - 15 + 127) << 23) | (mant << 13));
        return sign == 1 ? -v : v;
    }

    /** Resolves persistent ids to the storages in the zip; each storage is decoded once. */
    private static final class StorageUnpickler extends Unpickler {
        private static final short SETITEMS = 'u';
        private final ZipFile zip;
        private final String prefix;
        private final Path file;
        private final Map<String, float[]> storages = new HashMap<>();
        private final PickleBounds.Counted in;

        StorageUnpickler(ZipFile zip, String prefix, Path file, PickleBounds.Counted in) {
            this.zip = zip;
            this.prefix = prefix;
            this.file = file;
            this.in = in;
        }

        /**
         * SETITEMS in stream order: the library's own goes through a HashMap and loses PyTorch's order. Every
         * opcode's claimed length is checked first ({@link PickleBounds}).
         */
        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            PickleBounds.check(key, in);
            if (key != SETITEMS) return super.dispatch(key);
            List<Object> items = stack.pop_all_since_marker();
            @SuppressWarnings("unchecked")
            Map<Object, Object> map = (Map<Object, Object>) stack.peek();
            for (int i = 0; i + 1 < items.size(); i += 2) map.put(items.get(i), items.get(i + 1));
            return NO_RETURN_VALUE;
        }

        @Override
        protected Object persistentLoad(Object pid) {
            Object[] id = (Object[]) pid;
            if (!"storage".equals(id[0])) throw new PickleException("unknown persistent id " + id[0]);
            if (!(id[1] instanceof Dtype d)) {
                throw new BadInputException(file + ": tensors of type " + id[1] + " are not supported (float32, "
                        + "float64, float16, bfloat16 are)");
            }
            String key = String.valueOf(id[2]);
            long declared = ((Number) id[4]).longValue();
            if (declared < 0 || declared * d.bytes > Integer.MAX_VALUE - 8) {
                throw new BadInputException(file + ": storage " + id[2] + " declares " + declared + " elements");
            }
            int n = (int) declared;
            return storages.computeIfAbsent(key, k -> {
                ZipEntry e = zip.getEntry(prefix + "data/" + k);
                if (e == null) throw new BadInputException(file + ": storage " + k + " is missing (truncated file?)");
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] raw = in.readNBytes(n * d.bytes); // never more than declared: no zip bomb
                    if (raw.length < (long) n * d.bytes) throw new BadInputException(file + ": storage " + k + " is truncated");
                    return d.decode(raw, n);
                } catch (IOException x) {
                    throw new BadInputException(file + ": cannot read storage " + k + " (" + x.getMessage() + ")");
                }
            });
        }
    }

    /** Names each tensor's storage by a persistent id, as {@code torch.save} does. */
    private static final class StoragePickler extends Pickler {
        StoragePickler() {
            super(false);
        }

        @Override
        protected Object persistentId(Object obj) {
            if (obj instanceof Storage s) return new Object[] {"storage", Dtype.FLOAT, s.key, "cpu", s.numel};
            return null;
        }
    }

    private record Storage(String key, int numel) {
    }

    /** A tensor on its way out: pickled as the rebuild call, its bytes written as storage {@code key}. */
    private record Out(String key, long[] shape, float[] values) {
    }

    /**
     * {@code collections.OrderedDict}: keeps order; its {@code _metadata} (module versions) is not needed here.
     * Public only because the pickle library calls {@code __setstate__} by reflection.
     */
    public static final class OrderedDict extends LinkedHashMap<String, Object> {
        public void __setstate__(HashMap<String, Object> state) {
            // state_dict()'s _metadata holds per-module versions, used by PyTorch's own migrations only.
        }

        /** {@code OrderedDict()} or {@code OrderedDict([(key, value), ...])}. */
        static OrderedDict of(Object[] args) {
            OrderedDict d = new OrderedDict();
            if (args.length > 0) {
                for (Object pair : (List<?>) args[0]) {
                    Object[] kv = (Object[]) pair;
                    d.put(String.valueOf(kv[0]), kv[1]);
                }
            }
            return d;
        }

        List<Object[]> pairs() {
            List<Object[]> out = new ArrayList<>();
            for (Map.Entry<String, Object> e : entrySet()) out.add(new Object[] {e.getKey(), e.getValue()});
            return out;
        }
    }
}
