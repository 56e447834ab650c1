package org.trainer.distributed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Test helper: W ranks of a {@link TcpCollective} on threads of this JVM, over loopback. */
final class TcpGroup {
    /** The secret of the tests' groups; strangers in the tests do not know it. */
    static final byte[] SECRET = TcpCollective.Options.fromHex("00112233445566778899aabbccddeeff0123456789abcdef");

    private TcpGroup() {
    }

    static TcpCollective.Options options() {
        return TcpCollective.Options.defaults().withSecret(SECRET).withJobId("test")
                .withTimeout(java.time.Duration.ofSeconds(20)).withHandshakeTimeout(java.time.Duration.ofSeconds(2));
    }

    /** Connects ranks 0 to world - 1 concurrently (connect blocks until the ring is closed). */
    static List<Collective> connect(int world, Path dir, TcpCollective.Options options) throws Exception {
        return connectEach(world, dir, r -> options);
    }

    /** {@link #connect} with each rank's own options. */
    static List<Collective> connectEach(int world, Path dir, java.util.function.IntFunction<TcpCollective.Options> options)
            throws Exception {
        String run = UUID.randomUUID().toString();
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<Collective>> fs = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                fs.add(pool.submit(() -> TcpCollective.connect(rank, world, new FileRendezvous(dir, run),
                        options.apply(rank))));
            }
            List<Collective> out = new ArrayList<>();
            Exception failure = null;
            for (Future<Collective> f : fs) {
                try {
                    out.add(f.get());
                } catch (Exception e) {
                    failure = e;
                }
            }
            if (failure != null) {
                closeAll(out);
                throw failure;
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static void closeAll(List<? extends Collective> ranks) {
        for (Collective c : ranks) {
            c.close();
        }
    }
}
