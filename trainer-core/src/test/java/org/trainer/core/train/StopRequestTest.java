package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.train.CheckpointResumeTest.Outcome;
import org.trainer.core.train.checkpoint.Checkpoint;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.core.train.checkpoint.StopRequest;
import org.trainer.core.train.checkpoint.TrainingStoppedException;

/**
 * A stop request made while fit runs (an interruption notice): fit finishes the step, writes a
 * checkpoint of that moment at once, whatever the periodic settings, and throws; run again, it ends
 * bitwise as a run that never stopped, with no step lost or repeated.
 */
class StopRequestTest {

    /** Makes the request in the step that reaches a given iteration, as a signal arriving then would. */
    static final class RequestAt implements Callback {
        final StopRequest request;
        final long at;

        RequestAt(StopRequest request, long at) {
            this.request = request;
            this.at = at;
        }

        @Override
        public void onBatchBegin(TrainingContext ctx, int batch) {
            if (ctx.iteration() + 1 == at) {
                request.request("Interrupted");
            }
        }
    }

    /** Stops at {@code at} and returns the checkpoint, which must be of iteration {@code at}. */
    private static Checkpoint stopAt(Path dir, Checkpointing.Builder settings, long at) throws IOException {
        StopRequest request = new StopRequest();
        Checkpointing c = settings.stopRequest(request).build();
        TrainingStoppedException e = assertThrows(TrainingStoppedException.class,
                () -> CheckpointResumeTest.fit(c, -1, 24, new RequestAt(request, at)));
        assertEquals("Interrupted", e.reason());
        assertEquals(at, e.iteration(), "stopped after the step in which the request came");
        Checkpoint written = CheckpointStore.read(e.checkpoint().orElseThrow());
        assertEquals(at, written.iteration(), "the checkpoint holds every step taken");
        assertEquals(written.path(), new CheckpointStore(dir).latest().orElseThrow().path(), "it is the newest");
        return written;
    }

    @Test
    void aStoppedRunResumesBitwiseWithoutLosingAStep(@TempDir Path dir) throws IOException {
        Outcome straight = CheckpointResumeTest.fit(null, -1, 24);
        // Mid-epoch between periodic checkpoints (7, 23), on an epoch's last batch (10), on a periodic one (9).
        long[][] scenarios = {{7}, {10}, {9}, {7, 8, 23, 29}};
        for (int i = 0; i < scenarios.length; i++) {
            Path d = dir.resolve("run" + i);
            for (long at : scenarios[i]) {
                Checkpoint c = stopAt(d, Checkpointing.builder(d).everySteps(3).keepLast(2), at);
                assertEquals(at, c.epoch() * 10L + c.batch(), "position of " + at);
            }
            Checkpointing resume = Checkpointing.builder(d).everySteps(3).keepLast(2).build();
            CheckpointResumeTest.assertSameRun(straight, CheckpointResumeTest.fit(resume, -1, 24),
                    "stops at " + java.util.Arrays.toString(scenarios[i]));
        }
        // Epoch checkpoints only: the stop still writes one mid-epoch.
        Path epochs = dir.resolve("epochs");
        stopAt(epochs, Checkpointing.builder(epochs), 14);
        CheckpointResumeTest.assertSameRun(straight,
                CheckpointResumeTest.fit(Checkpointing.builder(epochs).build(), -1, 24), "epoch checkpoints only");
    }

    @Test
    void aStopOnTheLastStepLeavesTheLastValidationToTheRestart(@TempDir Path dir) throws IOException {
        Outcome straight = CheckpointResumeTest.fit(null, -1, 24);
        Checkpoint c = stopAt(dir, Checkpointing.builder(dir).everySteps(3), 30);
        assertEquals(2, c.epoch(), "stopped before the last epoch's end");
        assertEquals(10, c.batch());
        Checkpointing again = Checkpointing.builder(dir).everySteps(3).stopRequest(new StopRequest()).build();
        CheckpointResumeTest.assertSameRun(straight, CheckpointResumeTest.fit(again, -1, 24), "resumed at the end");
        List<Path> finished = new CheckpointStore(dir).list();
        CheckpointResumeTest.assertSameRun(straight, CheckpointResumeTest.fit(again, -1, 24), "a finished run");
        assertEquals(finished, new CheckpointStore(dir).list(), "a finished run writes nothing more");
    }

    @Test
    void theFirstRequestWinsAndAReasonIsRequired() {
        StopRequest r = new StopRequest();
        assertFalse(r.isRequested());
        assertEquals(0, r.requestedAtNanos());
        assertTrue(r.request("Interrupted"));
        assertFalse(r.request("MaxRuntimeExceeded"));
        assertEquals("Interrupted", r.reason().orElseThrow());
        assertTrue(r.requestedAtNanos() != 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.request(" "));
        assertEquals("StopRequest.request: reason must be non-blank, got ' '", e.getMessage());
    }
}
