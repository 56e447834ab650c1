package org.trainer.hpo;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What a tuning job leaves: its study's trials, the best one, and the tables and plots of them. */
public final class TuningResult {
    private final Study study;

    TuningResult(Study study) {
        this.study = study;
    }

    /**
     * The study the job ran (all its trials).
     *
     * @return the study
     */
    public Study study() {
        return study;
    }

    /**
     * The best COMPLETE trial, warm-start observations included.
     *
     * @return the best trial, or empty
     */
    public Optional<FrozenTrial> bestTrial() {
        return study.bestTrial();
    }

    /**
     * The job's own trials, in number order.
     *
     * @return the trials
     */
    public List<FrozenTrial> trials() {
        return study.trials();
    }

    /**
     * Writes the table of all trials as CSV.
     *
     * @param file the output file
     */
    public void writeCsv(Path file) {
        TrialTable.writeCsv(study, file);
    }

    /**
     * Writes the table of all trials as JSON.
     *
     * @param file the output file
     */
    public void writeJson(Path file) {
        TrialTable.writeJson(study, file);
    }

    /**
     * Writes the optimization history, parallel coordinates and one slice per parameter as PNGs into {@code dir}.
     *
     * @param dir the output directory
     * @return the files written
     */
    public List<Path> writePlots(Path dir) {
        return StudyPlots.writeAll(study, dir);
    }
}
