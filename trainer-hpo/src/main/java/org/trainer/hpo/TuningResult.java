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

    /** The study the job ran (all its trials). */
    public Study study() {
        return study;
    }

    /** The best COMPLETE trial, warm-start observations included. */
    public Optional<FrozenTrial> bestTrial() {
        return study.bestTrial();
    }

    /** The job's own trials, in number order. */
    public List<FrozenTrial> trials() {
        return study.trials();
    }

    /** Writes the table of all trials as CSV. */
    public void writeCsv(Path file) {
        TrialTable.writeCsv(study, file);
    }

    /** Writes the table of all trials as JSON. */
    public void writeJson(Path file) {
        TrialTable.writeJson(study, file);
    }

    /** Writes the optimization history, parallel coordinates and one slice per parameter as PNGs into {@code dir}. */
    public List<Path> writePlots(Path dir) {
        return StudyPlots.writeAll(study, dir);
    }
}
