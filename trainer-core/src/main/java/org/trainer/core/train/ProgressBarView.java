package org.trainer.core.train;

import java.io.PrintStream;
import java.util.Locale;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressState;

/**
 * The progress bar of {@link Trainer#progressBar(boolean)}, drawn by the progressbar library (an
 * optional dependency, me.tongfei:progressbar; the only class that touches it): batch i/n, the
 * ETA, the epoch's running mean loss and samples/s, as {@code \r} frames on one line that the
 * epoch's line replaces.
 *
 * <p>One bar serves a whole fit: each epoch resets it. The training thread only stores numbers; the
 * library's refresh thread formats and prints a frame every 200 ms. The width is fixed
 * ({@link #WIDTH} columns, or the {@code COLUMNS} environment variable when set), so nothing probes
 * the terminal. For a source of unknown length the bar shows no total and no ETA.
 */
final class ProgressBarView implements AutoCloseable {
    /** The frame's width when {@code COLUMNS} does not say: fits an 80-column terminal. */
    static final int WIDTH = 79;
    private static final int BAR = 20;

    private final PrintStream out;
    private final int epochs;
    private final int width;
    private final ProgressBar bar;
    private final Object lock = new Object();
    private boolean showing; // guarded by lock: frames are printed between an epoch's first batch and its end
    private int lastFrame;   // guarded by lock: the length of the frame on screen
    private volatile int epoch;
    private volatile long samples;
    private volatile double meanLoss = Double.NaN;
    private volatile long epochStart;

    ProgressBarView(PrintStream out, int epochs, int batchesPerEpoch) {
        this.out = out;
        this.epochs = epochs;
        this.width = columns();
        this.bar = new ProgressBarBuilder()
                .setInitialMax(batchesPerEpoch)
                .setUpdateIntervalMillis(200)
                .setRenderer(this::render)
                .setConsumer(new Frames())
                .build();
    }

    void beginEpoch(int e) {
        epoch = e;
        samples = 0;
        meanLoss = Double.NaN;
        epochStart = System.nanoTime();
        bar.reset();
    }

    /** After batch {@code batches} (1-based) of the epoch: {@code seen} samples, a running mean loss. */
    void batchDone(int batches, long seen, double mean) {
        samples = seen;
        meanLoss = mean;
        bar.stepTo(batches);
        if (batches == 1) {
            synchronized (lock) {
                showing = true;
            }
        }
    }

    /** Samples of this epoch so far. */
    long samples() {
        return samples;
    }

    /** Replaces the frame on screen by the epoch's line; no frame is printed until the next epoch's first batch. */
    void endEpoch(String line) {
        synchronized (lock) {
            showing = false;
            out.print('\r');
            out.print(line);
            out.print(" ".repeat(Math.max(0, lastFrame - line.length())));
            out.println();
            out.flush();
            lastFrame = 0;
        }
    }

    private String render(ProgressState state, int maxLength) {
        synchronized (lock) {
            if (!showing) {
                return ""; // between epochs, or before the first batch: the figures are not this epoch's yet
            }
        }
        long done = state.getCurrent();
        long max = state.getMax();
        double seconds = Math.max((System.nanoTime() - epochStart) / 1e9, 1e-9);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "Epoch %d/%d ", epoch + 1, epochs));
        if (max > 0) {
            int filled = (int) (BAR * Math.min(done, max) / max);
            s.append('[').append("=".repeat(filled)).append(filled < BAR ? ">" : "")
                    .append(" ".repeat(Math.max(0, BAR - filled - 1))).append("] ").append(done).append('/').append(max);
        } else {
            s.append(done);
        }
        if (max > 0 && done > 0) {
            s.append(String.format(Locale.ROOT, " - ETA %ds", Math.round((max - done) * seconds / done)));
        }
        // Least important last: a frame wider than the terminal loses its end.
        s.append(String.format(Locale.ROOT, " - loss: %.4f - %.0f samples/s", meanLoss, samples / seconds));
        return s.length() > maxLength ? s.substring(0, maxLength) : s.toString();
    }

    /** Ends the bar's refresh at the end of fit (or when it fails); the last epoch's line is already printed. */
    @Override
    public void close() {
        synchronized (lock) {
            showing = false;
        }
        bar.close();
    }

    /** Where the library sends frames: printed over the line on screen while an epoch shows. */
    private final class Frames implements ProgressBarConsumer {
        @Override
        public int getMaxRenderedLength() {
            return width;
        }

        @Override
        public void accept(String frame) {
            synchronized (lock) {
                if (showing && !frame.isEmpty()) {
                    out.print('\r');
                    out.print(frame);
                    out.print(" ".repeat(Math.max(0, lastFrame - frame.length())));
                    out.flush();
                    lastFrame = frame.length();
                }
            }
        }

        @Override
        public void close() {
            // The stream is the caller's; the epoch's line already ended the frame.
        }
    }

    private static int columns() {
        String c = System.getenv("COLUMNS");
        try {
            return c == null ? WIDTH : Math.max(20, Integer.parseInt(c.trim()) - 1);
        } catch (NumberFormatException e) {
            return WIDTH;
        }
    }
}
