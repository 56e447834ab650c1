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
 * Weights move between PyTorch and the library unchanged: lstm.safetensors, a two-layer
 * bidirectional batch-first LSTM's float32 state written from PyTorch
 * (reference/recurrent/generate_recurrent.py), loads strictly by name and gives PyTorch's outputs
 * for a batch of unequal lengths; the file the library writes back holds the same names, shapes and
 * bytes. {@code generate_recurrent.py --check-library-file} loads that file into torch.nn.LSTM.
 * The same holds for lstm_proj.safetensors, the same LSTM with projections (proj_size 4, the
 * weight_hr_l{k} of each layer and direction).
 */
class RecurrentSafetensorsTest {

    private static LSTM lstm(int projSize) {
        return new LSTM(5, 7, projSize, RecurrentOptions.defaults().withNumLayers(2).withBidirectional(true)
                .withBatchFirst(true), 1);
    }

    @Test
    void pyTorchsFileLoadsAndGivesPyTorchsOutputs() throws Exception {
        loadsAndGivesPyTorchsOutputs("lstm", 0);
    }

    @Test
    void pyTorchsFileWithProjectionsLoadsAndGivesPyTorchsOutputs() throws Exception {
        loadsAndGivesPyTorchsOutputs("lstm_proj", 4);
    }

    private void loadsAndGivesPyTorchsOutputs(String stem, int projSize) throws Exception {
        Path file = Path.of(getClass().getResource("/reference/recurrent/" + stem + ".safetensors").toURI());
        JsonNode ref = RecurrentReferenceTest.load("/reference/recurrent/" + stem + "_safetensors.json");
        LSTM lstm = lstm(projSize);
        Safetensors.load(lstm, file);
        Tensor lengths = tensor64(ref.get("lengths"));

        // float32, as loaded: PyTorch's float64 run of the same float32 weights, to float32 accuracy.
        RecurrentOutput single = lstm.forward(tensor64(ref.get("input")).to(DType.FLOAT32), lengths, null);
        assertArrayEquals(tensor64(ref.get("output")).toFloatArray(), single.output().toFloatArray(), 2e-6f);
        assertArrayEquals(tensor64(ref.get("c_n")).toFloatArray(), single.c().toFloatArray(), 2e-6f);

        lstm.to(DType.FLOAT64);
        RecurrentOutput out = lstm.forward(tensor64(ref.get("input")), lengths, null);
        RecurrentReferenceTest.compare("LSTM", "safetensors output", tensor64(ref.get("output")), out.output());
        RecurrentReferenceTest.compare("LSTM", "safetensors h_n", tensor64(ref.get("h_n")), out.h());
        RecurrentReferenceTest.compare("LSTM", "safetensors c_n", tensor64(ref.get("c_n")), out.c());
    }

    @Test
    void libraryFileHoldsPyTorchsNamesShapesAndBytes() throws Exception {
        writesBack("lstm", "lstm-from-library", 0);
    }

    @Test
    void libraryFileWithProjectionsHoldsPyTorchsNamesShapesAndBytes() throws Exception {
        writesBack("lstm_proj", "lstm-proj-from-library", 4);
    }

    private void writesBack(String stem, String written, int projSize) throws Exception {
        Path pyTorchFile = Path.of(getClass().getResource("/reference/recurrent/" + stem + ".safetensors").toURI());
        LSTM lstm = lstm(projSize);
        Safetensors.load(lstm, pyTorchFile);
        Path dir = Files.createDirectories(Path.of("target", "recurrent"));
        Path ours = dir.resolve(written + ".safetensors");
        Safetensors.save(lstm, ours);

        Map<String, Tensor> theirs = Safetensors.read(pyTorchFile);
        Map<String, Tensor> back = Safetensors.read(ours);
        SafetensorsRoundTrip.assertSameFloat32(theirs, back);
        LSTM reloaded = lstm(projSize);
        Safetensors.load(reloaded, ours);
        Tensor x = Tensor.randn(3, 3, 6, 5);
        assertArrayEquals(lstm.forward(x).toFloatArray(), reloaded.forward(x).toFloatArray());
    }
}
