package org.trainer.core.train.checkpoint;

import java.nio.file.Path;

/** Holds a checkpoint directory's writer lock in a process of its own until its stdin closes. */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        try (CheckpointLock lock = CheckpointLock.acquire(Path.of(args[0]))) {
            System.out.println("locked " + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes our stdin or kills us
            }
        }
    }
}
