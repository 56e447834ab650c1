package org.trainer.optim.extension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.io.Safetensors;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.optim.OptimizerGroup;

/**
 * An optimizer written outside org.trainer.optim, on its public base class alone ({@link Adamax}),
 * behaves as the library's own: it matches torch.optim.Adamax with two groups that differ in every
 * hyperparameter (reference/param_groups.json, float64, 25 steps, 1e-12 relative), names its state
 * as PyTorch does, and a run resumed from its state, or from the trainer's checkpoints after a
 * crash, ends bitwise as one that never stopped.
 */
class AdamaxTest {

    static JsonNode fixture() throws Exception {
        try (InputStream in = AdamaxTest.class.getResourceAsStream("/reference/param_groups.json")) {
            assertNotNull(in, "reference/param_groups.json is missing");
            return new ObjectMapper().readTree(in);
        }
    }

    static double[] doubles(JsonNode n) {
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = n.get(i).asDouble();
        }
        return v;
    }

    static Adamax.Options options(JsonNode g) {
        return Adamax.options(g.get("lr").asDouble()).withBetas(g.get("betas").get(0).asDouble(),
                g.get("betas").get(1).asDouble()).withEps(g.get("eps").asDouble())
                .withWeightDecay(g.get("weight_decay").asDouble()).withMaximize(g.get("maximize").asBoolean());
    }

    /** The fixture's problem: data, the two parameters, and Adamax over them as the case configures it. */
    record Problem(Tensor x, Tensor y, Parameter w1, Parameter w2, Adamax adamax) {
        static Problem of(JsonNode root, JsonNode c, Tensor w1, Tensor w2) {
            Parameter p1 = new Parameter(w1);
            Parameter p2 = new Parameter(w2);
            Adamax a = new Adamax(List.of(OptimizerGroup.of(List.of(p1), options(c.get("groups").get(0))),
                    OptimizerGroup.of(List.of(p2), options(c.get("groups").get(1)))));
            return new Problem(Tensor.fromArray(doubles(root.get("x")), 6, 3), Tensor.fromArray(doubles(root.get("y")), 6),
                    p1, p2, a);
        }

        static Problem of(JsonNode root, JsonNode c) {
            return of(root, c, Tensor.fromArray(doubles(root.get("w1")), 3, 4), Tensor.fromArray(doubles(root.get("w2")), 4));
        }

        void step() {
            adamax.zeroGrad();
            Tensor w1v = w1.value();
            Tensor pred = x.matmul(w1v).tanh().matmul(w2.value().reshape(4, 1)).reshape(6);
            pred.sub(y).pow(2).mean().add(w1v.pow(3).sum().mul(0.1)).backward();
            adamax.step();
        }
    }

    static void assertClose(String what, double[] e, double[] a) {
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(e[i] - a[i]) <= 1e-12 * Math.abs(e[i]) + 1e-14)) {
                throw new AssertionError(what + "[" + i + "]: expected " + e[i] + " but was " + a[i]);
            }
        }
    }

    @Test
    void matchesPyTorchWithEveryOptionPerGroup() throws Exception {
        JsonNode root = fixture();
        JsonNode c = root.get("optimizers").get("Adamax").get(0);
        Problem p = Problem.of(root, c);
        int step = 0;
        for (JsonNode expected : c.get("steps")) {
            p.step();
            assertClose("step " + step + " w1", doubles(expected.get("w1")), p.w1().value().toDoubleArray());
            assertClose("step " + step + " w2", doubles(expected.get("w2")), p.w2().value().toDoubleArray());
            step++;
        }
        assertEquals(25, step);
    }

    @Test
    void stateIsNamedAsPyTorchsAndResumesBitwiseThroughAFile(@TempDir Path dir) throws Exception {
        JsonNode root = fixture();
        JsonNode c = root.get("optimizers").get("Adamax").get(0);
        Problem straight = Problem.of(root, c);
        for (int i = 0; i < 7; i++) {
            straight.step();
        }
        straight.adamax().groups().get(0).setLearningRate(0.01);
        Map<String, Tensor> state = straight.adamax().stateDict();
        assertEquals(List.of("state.0.exp_avg", "state.0.exp_inf", "state.0.step", "state.1.exp_avg", "state.1.exp_inf",
                "state.1.step", "param_groups.0.lr", "param_groups.1.lr"), new ArrayList<>(state.keySet()));
        assertEquals(7.0, state.get("state.1.step").item());
        Path file = dir.resolve("adamax.safetensors");
        Safetensors.save(state, Map.of("optimizer", "Adamax"), file);
        Tensor w1 = straight.w1().value().copy().detach();
        Tensor w2 = straight.w2().value().copy().detach();
        for (int i = 0; i < 11; i++) {
            straight.step();
        }

        Problem resumed = Problem.of(root, c, w1, w2);
        resumed.adamax().loadStateDict(Safetensors.read(file));
        assertEquals(0.01, resumed.adamax().groups().get(0).learningRate());
        for (int i = 0; i < 11; i++) {
            resumed.step();
        }
        assertArrayEquals(straight.w1().value().toDoubleArray(), resumed.w1().value().toDoubleArray());
        assertArrayEquals(straight.w2().value().toDoubleArray(), resumed.w2().value().toDoubleArray());

        var e = assertThrows(IllegalArgumentException.class, () -> resumed.adamax().loadStateDict(
                Map.of("state.0.exp_avg_sq", Tensor.zeros(3, 4))));
        assertEquals("Adamax.loadStateDict: unexpected key 'state.0.exp_avg_sq' (expected state.<i>.[exp_avg, exp_inf], "
                + "state.<i>.step or param_groups.<j>.lr)", e.getMessage());
    }

    /** Digits, an MLP whose two layers are two groups with their own options, checkpoints every 3 steps; crashes at the given iterations. */
    static float[] train(Checkpointing checkpoints, long crashAt) {
        TensorDataset all = Digits.load();
        TensorDataset data = all.subset(Arrays.copyOf(Shuffle.permutation(all.size(), 4, 0), 200));
        Linear body = new Linear(Digits.FEATURES, 16, true, null, 21);
        Linear head = new Linear(16, Digits.CLASSES, true, null, 22);
        Sequential model = new Sequential(body, new Activation.ReLU(), head);
        Adamax adamax = new Adamax(List.of(
                OptimizerGroup.of(body.parameters(), Adamax.options(0.01).withBetas(0.8, 0.99)),
                OptimizerGroup.of(head.parameters(), Adamax.options(0.02).withWeightDecay(1e-3).withEps(1e-6))));
        Callback crash = new Callback() {
            @Override
            public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
                if (ctx.iteration() == crashAt) {
                    throw new IllegalStateException("crash");
                }
            }
        };
        Trainer trainer = new Trainer().callbacks(crash);
        if (checkpoints != null) {
            trainer.checkpoints(checkpoints);
        }
        DataLoader loader = DataLoader.builder(data).batchSize(50).shuffle(true).seed(6).build();
        History h = trainer.fit(model, new CrossEntropyLoss(), adamax, loader, null, 4);
        assertEquals(4, h.get("loss").size());
        float[] w = new float[0];
        for (Parameter p : model.parameters()) {
            float[] v = p.value().toFloatArray();
            float[] x = Arrays.copyOf(w, w.length + v.length);
            System.arraycopy(v, 0, x, w.length, v.length);
            w = x;
        }
        return w;
    }

    @Test
    void trainingResumedFromCheckpointsAfterACrashEndsBitwiseAsOneThatNeverStopped(@TempDir Path dir) {
        float[] straight = train(null, -1);
        Checkpointing c = Checkpointing.builder(dir).everySteps(3).build();
        assertThrows(IllegalStateException.class, () -> train(c, 8));
        float[] resumed = train(c, -1);
        assertArrayEquals(straight, resumed);
    }
}
