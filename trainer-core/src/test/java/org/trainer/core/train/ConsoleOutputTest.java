package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Sequential;

/** What fit prints: one Keras-style line per epoch by default, a reused bar on a terminal only, nothing when silenced. */
class ConsoleOutputTest {
    private static final TensorDataset DATA = new TensorDataset(Tensor.randn(3, 40, 4),
            Tensor.fromArray(IntStream.range(0, 40).map(i -> i % 3).toArray(), 40));

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private History fit(Trainer trainer) {
        Sequential model = new Sequential(new Linear(4, 3));
        DataLoader train = DataLoader.builder(DATA).batchSize(16).build();
        DataLoader validation = DataLoader.builder(DATA).batchSize(40).build();
        return trainer.metrics(Accuracy::new).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), 0.1, 0.0), train, validation, 3);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsOneLinePerEpochWithTheHistorysFiguresAndNoCarriageReturnOffATerminal() {
        History h = fit(new Trainer().console(out, false).progressBar(true));
        String text = printed();
        assertFalse(text.contains("\r"), text);
        List<String> lines = text.lines().toList();
        assertEquals(3, lines.size(), text);
        for (int e = 0; e < 3; e++) {
            String expected = String.format(Locale.ROOT, "Epoch %d/3 - \\d+\\.\\d\\ds - loss: %.4f - accuracy: %.4f"
                            + " - val_loss: %.4f - val_accuracy: %.4f", e + 1, h.get("loss").get(e),
                    h.get("accuracy").get(e), h.get("val_loss").get(e), h.get("val_accuracy").get(e))
                    .replace("(", "\\(");
            assertTrue(lines.get(e).matches(expected), lines.get(e) + " !~ " + expected);
        }
    }

    @Test
    void verboseFalsePrintsNothing() {
        fit(new Trainer().console(out, true).progressBar(true).verbose(false));
        assertEquals("", printed());
    }

    @Test
    void onATerminalTheEpochLineEndsEachEpochOfTheBar() {
        fit(new Trainer().console(out, true).progressBar(true));
        String[] lines = printed().split("\n");
        assertEquals(3, lines.length, printed());
        for (int e = 0; e < 3; e++) {
            String last = lines[e].substring(lines[e].lastIndexOf('\r') + 1);
            assertTrue(last.startsWith("Epoch " + (e + 1) + "/3 - "), last);
            assertTrue(last.contains(" - val_accuracy: "), last);
        }
    }

    @Test
    void theBarShowsTheEpochsRunningMeanLossAndTheEpochLineReplacesTheFrame() throws InterruptedException {
        ConsoleOutput console = new ConsoleOutput(out, true);
        TrainingContext ctx = new TrainingContext(null, null, new History(), 2, 4);
        console.onTrainBegin(ctx);
        console.onEpochBegin(ctx, 0);
        ctx.advance(10);
        console.onBatchEnd(ctx, 0, 1.0);
        ctx.advance(30);
        console.onBatchEnd(ctx, 1, 0.0); // the mean over 40 samples: (10 x 1.0 + 30 x 0.0) / 40
        String frame = awaitFrame();
        assertTrue(frame.startsWith("\rEpoch 1/2 [==========>         ] 2/4 - ETA "), frame);
        assertTrue(frame.contains("s - loss: 0.2500 - "), frame);
        Map<String, Double> logs = new LinkedHashMap<>(Map.of("loss", 0.25));
        console.onEpochEnd(ctx, 0, logs);
        console.onTrainEnd(ctx);
        String text = printed();
        String tail = text.substring(text.lastIndexOf('\r') + 1);
        assertTrue(tail.matches("Epoch 1/2 - \\d+\\.\\d\\ds - loss: 0\\.2500 +\\R"), tail); // padded over the frame
        int frames = text.length() - text.replace("\r", "").length();
        Thread.sleep(450); // a closed bar prints no more frames
        assertEquals(frames, printed().length() - printed().replace("\r", "").length());
    }

    /** Waits (up to 5 s) for the bar's refresh thread to print a frame of batch 2 and returns the last frame. */
    private String awaitFrame() throws InterruptedException {
        for (int i = 0; i < 500 && !printed().contains("] 2/4 "); i++) {
            Thread.sleep(10);
        }
        String text = printed();
        return text.substring(Math.max(0, text.lastIndexOf('\r')));
    }

    @Test
    void withoutTheProgressBarLibraryTheErrorNamesTheDependency() {
        ClassLoader bare = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Trainer.requireProgressBarLibrary(bare));
        assertTrue(e.getMessage().contains("me.tongfei:progressbar"), e.getMessage());
        Trainer.requireProgressBarLibrary(Trainer.class.getClassLoader()); // present here: no error
    }
}
