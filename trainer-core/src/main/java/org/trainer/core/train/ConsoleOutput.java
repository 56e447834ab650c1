package org.trainer.core.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Trainer#fit} prints: one line per epoch, as Keras does
 * ({@code Epoch 3/20 - 0.41s - loss: 0.2345 - accuracy: 0.9312 - val_loss: 0.2710 - val_accuracy: 0.9220}),
 * and, with a bar on a terminal, a progress bar within each epoch that the epoch's line replaces.
 * The bar ({@link ProgressBarView}) is built once per fit and reused by every epoch; without a
 * terminal no bar is drawn, so a log file holds the epoch lines only.
 */
final class ConsoleOutput implements Callback {
    private final PrintStream out;
    private final boolean bar;
    private ProgressBarView view;
    private long epochStart;
    private long epochSamples;
    private double lossSum;

    /** Lines to {@code out}; a bar too when {@code bar} (the caller has checked that its library is present). */
    ConsoleOutput(PrintStream out, boolean bar) {
        this.out = out;
        this.bar = bar;
    }

    @Override
    public void onTrainBegin(TrainingContext ctx) {
        if (bar) {
            view = new ProgressBarView(out, ctx.epochs(), ctx.batchesPerEpoch());
        }
    }

    @Override
    public void onEpochBegin(TrainingContext ctx, int epoch) {
        epochStart = System.nanoTime();
        epochSamples = ctx.samplesSeen();
        lossSum = 0;
        if (view != null) {
            view.beginEpoch(epoch);
        }
    }

    @Override
    public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
        if (view != null) {
            long seen = ctx.samplesSeen() - epochSamples;
            lossSum += loss * (seen - view.samples());
            view.batchDone(batch + 1, seen, lossSum / seen);
        }
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        String line = line(epoch, ctx.epochs(), (System.nanoTime() - epochStart) / 1e9, logs);
        if (view != null) {
            view.endEpoch(line);
        } else {
            out.println(line);
            out.flush();
        }
    }

    @Override
    public void onTrainEnd(TrainingContext ctx) {
        close();
    }

    /** Stops the bar, if one is drawn; fit calls it when it ends, normally or not. */
    void close() {
        if (view != null) {
            view.close();
            view = null;
        }
    }

    /**
     * An epoch's line: its 1-based number of {@code epochs}, its seconds, then every figure of
     * {@code logs} but the learning rate, in their order, to 4 decimals.
     */
    static String line(int epoch, int epochs, double seconds, Map<String, Double> logs) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "Epoch %d/%d - %.2fs", epoch + 1, epochs, seconds));
        logs.forEach((name, value) -> {
            if (!name.equals("lr")) {
                s.append(String.format(Locale.ROOT, " - %s: %.4f", name, value));
            }
        });
        return s.toString();
    }
}
