package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.core.train.checkpoint.ResumeSource;

/**
 * Fit resumes from the checkpoint its {@link ResumeSource} chooses: the newest by default, any
 * other when the source says so (an older one here), and the run still ends as if never stopped.
 */
class ResumeSourceTest {

    /** Notes the iteration of the first batch a fit trains. */
    static final class FirstStep implements Callback {
        long first = -1;

        @Override
        public void onBatchBegin(TrainingContext ctx, int batch) {
            if (first < 0) {
                first = ctx.iteration();
            }
        }
    }

    @Test
    void fitResumesFromTheCheckpointTheSourceChooses(@TempDir Path dir) {
        CheckpointResumeTest.Outcome straight = CheckpointResumeTest.fit(null, -1, 16);
        Checkpointing.Builder settings = Checkpointing.builder(dir).everySteps(4).everyEpoch(false).keepLast(5);
        assertThrows(IllegalStateException.class, () -> CheckpointResumeTest.fit(settings.build(), 13, 16));
        // Checkpoints after steps 4, 8 and 12: choose the one after step 8, the second newest.
        ResumeSource secondNewest = (store, refused) -> {
            List<Path> all = store.list();
            return Optional.of(CheckpointStore.read(all.get(all.size() - 2)));
        };
        FirstStep first = new FirstStep();
        CheckpointResumeTest.Outcome resumed = CheckpointResumeTest.fit(settings.resumeFrom(secondNewest).build(), -1,
                16, first);
        assertEquals(8, first.first, "the resumed fit starts after step 8");
        CheckpointResumeTest.assertSameRun(straight, resumed, "resumed from the older checkpoint");
    }

    @Test
    void theNewestIsTheDefaultAndNoSourceIsRefused(@TempDir Path dir) {
        assertSame(ResumeSource.NEWEST, Checkpointing.builder(dir).build().resumeSource());
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Checkpointing.builder(dir).resumeFrom(null));
        assertEquals("Checkpointing: resumeFrom must not be null", e.getMessage());
    }
}
