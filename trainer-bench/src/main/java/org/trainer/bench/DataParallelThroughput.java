package org.trainer.bench;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.backend.cpu.Parallel;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Seeds;
import org.trainer.core.train.Callback;
import org.trainer.core.train.Trainer;
import org.trainer.distributed.DistributedContext;
import org.trainer.distributed.DistributedDataParallel;
import org.trainer.distributed.DistributedSampler;
import org.trainer.distributed.ProcessLauncher;
import org.trainer.optim.SGD;

/**
 * Does data parallelism over processes pay on one machine? The same training at the same global
 * batch, timed two ways in one run:
 * <ol>
 *   <li>one process whose backend uses 2 threads, batch B;</li>
 *   <li>2 processes of 1 thread each ({@link ProcessLauncher}), batch B/2 each, gradients averaged
 *       by {@link DistributedDataParallel} (through shared memory, the default on one machine);</li>
 *   <li>the same without averaging the gradients (the replicas drift apart), which separates the
 *       communication's cost from the cost of splitting the work over processes;</li>
 *   <li>the same with averaging over the loopback TCP ring ({@code sharedMemory(false)}).</li>
 * </ol>
 * Both run {@code Trainer.fit} over synthetic Fashion-MNIST-shaped data (random images, random
 * labels: the arithmetic is what is timed) with SGD and momentum, for {@code --epochs} epochs of
 * {@code --samples} samples; the first {@code --warmup} epochs (JIT compilation) are left out and
 * the samples/s of each later epoch reported (best and median), with the ratio parallel / single.
 * Then, for the cost model of trainer-bench/README.md, a single process with 1 thread times
 * forward + backward alone per sample, and the gradients' size is printed.
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp trainer-bench/target/benchmarks.jar \
 *       org.trainer.bench.DataParallelThroughput [--model MLP|CNN] [--batch 256] [--samples 25600] [--epochs 5] [--warmup 2]
 *       [--cost-only]
 * </pre>
 * A harness that prints numbers for a person to read: nothing fails.
 */
public final class DataParallelThroughput {
    private DataParallelThroughput() {
    }

    /** Per-epoch seconds of the epochs after warm-up. */
    record Epochs(double[] seconds) implements Serializable {
    }

    public static void main(String[] args) {
        Map<String, String> o = options(args);
        TrainingModels model = TrainingModels.valueOf(o.getOrDefault("--model", "MLP"));
        int batch = Integer.parseInt(o.getOrDefault("--batch", "256"));
        int samples = Integer.parseInt(o.getOrDefault("--samples", "25600"));
        int epochs = Integer.parseInt(o.getOrDefault("--epochs", "5"));
        int warmup = Integer.parseInt(o.getOrDefault("--warmup", "2"));

        if (o.containsKey("--cost-only")) {
            costModel(model, batch);
            return;
        }
        Parallel.setThreads(2);
        Epochs single = train(null, model, samples, batch, epochs, warmup, false);
        ProcessLauncher launcher = ProcessLauncher.builder().processes(2).jvmOptions("-Dtrainer.threads=1", "-Xmx2g")
                .timeout(Duration.ofMinutes(5)).build();
        Epochs parallel = launcher.run(ctx -> train(ctx, model, samples, batch / ctx.worldSize(), epochs, warmup, true));
        Epochs alone = launcher.run(ctx -> train(ctx, model, samples, batch / ctx.worldSize(), epochs, warmup, false));
        ProcessLauncher sockets = ProcessLauncher.builder().processes(2).jvmOptions("-Dtrainer.threads=1", "-Xmx2g")
                .timeout(Duration.ofMinutes(5)).sharedMemory(false).build();
        Epochs overTcp = sockets.run(ctx -> train(ctx, model, samples, batch / ctx.worldSize(), epochs, warmup, true));
        double s = samples / Stats.median(single.seconds());
        double p = samples / Stats.median(parallel.seconds());
        System.out.printf(Locale.ROOT, "%s, global batch %d, %d samples an epoch, %d epochs after %d of warm-up%n",
                model, batch, samples, epochs - warmup, warmup);
        System.out.printf(Locale.ROOT, "  1 process x 2 threads : %8.0f samples/s median (best %.0f)%n", s,
                samples / min(single.seconds()));
        System.out.printf(Locale.ROOT, "  2 processes x 1 thread: %8.0f samples/s median (best %.0f)%n", p,
                samples / min(parallel.seconds()));
        double t = samples / Stats.median(overTcp.seconds());
        System.out.printf(Locale.ROOT, "  2 processes x 1 thread, averaged over loopback TCP (no shared memory): %8.0f"
                + " samples/s median (best %.0f)%n", t, samples / min(overTcp.seconds()));
        System.out.printf(Locale.ROOT, "  2 processes x 1 thread, gradients not averaged: %8.0f samples/s median (best %.0f)%n",
                samples / Stats.median(alone.seconds()), samples / min(alone.seconds()));
        System.out.printf(Locale.ROOT, "  ratio parallel / single: %.2fx (over TCP only: %.2fx)%n", p / s, t / s);

        costModel(model, batch);
    }

    /** The gradients' size and forward and backward time per sample on 1 thread, at half the global batch. */
    static void costModel(TrainingModels model, int batch) {
        Parallel.setThreads(1);
        Module m = model.build();
        long params = m.parameters().stream().mapToLong(x -> x.numel()).sum();
        double[] perSample = forwardBackwardSeconds(m, batch / 2);
        System.out.printf(Locale.ROOT, "  cost model: %d parameters (%.2f MB of float32 gradients); on 1 thread at batch"
                + " %d, forward %.1f us and backward %.1f us a sample%n", params, params * 4 / 1e6, batch / 2,
                perSample[0] / (batch / 2) * 1e6, perSample[1] / (batch / 2) * 1e6);
    }

    /**
     * Trains and returns the per-epoch seconds after warm-up; data parallel when ctx is not null,
     * averaging the gradients only when {@code communicate} (without, the replicas drift apart: a
     * measure of what the communication costs).
     */
    static Epochs train(DistributedContext ctx, TrainingModels which, int samples, int batch, int epochs, int warmup,
                        boolean communicate) {
        Seeds.set(1);
        Module model = which.build();
        TensorDataset data = new TensorDataset(Tensor.randn(5, samples, 1, 28, 28),
                Tensor.fromArray(java.util.stream.IntStream.range(0, samples).map(i -> i * 7 % 10).toArray(), samples));
        DataLoader.Builder loader = DataLoader.builder(data).batchSize(batch);
        Module trained = model;
        DistributedDataParallel ddp = null;
        if (ctx != null) {
            ddp = new DistributedDataParallel(model, ctx.collective());
            trained = ddp;
            loader.sampler(new DistributedSampler(samples, ctx.rank(), ctx.worldSize(), true, 1, true));
        } else {
            loader.shuffle(true).seed(1);
        }
        List<Double> times = new ArrayList<>();
        Callback clock = new EpochClock(warmup, times);
        org.trainer.core.train.GradientSynchronizer.Scope local = ddp != null && !communicate ? ddp.noSync() : null;
        new Trainer().callbacks(clock).fit(trained, new CrossEntropyLoss(), new SGD(trained.parameters(), 0.01, 0.9, 0),
                loader.build(), null, epochs);
        if (ddp != null) {
            if (local != null) {
                local.close();
            }
            ddp.close();
        }
        return new Epochs(times.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The median seconds of forward with the loss, and of backward, of one batch, after warm-up. */
    static double[] forwardBackwardSeconds(Module m, int batch) {
        Tensor x = Tensor.randn(6, batch, 1, 28, 28);
        Tensor y = Tensor.fromArray(new int[batch], batch);
        double[] forward = new double[30];
        double[] backward = new double[30];
        for (int i = -50; i < forward.length; i++) {
            long start = System.nanoTime();
            m.zeroGrad();
            Tensor loss = new CrossEntropyLoss().compute(m.forward(x), y);
            long mid = System.nanoTime();
            loss.backward();
            if (i >= 0) {
                forward[i] = (mid - start) / 1e9;
                backward[i] = (System.nanoTime() - mid) / 1e9;
            }
        }
        return new double[] {Stats.median(forward), Stats.median(backward)};
    }


    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            boolean flag = i + 1 == args.length || args[i + 1].startsWith("--");
            o.put(args[i], flag ? "" : args[++i]);
        }
        return o;
    }
}
