package org.trainer.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.trainer.distributed.FileRendezvous;
import org.trainer.distributed.ReduceOp;
import org.trainer.distributed.TcpCollective;

/**
 * How close does the TCP ring all-reduce come to what the sockets can carry, and what would it
 * cost on a cluster? In one run over loopback, with every rank a thread of this JVM (each with its
 * own sockets and sender threads, exactly as in separate processes, but sharing this machine's
 * cores):
 * <ol>
 *   <li>raw copy: 16 MB written through one loopback TCP connection by one thread and read by
 *       another, in 1 MiB writes: the bytes per second the transport can do at best here;</li>
 *   <li>{@link TcpCollective#allReduce(float[], int, int, ReduceOp)} of a 16 MB float32 array at W = 2
 *       and 3: algbw = bytes / time and busbw = algbw x 2(W-1)/W (the nccl-tests definition: the
 *       traffic each rank's link carries), and busbw over the raw copy's rate. On loopback every rank
 *       shares this machine's cores and its "link" is a kernel memory copy: the ranks together push
 *       2(W-1) times the array through sockets, where the raw copy pushes it once, so when the CPU is
 *       the bottleneck busbw / raw copy cannot exceed 1/W (2(W-1)/W over 2(W-1)). The harness
 *       therefore also reports the process CPU time per operation and the socket bytes moved per CPU
 *       second against the raw copy's: the transport's own overhead, whatever the sharing;</li>
 *   <li>all-reduce times from 4 KB to 64 MB at W = 2 and 3, fitted (least squares of the relative
 *       error) to the alpha-beta model time = 2(W-1) alpha + 2(W-1)/W x bytes / bandwidth, then the
 *       model projected to 8, 64 and 256 ranks on 10 and 100 Gb/s links with an assumed per-step
 *       network latency.</li>
 * </ol>
 * Each time is the best and the median of {@code --reps} repetitions (at least 10 for the 16 MB
 * rows, whose CPU time the system counts in 10 ms ticks), after one warm-up; a
 * repetition of a small size runs several all-reduces back to back and divides. Run from the
 * repository root after building:
 * <pre>
 *   java --add-modules=jdk.incubator.vector -Xmx2g -cp trainer-bench/target/benchmarks.jar \
 *       org.trainer.bench.AllReduceBandwidth [--reps 5] [--max-mb 64] [--alpha-us 25]
 * </pre>
 * A harness that prints numbers for a person to read: nothing fails.
 */
public final class AllReduceBandwidth {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final int MB16 = 16 << 20;
    private static final int CHUNK = 1 << 20;

    private AllReduceBandwidth() {
    }

    public static void main(String[] args) throws Exception {
        int reps = 5;
        int maxMb = 64;
        double alphaUs = 25;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--max-mb" -> maxMb = Integer.parseInt(args[++i]);
                case "--alpha-us" -> alphaUs = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("AllReduceBandwidth: unknown option " + args[i]
                        + " (expected --reps, --max-mb or --alpha-us)");
            }
        }
        System.out.printf(Locale.ROOT, "java %s, %d processors, load average %.1f%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                OS.getSystemLoadAverage());

        double[] raw = rawCopy(MB16, Math.max(reps, 10));
        System.out.printf(Locale.ROOT, "%nraw loopback TCP copy of 16 MB (1 MiB writes): best %.1f ms = %.2f GB/s,"
                + " median %.1f ms = %.2f GB/s; CPU %.1f ms per copy = %.2f GB per CPU second%n", raw[0] * 1e3,
                MB16 / raw[0] / 1e9, raw[1] * 1e3, MB16 / raw[1] / 1e9, raw[2] * 1e3, MB16 / raw[2] / 1e9);
        double rawRate = MB16 / raw[0];

        List<double[]> points = new ArrayList<>(); // {W, bytes, median seconds}
        Path dir = Files.createTempDirectory("allreduce-rendezvous");
        try {
            System.out.printf(Locale.ROOT, "%nall-reduce of 16 MB float32 (ranks are threads of this JVM):%n");
            System.out.printf(Locale.ROOT, "| W | best ms | median ms | algbw GB/s | busbw GB/s | busbw / raw copy |"
                    + " CPU ms | socket GB per CPU s | that / raw copy's |%n");
            System.out.printf(Locale.ROOT, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n");
            List<String> sweep = new ArrayList<>();
            for (int world = 2; world <= 3; world++) {
                List<TcpCollective> group = connect(world, dir);
                ExecutorService pool = Executors.newFixedThreadPool(world);
                try {
                    double[] t = time(group, pool, MB16 / 4, Math.max(reps, 10));
                    double algbw = MB16 / t[0];
                    double busbw = algbw * 2 * (world - 1) / world;
                    // All ranks together push 2(W-1) x 16 MB through the kernel's sockets, on the same cores.
                    double socketBytes = 2.0 * (world - 1) * MB16;
                    System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f | %.2f | %.2f | %.1f | %.2f | %.2f |%n",
                            world, t[0] * 1e3, t[1] * 1e3, algbw / 1e9, busbw / 1e9, busbw / rawRate, t[2] * 1e3,
                            socketBytes / t[2] / 1e9, socketBytes / t[2] / (MB16 / raw[2]));
                    for (long bytes = 4 << 10; bytes <= (long) maxMb << 20; bytes *= 4) {
                        double[] s = time(group, pool, (int) (bytes / 4), reps);
                        points.add(new double[] {world, bytes, s[1]});
                        sweep.add(String.format(Locale.ROOT, "| %d | %s | %.3f | %.3f | %.2f |", world, size(bytes),
                                s[0] * 1e3, s[1] * 1e3, bytes / s[1] * 2 * (world - 1) / world / 1e9));
                    }
                } finally {
                    pool.shutdownNow();
                    group.forEach(TcpCollective::close);
                }
            }
            double[] fit = fit(points);
            double alpha = fit[0];
            double bandwidth = 1 / fit[1];
            System.out.printf(Locale.ROOT, "%nall-reduce by size (measured; busbw from the median):%n");
            System.out.printf(Locale.ROOT, "| W | bytes | best ms | median ms | busbw GB/s | model ms |%n");
            System.out.printf(Locale.ROOT, "|---:|---:|---:|---:|---:|---:|%n");
            for (int i = 0; i < points.size(); i++) {
                double[] p = points.get(i);
                System.out.printf(Locale.ROOT, "%s %.3f |%n", sweep.get(i), model(p[0], p[1], alpha, bandwidth) * 1e3);
            }
            System.out.printf(Locale.ROOT, "%nfit (measured, loopback): alpha = %.1f us per step, bandwidth = %.2f GB/s"
                    + " per rank%n", alpha * 1e6, bandwidth / 1e9);

            System.out.printf(Locale.ROOT, "%nprojected all-reduce of 16 MB and 100 MB float32 (model, not measured):"
                    + " link-bound with alpha = %.0f us per step;%nin brackets: with the measured alpha and the"
                    + " bandwidth capped at the measured %.2f GB/s%n", alphaUs, bandwidth / 1e9);
            System.out.printf(Locale.ROOT, "| W | link | 16 MB ms | 16 MB busbw GB/s | 100 MB ms | 100 MB busbw GB/s |%n");
            System.out.printf(Locale.ROOT, "|---:|---:|---:|---:|---:|---:|%n");
            for (int world : new int[] {8, 64, 256}) {
                for (int gbits : new int[] {10, 100}) {
                    double link = gbits * 1e9 / 8;
                    double capped = Math.min(link, bandwidth);
                    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %d | %d Gb/s |", world, gbits));
                    for (double bytes : new double[] {MB16, 100e6}) {
                        double t = model(world, bytes, alphaUs * 1e-6, link);
                        double tm = model(world, bytes, alpha, capped);
                        double f = 2.0 * (world - 1) / world;
                        row.append(String.format(Locale.ROOT, " %.1f (%.1f) | %.2f (%.2f) |", t * 1e3, tm * 1e3,
                                bytes / t * f / 1e9, bytes / tm * f / 1e9));
                    }
                    System.out.println(row);
                }
            }
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Seconds of an all-reduce in the alpha-beta model: 2(W-1) steps, each rank moving 2(W-1)/W of the data. */
    static double model(double world, double bytes, double alpha, double bandwidth) {
        return 2 * (world - 1) * alpha + 2 * (world - 1) / world * bytes / bandwidth;
    }

    /**
     * Least squares of the relative error, so that 4 KB and 64 MB weigh alike: minimizes
     * sum ((2(W-1) a + 2(W-1)/W x bytes x b - t) / t)^2 over a (alpha) and b (1 / bandwidth).
     */
    static double[] fit(List<double[]> points) {
        double s11 = 0;
        double s12 = 0;
        double s22 = 0;
        double r1 = 0;
        double r2 = 0;
        for (double[] p : points) {
            double x1 = 2 * (p[0] - 1) / p[2];
            double x2 = 2 * (p[0] - 1) / p[0] * p[1] / p[2];
            s11 += x1 * x1;
            s12 += x1 * x2;
            s22 += x2 * x2;
            r1 += x1;
            r2 += x2;
        }
        double det = s11 * s22 - s12 * s12;
        return new double[] {(r1 * s22 - r2 * s12) / det, (s11 * r2 - s12 * r1) / det};
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MB" : (bytes >> 10) + " KB";
    }

    private static List<TcpCollective> connect(int world, Path dir) throws Exception {
        TcpCollective.Options options = TcpCollective.Options.defaults().withSecret(TcpCollective.Options.newSecret())
                .withJobId("bench").withTimeout(Duration.ofMinutes(1)).withChunkBytes(CHUNK);
        String run = UUID.randomUUID().toString();
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<TcpCollective>> fs = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                fs.add(pool.submit(() -> TcpCollective.connect(rank, world, new FileRendezvous(dir, run), options)));
            }
            List<TcpCollective> out = new ArrayList<>();
            for (Future<TcpCollective> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Best and median seconds per all-reduce of n floats, and the process CPU seconds per all-reduce
     * (every rank's threads, over all timed repetitions): each repetition starts after a barrier and
     * runs enough all-reduces back to back to last a while; its time is the slowest rank's.
     */
    private static double[] time(List<TcpCollective> group, ExecutorService pool, int n, int reps) throws Exception {
        int world = group.size();
        int calls = (int) Math.max(1, Math.min(200, (4L << 20) / (4L * n)));
        float[][] data = new float[world][n];
        double[] samples = new double[reps];
        long cpu = 0;
        for (int rep = -1; rep < reps; rep++) {
            long cpu0 = OS.getProcessCpuTime();
            List<Future<Long>> fs = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                TcpCollective c = group.get(r);
                float[] a = data[r];
                fs.add(pool.submit(() -> {
                    c.barrier();
                    long t0 = System.nanoTime();
                    for (int k = 0; k < calls; k++) {
                        c.allReduce(a, 0, n, ReduceOp.SUM);
                    }
                    return System.nanoTime() - t0;
                }));
            }
            long slowest = 0;
            for (Future<Long> f : fs) {
                slowest = Math.max(slowest, f.get());
            }
            if (rep >= 0) {
                samples[rep] = slowest / 1e9 / calls;
                cpu += OS.getProcessCpuTime() - cpu0;
            }
        }
        Arrays.sort(samples);
        return new double[] {samples[0], samples[reps / 2], cpu / 1e9 / reps / calls};
    }

    /**
     * Best and median seconds to move {@code bytes} through one loopback connection, writer and reader
     * on two threads, and the process CPU seconds per copy.
     */
    private static double[] rawCopy(int bytes, int reps) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket writer = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket reader = server.accept()) {
            writer.setTcpNoDelay(true);
            OutputStream out = writer.getOutputStream();
            InputStream in = reader.getInputStream();
            byte[] send = new byte[CHUNK];
            byte[] receive = new byte[CHUNK];
            double[] samples = new double[reps];
            long cpu = 0;
            for (int rep = -1; rep < reps; rep++) {
                long cpu0 = OS.getProcessCpuTime();
                long t0 = System.nanoTime();
                Future<?> w = pool.submit(() -> {
                    for (int sent = 0; sent < bytes; sent += CHUNK) {
                        out.write(send, 0, Math.min(CHUNK, bytes - sent));
                    }
                    return null;
                });
                for (int got = 0; got < bytes; ) {
                    int k = in.read(receive, 0, Math.min(CHUNK, bytes - got));
                    if (k < 0) {
                        throw new IOException("the raw copy's writer closed early");
                    }
                    got += k;
                }
                w.get();
                if (rep >= 0) {
                    samples[rep] = (System.nanoTime() - t0) / 1e9;
                    cpu += OS.getProcessCpuTime() - cpu0;
                }
            }
            Arrays.sort(samples);
            return new double[] {samples[0], samples[reps / 2], cpu / 1e9 / reps};
        } finally {
            pool.shutdownNow();
        }
    }
}
