package eqt.model;

import eqt.ops.Tensors;

import static org.junit.jupiter.api.Assertions.*;

import eqt.io.BadInputException;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class EqTransformerTest {

    @Test
    void parameterNamesAndShapesAreThoseOfThePytorchReference() {
        EqTransformer m = new EqTransformer(ModelConfig.reference(10), Tiny.CPU, 1);
        Map<String, Tensor> p = m.parameters();
        String l0 = "transformer_encoder.layers.0.";
        List<String> expectedLayer = List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias",
                "self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear1.weight", "linear1.bias",
                "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias");
        for (String n : expectedLayer) {
            assertTrue(p.containsKey(l0 + n), n);
            assertTrue(p.containsKey("transformer_encoder.layers.1." + n), n);
        }
        assertEquals(4 + 2 * expectedLayer.size(), p.size());
        assertArrayEquals(new long[] {64, 10}, p.get("embedding.0.weight").shape());
        assertArrayEquals(new long[] {192, 64}, p.get(l0 + "self_attn.in_proj_weight").shape());
        assertArrayEquals(new long[] {2048, 64}, p.get(l0 + "linear1.weight").shape());
        assertArrayEquals(new long[] {64, 2048}, p.get(l0 + "linear2.weight").shape());
        assertArrayEquals(new long[] {10, 64}, p.get("output_layer.weight").shape());
        assertArrayEquals(new long[] {10}, p.get("output_layer.bias").shape());
        long count = p.values().stream().mapToLong(Tensor::numel).sum();
        assertEquals(2 * (3 * 64 * 64 + 3 * 64 + 64 * 64 + 64 + 2048 * 64 + 2048 + 64 * 2048 + 64 + 4 * 64)
                + 64 * 10 + 64 + 64 * 10 + 10, count);
    }

    @Test
    void outputHasTheInputShapeAndInitialisationFollowsTheSeed() {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            EqTransformer a = new EqTransformer(Tiny.config(0.1), Tiny.CPU, 3);
            EqTransformer b = new EqTransformer(Tiny.config(0.1), Tiny.CPU, 3);
            EqTransformer c = new EqTransformer(Tiny.config(0.1), Tiny.CPU, 4);
            float[] x = new float[2 * 50 * 10];
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.1);
            Tensor in = Tensors.of(x, Tiny.CPU, 2, 50, 10);
            Tensor out = a.forward(in, false);
            assertArrayEquals(new long[] {2, 50, 10}, out.shape());
            assertArrayEquals(Tensors.toArray(out), Tensors.toArray(b.forward(in, false)));
            assertFalse(java.util.Arrays.equals(Tensors.toArray(out), Tensors.toArray(c.forward(in, false))));
        }
    }

    /** The written-out attention with weight dropout computes what the fused kernel does, plus the dropout. */
    @Test
    void attentionWithWeightDropoutMatchesTheFusedKernelAndDropsWeights() {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            float[] x = new float[3 * 40 * 10];
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.cos(i * 0.37);
            Tensor in = Tensors.of(x, null, 3, 40, 10);
            ModelConfig base = Tiny.config(0);
            float[] fused = Tensors.toArray(new EqTransformer(base, Tiny.CPU, 5).forward(in, false));
            // p = 1e-9: the mask keeps every weight (drop chance 1e-9 per weight) and the scale is 1, so only the
            // arithmetic of the written-out path is compared.
            ModelConfig tiny = new ModelConfig(base.model(), 10, new ModelConfig.Encoder(8, 2, 2, 32), new ModelConfig.Dropouts(0, 1e-9), 256, false, 0, 0);
            float[] explicit = Tensors.toArray(new EqTransformer(tiny, Tiny.CPU, 5).forward(in, true));
            for (int i = 0; i < fused.length; i++) assertEquals(fused[i], explicit[i], 1e-5, "element " + i);
            ModelConfig drop = new ModelConfig(base.model(), 10, new ModelConfig.Encoder(8, 2, 2, 32), new ModelConfig.Dropouts(0, 0.5), 256, false, 0, 0);
            EqTransformer m = new EqTransformer(drop, Tiny.CPU, 5);
            torch.manual_seed(1);
            float[] a = Tensors.toArray(m.forward(in, true));
            torch.manual_seed(1);
            float[] again = Tensors.toArray(m.forward(in, true));
            torch.manual_seed(2);
            float[] other = Tensors.toArray(m.forward(in, true));
            assertArrayEquals(a, again);
            assertFalse(java.util.Arrays.equals(a, other), "attention-weight dropout did not depend on the seed");
            assertFalse(java.util.Arrays.equals(a, fused), "attention-weight dropout changed nothing");
        }
    }

    @Test
    void positionalEncodingIsSinOnEvenAndCosOnOddFeatures() {
        float[] pe = EqTransformer.sinusoid(3, 4);
        assertEquals(0f, pe[0], 0f);
        assertEquals(1f, pe[1], 0f);
        assertEquals((float) Math.sin(1), pe[4], 1e-7f);
        assertEquals((float) Math.cos(1), pe[5], 1e-7f);
        assertEquals((float) Math.sin(2 * Math.pow(10000, -0.5)), pe[2 * 4 + 2], 1e-7f);
    }

    @Test
    void invalidConfigurationsAreUserErrors() {
        assertTrue(assertThrows(BadInputException.class,
                () -> new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(10, 4, 2, 32), new ModelConfig.Dropouts(0.1, 0.1), 100, false, 0, 0)).getMessage().contains("divisible"));
        assertThrows(BadInputException.class, () -> new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 2, 32), new ModelConfig.Dropouts(1.5, 0.1), 100, false, 0, 0));
        assertThrows(BadInputException.class, () -> ModelKind.of("bogus"));
        assertThrows(BadInputException.class, () -> new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 0, 32), new ModelConfig.Dropouts(0.1, 0.1), 100, false, 0, 0));
    }
}
