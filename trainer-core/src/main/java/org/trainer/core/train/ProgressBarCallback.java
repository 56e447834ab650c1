package org.trainer.core.train;

import java.util.Map;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A console progress bar per epoch: batch i/n, loss, samples/s and ETA, drawn by the progressbar
 * library (an optional dependency: add me.tongfei:progressbar to use it). Turned on with
 * {@link Trainer#progressBar(boolean)}. For a source of unknown length (batchesPerEpoch -1) the
 * bar is indefinite and shows no ETA.
 */
final class ProgressBarCallback implements Callback {
    private ProgressBar bar;
    private long lastSamples;
    private long start;

    @Override
    public void onEpochBegin(TrainingContext ctx, int epoch) {
        bar = new ProgressBarBuilder()
                .setTaskName("epoch " + (epoch + 1) + "/" + ctx.epochs())
                .setInitialMax(ctx.batchesPerEpoch())
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .hideEta()
                .build();
        lastSamples = ctx.samplesSeen();
        start = System.nanoTime();
    }

    @Override
    public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = (ctx.samplesSeen() - lastSamples) / Math.max(seconds, 1e-9);
        bar.step();
        String message = String.format(" loss %.4f  %.0f samples/s", loss, rate);
        if (ctx.batchesPerEpoch() >= 0) { // -1: a stream of unknown length, an indefinite bar and no ETA
            long left = ctx.batchesPerEpoch() - (batch + 1L);
            message += String.format("  ETA %ds", Math.round(left * seconds / (batch + 1)));
        }
        bar.setExtraMessage(message);
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
