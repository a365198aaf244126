package eqt.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class TensorsTest {

    @Test
    void scopedFreesIntermediatesAndHandsItsResultToTheEnclosingScope() {
        Tensor[] intermediate = new Tensor[1];
        Tensor result;
        try (PointerScope outer = new PointerScope()) {
            Tensor x = Tensors.of(new float[] {1, 2, 3}, null, 3);
            result = Tensors.scoped(() -> {
                intermediate[0] = x.add(new Scalar(1.0));
                return intermediate[0].mul(new Scalar(2.0));
            });
            assertTrue(intermediate[0].isNull(), "the intermediate's handle outlived the scope");
            assertFalse(result.isNull());
            assertArrayEquals(new float[] {4, 6, 8}, Tensors.toArray(result));
            assertFalse(x.isNull(), "a tensor from outside was freed");
        }
        assertTrue(result.isNull(), "the result was not handed to the enclosing scope");
    }
}
