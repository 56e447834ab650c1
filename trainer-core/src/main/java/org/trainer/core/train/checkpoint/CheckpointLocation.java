package org.trainer.core.train.checkpoint;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A place that keeps checkpoints beyond the machine that wrote them (a volume that survives it, an
 * object store), for {@link CheckpointMirror}: a training job copies its local checkpoints there
 * as it goes, and a new attempt on a new machine pulls them back before it starts. A checkpoint is
 * named as in {@link CheckpointStore} and holds the same files.
 *
 * <p>An implementation must make {@link #put} all or nothing: {@link #list()} names a checkpoint
 * only once every file of it is in (an object store: upload the files, then a marker written last;
 * a directory: copy into a temporary name, then rename). Paths and {@code file:} URIs are served by
 * {@link DirectoryCheckpointLocation}; other schemes by a {@link Provider} found with
 * {@link ServiceLoader}.
 */
public interface CheckpointLocation {

    /** The names of the complete checkpoints held, in any order. */
    List<String> list() throws IOException;

    /**
     * Copies a complete local checkpoint directory in, under its name; verifies the copy
     * ({@link CheckpointStore#read}) before it is listed.
     *
     * @throws CorruptCheckpointException when the copy does not verify (nothing is listed then)
     */
    void put(Path checkpoint) throws IOException;

    /** Copies the checkpoint {@code name} into {@code target}, a directory created by this call. */
    void get(String name, Path target) throws IOException;

    /** Removes the checkpoint {@code name}; absent already is no error. */
    void delete(String name) throws IOException;

    /** Serves the checkpoint locations of one URI scheme (e.g. "s3"); registered for {@link ServiceLoader}. */
    interface Provider {
        /** The scheme served, lower case, without the colon. */
        String scheme();

        CheckpointLocation open(URI uri) throws IOException;
    }

    /**
     * The location a URI or path names: a path or a {@code file:} URI is a directory
     * ({@link DirectoryCheckpointLocation}); any other scheme needs a {@link Provider} on the class path.
     *
     * @throws IllegalArgumentException when the text is blank or no provider serves its scheme
     */
    static CheckpointLocation open(String uri) throws IOException {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("CheckpointLocation.open: uri must be non-blank, got '" + uri + "'");
        }
        int colon = uri.indexOf(':');
        String scheme = colon > 1 && uri.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")
                ? uri.substring(0, colon).toLowerCase() : null;
        if (scheme == null) {
            return new DirectoryCheckpointLocation(Path.of(uri));
        }
        if (scheme.equals("file")) {
            return new DirectoryCheckpointLocation(Path.of(URI.create(uri)));
        }
        for (Provider p : ServiceLoader.load(Provider.class)) {
            if (p.scheme().equals(scheme)) {
                return p.open(URI.create(uri));
            }
        }
        throw new IllegalArgumentException("CheckpointLocation.open: no provider for scheme '" + scheme + "' of '"
                + uri + "'; register a " + Provider.class.getName() + " for it, or give a path");
    }
}
