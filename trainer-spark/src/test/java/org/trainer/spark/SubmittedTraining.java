package org.trainer.spark;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * The application {@link SparkStandaloneClusterTest} submits with the README's spark-submit
 * command. As the examples' {@code FashionMnistSpark} does, it builds a {@link SparkDistributor}
 * with neither a master nor a context, which under spark-submit must run the ranks on the cluster
 * the command names, and trains the test MLP on 2 ranks ({@link SparkStandaloneClusterTest#rankOnCluster}).
 * Argument: the file to which the driver writes the ranks' placement and weights (serialized
 * {@link SparkStandaloneClusterTest.Placed}, written atomically); it also prints where the ranks ran.
 */
public final class SubmittedTraining {
    private SubmittedTraining() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("SubmittedTraining: expected <result file>, got " + Arrays.toString(args));
        }
        SparkStandaloneClusterTest.Placed placed = SparkDistributor.builder().numProcesses(2).build()
                .run(SparkStandaloneClusterTest::rankOnCluster);
        Path result = Path.of(args[0]);
        Path tmp = result.resolveSibling(result.getFileName() + ".tmp");
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(tmp))) {
            out.writeObject(placed);
        }
        Files.move(tmp, result, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("SubmittedTraining: 2 ranks ran in executors " + placed.executors());
    }
}
