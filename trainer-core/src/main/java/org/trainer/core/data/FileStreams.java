package org.trainer.core.data;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** How the readers open a file by its path, so that a named pipe reads as well as a file. */
final class FileStreams {
    private FileStreams() {
    }

    /**
     * A stream for one front-to-back read of {@code file}. A regular file opens through NIO;
     * anything else (a FIFO, a character device such as /dev/stdin) through
     * {@link FileInputStream}, whose {@code available()} asks the pipe how much it holds, where
     * NIO's stream asks for a position and fails with "Illegal seek".
     */
    static InputStream open(Path file) throws IOException {
        if (Files.isRegularFile(file) || !Files.exists(file)) {
            return Files.newInputStream(file); // a missing file fails with NIO's NoSuchFileException
        }
        return new FileInputStream(file.toFile());
    }
}
