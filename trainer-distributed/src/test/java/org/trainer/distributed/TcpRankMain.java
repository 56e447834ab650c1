package org.trainer.distributed;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One rank of a TCP group in its own JVM, for {@link TcpCollectiveProcessTest}: joins through a
 * {@link FileRendezvous}, then all-reduces integer-valued data {@code rounds} times, checking each
 * sum. It reports on stderr, one line each: "ROUND k OK", then "DONE"; or "FAILED message" and exit
 * status 3 for a CollectiveException, 2 for a wrong sum.
 *
 * <p>Arguments: rank world dir runId secretHex rounds timeoutMillis.
 */
public final class TcpRankMain {
    static final int N = 100_003;

    private TcpRankMain() {
    }

    public static void main(String[] args) throws Exception {
        int rank = Integer.parseInt(args[0]);
        int world = Integer.parseInt(args[1]);
        FileRendezvous rendezvous = new FileRendezvous(Path.of(args[2]), args[3]);
        TcpCollective.Options options = TcpCollective.Options.defaults()
                .withSecret(TcpCollective.Options.fromHex(args[4])).withJobId("process-test")
                .withTimeout(Duration.ofMillis(Long.parseLong(args[6])));
        int rounds = Integer.parseInt(args[5]);
        int status = 0;
        try (TcpCollective c = TcpCollective.connect(rank, world, rendezvous, options)) {
            float[] a = new float[N];
            for (int round = 0; round < rounds && status == 0; round++) {
                for (int i = 0; i < N; i++) {
                    a[i] = (i % 1013) * (rank + 1) + round;
                }
                c.allReduce(a, 0, N, ReduceOp.SUM);
                for (int i = 0; i < N && status == 0; i++) {
                    float expected = (i % 1013) * (world * (world + 1) / 2) + round * world;
                    if (a[i] != expected) {
                        System.err.println("WRONG round " + round + " element " + i + ": " + a[i] + ", expected "
                                + expected);
                        status = 2;
                    }
                }
                if (status == 0) {
                    System.err.println("ROUND " + round + " OK");
                    Thread.sleep(20);
                }
            }
        } catch (CollectiveException e) {
            System.err.println("FAILED " + e.getMessage());
            System.exit(3);
        }
        if (status == 0) {
            System.err.println("DONE");
        }
        System.exit(status);
    }
}
