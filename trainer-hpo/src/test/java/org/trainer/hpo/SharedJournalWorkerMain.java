package org.trainer.hpo;

import java.nio.file.Path;

/**
 * A worker process of {@link SharedJournalProcessTest}: joins the shared study in the journal
 * and runs trials of {@link #objective} until the study holds {@code maxTrials} finished trials.
 * Prints "running n" as each trial starts, so that the test kills it only once it works.
 * Arguments: journal file, maxTrials.
 */
public final class SharedJournalWorkerMain {
    static final SearchSpace SPACE = SearchSpace.builder()
            .add("x", FloatRange.linear(-3, 3))
            .add("y", FloatRange.linear(-3, 3))
            .add("k", IntRange.linear(0, 4))
            .build();

    private SharedJournalWorkerMain() {
    }

    /** The quadratic the workers minimize: a pure function of the parameters. */
    static double objective(double x, double y, int k) {
        return (x - 1) * (x - 1) + 0.5 * (y + 2) * (y + 2) + 0.25 * k;
    }

    public static void main(String[] args) {
        Path journal = Path.of(args[0]);
        int maxTrials = Integer.parseInt(args[1]);
        try (Study s = Study.builder().name("workers").direction(Direction.MINIMIZE).space(SPACE).seed(11)
                .sharedJournal(journal).build()) {
            s.optimize(t -> {
                System.out.println("running " + t.number());
                System.out.flush();
                double x = (Double) t.params().get("x");
                double y = (Double) t.params().get("y");
                int k = (Integer) t.params().get("k");
                // slow enough that most kills land in the middle of a trial
                Thread.sleep(40);
                t.report(1, objective(x, y, k) + 1);
                Thread.sleep(40);
                return objective(x, y, k);
            }, maxTrials);
        }
    }
}
