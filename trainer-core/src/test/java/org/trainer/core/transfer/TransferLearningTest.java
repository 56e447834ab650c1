package org.trainer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.trainer.core.Fixtures;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.io.Safetensors;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.BatchNorm2d;
import org.trainer.core.nn.Conv2d;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.ParameterGroup;
import org.trainer.core.train.Trainer;

class TransferLearningTest {

    /** The fixture's network with our own module names: conv, bn, fc1, out (PyTorch: features.N, classifier). */
    static final class Net extends Module {
        Net(int classes) {
            registerModule("conv", new Conv2d(1, 4, 3, 1, 1));
            registerModule("bn", new BatchNorm2d(4));
            registerModule("fc1", new Linear(4 * 4 * 4, 16));
            registerModule("out", new Linear(16, classes));
        }

        Tensor features(Tensor x) {
            Tensor h = children().get("bn").forward(children().get("conv").forward(x)).relu().maxPool2d(2, 2, 0);
            return children().get("fc1").forward(h.flatten(1, 3)).relu();
        }

        @Override
        public Tensor forward(Tensor x) {
            return children().get("out").forward(features(x));
        }
    }

    static final NameMap TORCH_NAMES = new NameMap()
            .prefix("features.0.", "conv.")
            .prefix("features.1.", "bn.")
            .prefix("features.5.", "fc1.")
            .prefix("classifier.", "out.");

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(TransferLearningTest.class.getResource("/reference/transfer/" + name).toURI());
    }

    private static JsonNode io() throws IOException {
        try (InputStream in = TransferLearningTest.class.getResourceAsStream("/reference/transfer/pretrained.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Tensor input(JsonNode io) {
        return Fixtures.tensor(io.get("input"));
    }

    @Test
    void pyTorchWeightsLoadThroughANameMapAndReproduceTheOutput() throws Exception {
        Net model = new Net(3);
        LoadReport r = PretrainedWeights.load(model, fixture("pretrained.safetensors"), TORCH_NAMES).requireComplete();
        assertEquals(List.copyOf(model.stateDict().keySet()), r.loaded());
        model.eval();
        JsonNode io = io();
        Tensor out = model.forward(input(io));
        Tensor expected = Fixtures.tensor(io.get("output"));
        assertArrayEquals(expected.shape(), out.shape());
        assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), 1e-5f);
    }

    @Test
    void aNewHeadWithAnotherOutputSize() throws Exception {
        Net pretrained = new Net(3);
        PretrainedWeights.load(pretrained, fixture("pretrained.safetensors"), TORCH_NAMES);
        pretrained.eval();
        Tensor x = input(io());
        Tensor bodyBefore = pretrained.features(x);

        // Loading a 3-class file into a 5-class model: the head's shape is refused, clearly ...
        Net five = new Net(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PretrainedWeights.load(five, fixture("pretrained.safetensors"), TORCH_NAMES));
        assertEquals(fixture("pretrained.safetensors") + ": PretrainedWeights: 'out.weight' has shape [3, 16] in the "
                + "source, [5, 16] in the model; drop it with the NameMap (e.g. a head with another output size)",
                e.getMessage());
        // ... and dropping it loads the body and reports the head as left to train.
        NameMap bodyOnly = new NameMap().drop("classifier.").prefix("features.0.", "conv.")
                .prefix("features.1.", "bn.").prefix("features.5.", "fc1.");
        LoadReport r = PretrainedWeights.load(five, fixture("pretrained.safetensors"), bodyOnly);
        assertEquals(List.of("out.weight", "out.bias"), r.missing());
        assertTrue(r.unexpected().isEmpty());
        five.eval();
        assertArrayEquals(bodyBefore.toFloatArray(), five.features(x).toFloatArray());

        // Our own safetensors files load the same way, without a name map.
        Path ours = Files.createTempFile("pretrained", ".safetensors");
        try {
            Safetensors.save(five, ours);
            Net again = new Net(5);
            PretrainedWeights.load(again, ours, NameMap.identity()).requireComplete();
            again.eval();
            assertArrayEquals(five.forward(x).toFloatArray(), again.forward(x).toFloatArray());
        } finally {
            Files.deleteIfExists(ours);
        }

        // Or replace the head of the loaded model.
        Linear head = new Linear(16, 5, true, null, 3);
        Module old = FineTuning.replace(pretrained, "out", head);
        assertArrayEquals(new int[] {3, 16}, ((Linear) old).weight().value().shape());
        assertArrayEquals(new int[] {2, 5}, pretrained.forward(x).shape());
        assertSame(head.weight(), pretrained.namedParameters().get("out.weight"));
        assertArrayEquals(bodyBefore.toFloatArray(), pretrained.features(x).toFloatArray());

        Sequential nested = new Sequential(new Sequential(new Linear(4, 4), new Linear(4, 2)));
        FineTuning.replace(nested, "0.1", new Linear(4, 7));
        assertArrayEquals(new int[] {1, 7}, nested.forward(Tensor.ones(1, 4)).shape());
        assertEquals("FineTuning.replace: no sub-module 'body' on the path 'body.1'; have [0]",
                assertThrows(IllegalArgumentException.class,
                        () -> FineTuning.replace(nested, "body.1", new Linear(4, 7))).getMessage());
    }

    private static TensorDataset images(int n, int classes, long seed) {
        Tensor x = Tensor.randn(seed, n, 1, 8, 8);
        int[] y = new int[n];
        float[] v = x.toFloatArray();
        for (int i = 0; i < n; i++) {
            y[i] = (int) Math.floorMod((long) (v[i * 64] * 10), classes);
        }
        return new TensorDataset(x, Tensor.fromArray(y, n));
    }

    @Test
    void frozenWeightsStayBitwiseUnchangedWhileTheHeadTrains() throws Exception {
        Net model = new Net(3);
        PretrainedWeights.load(model, fixture("pretrained.safetensors"), TORCH_NAMES);
        FineTuning.replace(model, "out", new Linear(16, 4, true, null, 5));
        assertEquals(2, FineTuning.freezeAllBut(model, "out"));
        assertEquals(List.of("out.weight", "out.bias"), FineTuning.trainable(model));
        Map<String, float[]> before = new LinkedHashMap<>();
        model.namedParameters().forEach((n, p) -> before.put(n, p.value().toFloatArray()));

        DataLoader train = DataLoader.builder(images(64, 4, 1)).batchSize(16).shuffle(true).seed(2).build();
        // The optimizer holds every parameter: a frozen one must still not move.
        new Trainer().fit(model, new CrossEntropyLoss(), new MomentumSgd(model.parameters(), 0.1, 0.9), train, null, 3);
        model.namedParameters().forEach((n, p) -> {
            if (n.startsWith("out.")) {
                assertFalse(java.util.Arrays.equals(before.get(n), p.value().toFloatArray()), n + " trained");
            } else {
                assertArrayEquals(before.get(n), p.value().toFloatArray(), n + " frozen");
                assertNull(p.grad(), n + " gets no gradient");
            }
        });
    }

    @Test
    void unfreezeFromTheTop() {
        Net model = new Net(3);
        assertEquals(List.of("conv", "bn", "fc1", "out"), FineTuning.layers(model));
        FineTuning.freeze(model, "");
        assertTrue(FineTuning.trainable(model).isEmpty());
        assertEquals(List.of("fc1", "out"), FineTuning.unfreezeTop(model, 2));
        assertEquals(List.of("fc1.weight", "fc1.bias", "out.weight", "out.bias"), FineTuning.trainable(model));
        assertEquals(List.of("bn", "fc1", "out"), FineTuning.unfreezeTop(model, 3));
        assertEquals(2, FineTuning.freeze(model, "bn"));
        assertEquals(1, FineTuning.unfreeze(model, "bn.weight"));
        assertEquals("FineTuning.unfreezeTop: count must be in [0, 4] (the model's layers: [conv, bn, fc1, out]), "
                + "got 5", assertThrows(IllegalArgumentException.class, () -> FineTuning.unfreezeTop(model, 5))
                .getMessage());
        assertEquals("FineTuning.freeze: no parameter under 'head'; layers: [conv, bn, fc1, out]",
                assertThrows(IllegalArgumentException.class, () -> FineTuning.freeze(model, "head")).getMessage());
    }

    @Test
    void aBadPathChangesNothing() {
        Net model = new Net(3);
        List<String> all = FineTuning.trainable(model);
        assertEquals("FineTuning.freezeAllBut: no parameter under 'head'; layers: [conv, bn, fc1, out]",
                assertThrows(IllegalArgumentException.class, () -> FineTuning.freezeAllBut(model, "out", "head"))
                        .getMessage());
        assertEquals(all, FineTuning.trainable(model), "freezeAllBut froze nothing");
        assertThrows(IllegalArgumentException.class, () -> FineTuning.freeze(model, "conv", "fc1", "fc2"));
        assertEquals(all, FineTuning.trainable(model), "freeze applied none of the good paths");
        FineTuning.freeze(model, "");
        assertEquals("FineTuning.unfreeze: path is null", assertThrows(IllegalArgumentException.class,
                () -> FineTuning.unfreeze(model, "out", null)).getMessage());
        assertTrue(FineTuning.trainable(model).isEmpty(), "unfreeze applied none of the paths");
        assertEquals(2, FineTuning.freezeAllBut(model, "out"));
        assertEquals(List.of("out.weight", "out.bias"), FineTuning.trainable(model));
    }

    @Test
    void pathsMatchWholeSegments() {
        Sequential s = new Sequential();
        for (int i = 0; i < 11; i++) {
            s.add(new Linear(2, 2, true, null, i));
        }
        assertEquals(2, s.setTrainable("1", false), "'1' is not a prefix of '10.weight'");
        assertFalse(s.namedParameters().get("1.weight").isTrainable());
        assertTrue(s.namedParameters().get("10.weight").isTrainable());
        assertEquals(22, s.setTrainable("", false));
        assertEquals(1, s.setTrainable("10.bias", true));
    }

    @Test
    void perGroupLearningRates() {
        Net model = new Net(3);
        List<ParameterGroup> groups = ParameterGroups.of(model).add("out", 0.1).add("fc1", 0.01).rest(0.001).build();
        assertEquals(3, groups.size());
        assertEquals(List.of(0.1, 0.01, 0.001), groups.stream().map(ParameterGroup::learningRate).toList());
        assertEquals(2, groups.get(0).parameters().size());
        assertEquals(4, groups.get(2).parameters().size(), "conv and bn weights and biases");

        Map<Parameter, float[]> before = new LinkedHashMap<>();
        model.parameters().forEach(p -> before.put(p, p.value().toFloatArray()));
        DataLoader one = DataLoader.builder(images(16, 3, 4)).batchSize(16).build();
        new Trainer().fit(model, new CrossEntropyLoss(), new MomentumSgd(groups, 0), one, null, 1);
        for (ParameterGroup g : groups) {
            for (Parameter p : g.parameters()) {
                float[] w0 = before.get(p);
                float[] w1 = p.value().toFloatArray();
                float[] grad = p.grad().toFloatArray();
                for (int i = 0; i < w0.length; i++) {
                    if (Math.abs(grad[i]) > 1e-3) {
                        assertEquals(g.learningRate(), (w0[i] - w1[i]) / grad[i], 0.02 * g.learningRate());
                    }
                }
            }
        }
        assertEquals("ParameterGroups: [conv.weight, conv.bias, bn.weight, bn.bias] fall in no group; add rest(lr)",
                assertThrows(IllegalArgumentException.class,
                        () -> ParameterGroups.of(model).add("out", 0.1).add("fc1", 0.1).build()).getMessage());
        assertEquals("ParameterGroups: no parameter under 'classifier' (or an earlier group took them all); layers: "
                + "[conv, bn, fc1, out]", assertThrows(IllegalArgumentException.class,
                () -> ParameterGroups.of(model).add("classifier", 0.1).rest(0.1).build()).getMessage());
    }

    @Test
    void nameMapRulesAreCheckedWhenApplied() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("features.0.weight", Tensor.ones(1));
        state.put("features.1.num_batches_tracked", Tensor.ones(1));
        state.put("fc.weight", Tensor.ones(1));
        Map<String, Tensor> out = new NameMap().prefix("features.0.", "conv.").dropSuffix(".num_batches_tracked")
                .apply(state);
        assertEquals(List.of("conv.weight", "fc.weight"), List.copyOf(out.keySet()));
        assertEquals("NameMap: rule prefix 'feature.' -> 'body.' matched no name; the source has [features.0.weight, "
                + "features.1.num_batches_tracked, fc.weight]", assertThrows(IllegalArgumentException.class,
                () -> new NameMap().prefix("feature.", "body.").apply(state)).getMessage());
        assertEquals("NameMap: 'features.0.weight' and 'fc.weight' both map to 'fc.weight'",
                assertThrows(IllegalArgumentException.class,
                        () -> new NameMap().rename("features.0.weight", "fc.weight").apply(state)).getMessage());
    }
}
