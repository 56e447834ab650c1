package org.trainer.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.job.HyperparameterSpec;
import org.trainer.core.job.Interruption;
import org.trainer.core.job.JobConfiguration;
import org.trainer.core.job.JobContext;
import org.trainer.core.job.JobDefinition;
import org.trainer.core.job.JobDirectory;
import org.trainer.core.job.ManagedSpotRunner;
import org.trainer.core.job.SpotRun;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Trainer;
import org.trainer.optim.SGD;

/**
 * Managed-spot training of the Fashion-MNIST MLP: the job runs in a child JVM under
 * {@link ManagedSpotRunner}, which interrupts it three times (a spot notice, a loss of the machine
 * without notice, another notice), each time on a "new machine" whose local checkpoints are gone, so
 * that each restart pulls the durable copy back. An uninterrupted on-demand run of the same job
 * comes first, for the bill, the weights (the spot run's are bitwise the same) and the moments of
 * the interruptions (35%, 30% and 25% of its time after each attempt starts training). Prints both
 * accountings and the saving. Job directories go under target/spot/.
 */
public final class FashionMnistSpot {
    private FashionMnistSpot() {
    }

    /** The job: 4 epochs of the MLP (batches of 64, SGD 0.02 with momentum 0.9), checkpoints every 200 steps. */
    public static final class Job implements JobDefinition {
        @Override
        public HyperparameterSpec hyperparameters() {
            return new HyperparameterSpec().integer("epochs", 4).atLeast("epochs", 1);
        }

        @Override
        public void train(JobContext ctx) throws Exception {
            FashionMnist data = FashionMnist.load(ctx.channel("train"));
            Seeds.set(1);
            Sequential model = FashionMnistMlp.model();
            DataLoader train = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.train())).batchSize(64)
                    .shuffle(true).seed(1).prefetch(2).build();
            DataLoader test = DataLoader.builder(FashionMnist.NORMALIZE.apply(data.test())).batchSize(500).build();
            SGD sgd = new SGD(model.parameters(), 0.02, 0.9, 0);
            Trainer trainer = new Trainer().metrics(Accuracy::new)
                    .checkpoints(ctx.checkpointing().everySteps(200).keepLast(2).build());
            trainer.fit(model, new CrossEntropyLoss(), sgd, train, null, ctx.hyperparameters().getInt("epochs"));
            ctx.reportMetric("test_accuracy", trainer.evaluate(model, new CrossEntropyLoss(), test).get("accuracy"));
            ctx.saveModel(model, sgd);
        }
    }

    public static void main(String[] args) throws Exception {
        Path data = FashionMnist.locate(args).toAbsolutePath();
        Path base = Path.of("target", "spot").toAbsolutePath();
        deleteTree(base);

        JobDirectory onDemand = job(base.resolve("on-demand"), data, Optional.empty());
        System.out.println("on demand: the job uninterrupted");
        SpotRun plain = ManagedSpotRunner.builder(onDemand.root(), Job.class.getName()).build().run();
        System.out.print(plain.summary().lines().filter(l -> l.startsWith("Status") || l.startsWith("Training"))
                .map(l -> "  " + l + "\n").reduce("", String::concat));

        JobDirectory spot = job(base.resolve("spot"), data, Optional.of(base.resolve("durable").toUri().toString()));
        // Counted from each attempt's start of training, as fractions of the on-demand run, so that every
        // interruption finds the job training on a fast machine as on a slow one.
        double t = plain.trainingSeconds();
        List<Interruption> planned = List.of(
                Interruption.notice(seconds(0.35 * t), Duration.ofSeconds(120)),
                Interruption.kill(seconds(0.3 * t)),
                Interruption.notice(seconds(0.25 * t), Duration.ofSeconds(120)));
        System.out.println("spot: 3 interruptions (notice, lost without notice, notice), a new machine after each");
        SpotRun run = ManagedSpotRunner.builder(spot.root(), Job.class.getName()).interruptions(planned)
                .capacityWait(Duration.ofMinutes(5)).freshMachine(true).spotPrice(0.3).build().run();
        for (SpotRun.Attempt a : run.attempts()) {
            System.out.printf("  attempt %d: %.1f s, exit %d%s%n", a.number(), a.seconds(), a.exitCode(),
                    a.delivered() == null ? "" : a.delivered().kind() == Interruption.Kind.KILL ? ", lost (SIGKILL)"
                            : String.format(", notice: checkpoint %s at step %s, %.2f s from SIGTERM to exit",
                            a.status().get("checkpoint"), a.status().get("iteration"), a.noticeToExitSeconds()));
        }
        System.out.print(run.summary().lines().map(l -> "  " + l + "\n").reduce("", String::concat));
        System.out.printf("  saving against the uninterrupted on-demand run (%.1f s): %.1f%%%n",
                plain.trainingSeconds(), 100 * run.savingsAgainst(plain.trainingSeconds()));
        System.out.printf("test accuracy: on demand %.4f, spot %.4f; weights bitwise equal: %b%n",
                plain.last().metrics().get("test_accuracy"), run.last().metrics().get("test_accuracy"),
                Arrays.equals(Files.readAllBytes(onDemand.modelDir().resolve("model.safetensors")),
                        Files.readAllBytes(spot.modelDir().resolve("model.safetensors"))));
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static JobDirectory job(Path root, Path data, Optional<String> durable) throws IOException {
        JobDirectory dir = JobDirectory.of(root).writeHyperparameters(Map.of("epochs", 4));
        dir.writeJobConfiguration(new JobConfiguration(Optional.of(Duration.ofHours(1)), Optional.of(Duration.ofHours(2)),
                Duration.ofSeconds(60), durable));
        Files.createDirectories(dir.dataDir());
        Files.createSymbolicLink(dir.channel("train"), data);
        return dir;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
