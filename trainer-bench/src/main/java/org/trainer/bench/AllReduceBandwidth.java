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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 *       another, in writes of the ring's frame size (256 KiB): the bytes per second the transport can
 *       do at best here;</li>
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
 * With {@code --compare-kib K}, the 16 MB rows are also measured with K KiB frames (and a raw copy
 * in K KiB writes), interleaved with the default's in every repetition: a comparison of frame
 * sizes under the same load. The 16 MB rows take at least 10 repetitions (the system counts CPU time in 10 ms ticks), each
 * timing one raw copy and one all-reduce per group back to back, so that a ratio compares
 * workloads that ran under the same background load; the sweep takes {@code --reps}. After one
 * warm-up, best and median are kept; a
 * repetition of a small size runs several all-reduces back to back and divides. Run from the
 * repository root after building:
 * <pre>
 *   java --add-modules=jdk.incubator.vector -Xmx2g -cp trainer-bench/target/benchmarks.jar \
 *       org.trainer.bench.AllReduceBandwidth [--reps 5] [--max-mb 64] [--alpha-us 25] [--compare-kib 1024]
 *       [--shared-memory]
 * </pre>
 * The ring's groups all-reduce over their sockets ({@code withSharedMemory(false)}), since that is
 * what is compared with the raw copy; {@code --shared-memory} adds the same 16 MB rows for groups
 * that all-reduce through shared memory, as ranks on one machine do by default.
 * A harness that prints numbers for a person to read: nothing fails.
 */
public final class AllReduceBandwidth {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final int MB16 = 16 << 20;
    /** The ring's frames (the collective's default) and the raw copy's writes: the same size for both. */
    private static final int CHUNK = TcpCollective.Options.DEFAULT_CHUNK_BYTES;
    /** Each rank's array, allocated once: allocating in the loop would add its zeroing and GC to the CPU time. */
    private static final Map<TcpCollective, float[]> DATA = new ConcurrentHashMap<>();
    private static int maxElements;

    private AllReduceBandwidth() {
    }

    public static void main(String[] args) throws Exception {
        int reps = 5;
        int maxMb = 64;
        double alphaUs = 25;
        int compareKib = 0;
        boolean sharedMemory = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--max-mb" -> maxMb = Integer.parseInt(args[++i]);
                case "--alpha-us" -> alphaUs = Double.parseDouble(args[++i]);
                case "--compare-kib" -> compareKib = Integer.parseInt(args[++i]);
                case "--shared-memory" -> sharedMemory = true;
                default -> throw new IllegalArgumentException("AllReduceBandwidth: unknown option " + args[i]
                        + " (expected --reps, --max-mb, --alpha-us, --compare-kib or --shared-memory)");
            }
        }
        if (compareKib != 0 && (compareKib < 1 || compareKib > 65536)) {
            throw new IllegalArgumentException("AllReduceBandwidth: --compare-kib must be in [1, 65536], got " + compareKib);
        }
        System.out.printf(Locale.ROOT, "java %s, %d processors, load average %.1f%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                OS.getSystemLoadAverage());

        maxElements = Math.max(MB16, maxMb << 20) / 4;
        List<double[]> points = new ArrayList<>(); // {W, bytes, median seconds}
        List<String> sweep = new ArrayList<>();
        Path dir = Files.createTempDirectory("allreduce-rendezvous");
        List<TcpCollective> two = List.of();
        List<TcpCollective> three = List.of();
        List<TcpCollective> otherTwo = List.of();
        List<TcpCollective> otherThree = List.of();
        List<TcpCollective> sharedTwo = List.of();
        List<TcpCollective> sharedThree = List.of();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        int other = compareKib << 10;
        try (RawCopy raw = new RawCopy(MB16, CHUNK); RawCopy otherRaw = new RawCopy(MB16, other > 0 ? other : CHUNK)) {
            two = connect(2, dir.resolve("two"), CHUNK, false);
            three = connect(3, dir.resolve("three"), CHUNK, false);
            List<Setting> settings = new ArrayList<>(List.of(new Setting(CHUNK, raw, List.of(two, three), false)));
            if (other > 0) {
                otherTwo = connect(2, dir.resolve("other-two"), other, false);
                otherThree = connect(3, dir.resolve("other-three"), other, false);
                settings.add(new Setting(other, otherRaw, List.of(otherTwo, otherThree), false));
            }
            if (sharedMemory) {
                sharedTwo = connect(2, dir.resolve("shared-two"), CHUNK, true);
                sharedThree = connect(3, dir.resolve("shared-three"), CHUNK, true);
                settings.add(new Setting(CHUNK, raw, List.of(sharedTwo, sharedThree), true));
            }
            headline(settings, pool, Math.max(reps, 10));
            for (List<TcpCollective> group : List.of(two, three)) {
                int world = group.size();
                for (long bytes = 4 << 10; bytes <= (long) maxMb << 20; bytes *= 4) {
                    int n = (int) (bytes / 4);
                    int calls = (int) Math.max(1, Math.min(200, (4L << 20) / bytes));
                    double[] samples = new double[reps];
                    allReduce(group, pool, n, calls);
                    for (int rep = 0; rep < reps; rep++) {
                        samples[rep] = allReduce(group, pool, n, calls);
                    }
                    Arrays.sort(samples);
                    double best = samples[0];
                    double median = samples[reps / 2];
                    points.add(new double[] {world, bytes, median});
                    sweep.add(String.format(Locale.ROOT, "| %d | %s | %.3f | %.3f | %.2f |", world, size(bytes),
                            best * 1e3, median * 1e3, bytes / median * 2 * (world - 1) / world / 1e9));
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
            pool.shutdownNow();
            for (List<TcpCollective> g : List.of(two, three, otherTwo, otherThree, sharedTwo, sharedThree)) {
                g.forEach(TcpCollective::close);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
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

    /** W ranks, threads of this JVM: over their loopback sockets, or all-reducing through shared memory. */
    private static List<TcpCollective> connect(int world, Path dir, int frameBytes, boolean sharedMemory)
            throws Exception {
        TcpCollective.Options options = TcpCollective.Options.defaults().withSecret(TcpCollective.Options.newSecret())
                .withJobId("bench").withTimeout(Duration.ofMinutes(1)).withChunkBytes(frameBytes)
                .withSharedMemory(sharedMemory);
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
     * One frame size: the raw copy in writes of that size, and the groups (W = 2, 3) with frames of
     * that size, or all-reducing through shared memory.
     */
    private record Setting(int frameBytes, RawCopy raw, List<List<TcpCollective>> groups, boolean sharedMemory) {
    }

    /**
     * The 16 MB rows: each repetition times, for each setting (frame size), one raw copy, then one
     * all-reduce per group, back to back, so that all see the same background load; the ratios are
     * taken within each repetition against the raw copy of the same setting, and their median is
     * reported beside the ratio of the best times. Process CPU time is summed per workload over the
     * repetitions.
     */
    private static void headline(List<Setting> settings, ExecutorService pool, int reps) throws Exception {
        int n = MB16 / 4;
        int kinds = 1 + settings.get(0).groups().size();
        double[][][] seconds = new double[settings.size()][kinds][reps];
        long[][] cpu = new long[settings.size()][kinds];
        for (int rep = -1; rep < reps; rep++) {
            for (int f = 0; f < settings.size(); f++) {
                Setting st = settings.get(f);
                for (int w = 0; w < kinds; w++) {
                    long cpu0 = OS.getProcessCpuTime();
                    double t = w == 0 ? st.raw().once() : allReduce(st.groups().get(w - 1), pool, n, 1);
                    if (rep >= 0) {
                        seconds[f][w][rep] = t;
                        cpu[f][w] += OS.getProcessCpuTime() - cpu0;
                    }
                }
            }
        }
        for (int f = 0; f < settings.size(); f++) {
            report(settings.get(f), seconds[f], cpu[f], reps);
        }
    }

    private static void report(Setting st, double[][] seconds, long[] cpu, int reps) {
        int kinds = seconds.length;
        double rawCpu = cpu[0] / 1e9 / reps;
        double[] rawSorted = seconds[0].clone();
        Arrays.sort(rawSorted);
        System.out.printf(Locale.ROOT, "%nraw loopback TCP copy of 16 MB (%d KiB writes, from and into byte arrays):"
                + " best %.1f ms = %.2f GB/s, median %.1f ms = %.2f GB/s; CPU %.1f ms per copy%n", st.frameBytes() >> 10,
                rawSorted[0] * 1e3, MB16 / rawSorted[0] / 1e9, rawSorted[reps / 2] * 1e3, MB16 / rawSorted[reps / 2] / 1e9,
                rawCpu * 1e3);
        System.out.printf(Locale.ROOT, "%nall-reduce of 16 MB float32 %s (ranks are threads of this JVM),"
                + " %d repetitions interleaved with the raw copy's:%n", st.sharedMemory() ? "through shared memory"
                : "in " + (st.frameBytes() >> 10) + " KiB frames", reps);
        System.out.printf(Locale.ROOT, "| W | best ms | median ms | algbw GB/s | busbw GB/s | busbw / raw copy, best |"
                + " busbw / raw copy, median of repetitions | CPU ms | socket bytes per CPU s / raw copy's |%n");
        System.out.printf(Locale.ROOT, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n");
        for (int w = 1; w < kinds; w++) {
            int world = st.groups().get(w - 1).size();
            double factor = 2.0 * (world - 1) / world;
            double[] ratios = new double[reps];
            for (int rep = 0; rep < reps; rep++) {
                ratios[rep] = factor * seconds[0][rep] / seconds[w][rep];
            }
            Arrays.sort(ratios);
            double[] sorted = seconds[w].clone();
            Arrays.sort(sorted);
            double algbw = MB16 / sorted[0];
            double perOpCpu = cpu[w] / 1e9 / reps;
            // All ranks together push 2(W-1) x 16 MB through the kernel's sockets, on the same cores.
            double socketBytes = 2.0 * (world - 1) * MB16;
            System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f |%n", world,
                    sorted[0] * 1e3, sorted[reps / 2] * 1e3, algbw / 1e9, algbw * factor / 1e9,
                    factor * rawSorted[0] / sorted[0], ratios[reps / 2], perOpCpu * 1e3,
                    socketBytes / perOpCpu / (MB16 / rawCpu));
        }
    }

    /**
     * Seconds per all-reduce of n floats: after a barrier, every rank runs {@code calls} all-reduces
     * back to back; the time is the slowest rank's, divided by calls.
     */
    private static double allReduce(List<TcpCollective> group, ExecutorService pool, int n, int calls)
            throws Exception {
        List<Future<Long>> fs = new ArrayList<>();
        for (TcpCollective c : group) {
            float[] a = DATA.computeIfAbsent(c, k -> new float[maxElements]);
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
        return slowest / 1e9 / calls;
    }

    /** One loopback connection, a writer thread and the calling thread as reader. */
    private static final class RawCopy implements AutoCloseable {
        private final int bytes;
        private final int chunk;
        private final ExecutorService writer = Executors.newSingleThreadExecutor();
        private final ServerSocket server;
        private final Socket out;
        private final Socket in;
        private final byte[] send;
        private final byte[] receive;

        RawCopy(int bytes, int chunk) throws IOException {
            this.bytes = bytes;
            this.chunk = chunk;
            this.send = new byte[chunk];
            this.receive = new byte[chunk];
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            out = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            in = server.accept();
            out.setTcpNoDelay(true);
        }

        /** Seconds to move the bytes from the writer's first write to the reader's last read. */
        double once() throws Exception {
            OutputStream o = out.getOutputStream();
            InputStream i = in.getInputStream();
            long t0 = System.nanoTime();
            Future<?> w = writer.submit(() -> {
                for (int sent = 0; sent < bytes; sent += chunk) {
                    o.write(send, 0, Math.min(chunk, bytes - sent));
                }
                return null;
            });
            for (int got = 0; got < bytes; ) {
                int k = i.read(receive, 0, Math.min(chunk, bytes - got));
                if (k < 0) {
                    throw new IOException("the raw copy's writer closed early");
                }
                got += k;
            }
            w.get();
            return (System.nanoTime() - t0) / 1e9;
        }

        @Override
        public void close() throws IOException {
            writer.shutdownNow();
            in.close();
            out.close();
            server.close();
        }
    }
}
