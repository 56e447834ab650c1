package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.trainer.core.Fixtures.tensor64;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;

/**
 * Transformer weights move between PyTorch and the library unchanged: transformer.safetensors, a
 * two-layer pre-norm GELU encoder with a final norm, float32, written from PyTorch
 * (reference/transformer/generate_transformer.py), loads strictly by name and gives PyTorch's output
 * under a causal and a key padding mask; the file the library writes back holds the same names,
 * shapes and bytes. {@code generate_transformer.py --check-library-file} loads that file into
 * torch.nn.TransformerEncoder.
 */
class TransformerSafetensorsTest {

    private static TransformerEncoder encoder() {
        TransformerEncoder e = TransformerReferenceTest.build(true, TransformerEncoderLayer.FeedForwardActivation.GELU,
                true);
        e.eval();
        return e;
    }

    private static Path pyTorchFile() throws Exception {
        return Path.of(TransformerSafetensorsTest.class.getResource("/reference/transformer/transformer.safetensors")
                .toURI());
    }

    @Test
    void pyTorchsFileLoadsAndGivesPyTorchsOutput() throws Exception {
        JsonNode ref = RecurrentReferenceTest.load("/reference/transformer/transformer_safetensors.json");
        TransformerEncoder encoder = encoder();
        Safetensors.load(encoder, pyTorchFile());
        Tensor kpm = tensor64(ref.get("key_padding_mask"));
        Tensor causal = MultiheadAttention.causalMask(5);

        // float32, as loaded: PyTorch's float64 run of the same float32 weights, to float32 accuracy.
        Tensor single = encoder.forward(tensor64(ref.get("input")).to(DType.FLOAT32), causal, kpm);
        assertArrayEquals(tensor64(ref.get("output")).toFloatArray(), single.toFloatArray(), 2e-5f);

        encoder.to(DType.FLOAT64);
        RecurrentReferenceTest.compare("TransformerEncoder", "safetensors output", tensor64(ref.get("output")),
                encoder.forward(tensor64(ref.get("input")), causal, kpm));
    }

    @Test
    void libraryFileHoldsPyTorchsNamesShapesAndBytes() throws Exception {
        TransformerEncoder encoder = encoder();
        Safetensors.load(encoder, pyTorchFile());
        Path dir = Files.createDirectories(Path.of("target", "transformer"));
        Path ours = dir.resolve("encoder-from-library.safetensors");
        Safetensors.save(encoder, ours);

        Map<String, Tensor> theirs = Safetensors.read(pyTorchFile());
        Map<String, Tensor> back = Safetensors.read(ours);
        SafetensorsRoundTrip.assertSameFloat32(theirs, back);
        TransformerEncoder reloaded = encoder();
        Safetensors.load(reloaded, ours);
        Tensor x = Tensor.randn(3, 2, 5, 12);
        assertArrayEquals(encoder.forward(x).toFloatArray(), reloaded.forward(x).toFloatArray());
    }
}
