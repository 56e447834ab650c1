package org.trainer.distributed;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.train.checkpoint.Checkpoint;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.CorruptCheckpointException;
import org.trainer.core.train.checkpoint.ResumeSource;

/**
 * Every rank of a data-parallel job resumes from the checkpoint rank 0 chooses, whatever its own
 * checkpoint directory holds: the {@link ResumeSource} for jobs whose ranks run on several machines,
 * each with a local directory (where rank 0, the only writer, wrote the checkpoints; the others'
 * directories may be empty, older or absent). Give it to every rank:
 * <pre>
 *   Checkpointing.builder(dir).everySteps(500).writes(ctx.isLeader())
 *           .resumeFrom(new LeaderResume(ctx.collective())).build()
 * </pre>
 * (what {@link DistributedContext#checkpoints} returns).
 *
 * <p>The protocol, three all-gathers at most, called by every rank at the start of fit:
 * <ol>
 *   <li>Rank 0 takes the newest good checkpoint of its directory ({@link ResumeSource#NEWEST}) and
 *       sends its choice to all: none, every one damaged (with the reasons), or the checkpoint's
 *       name with its {@code checksums.sha256} (the SHA-256 of each of its files).</li>
 *   <li>Each other rank looks in its own directory for a checkpoint of that name whose checksums
 *       equal rank 0's and that verifies; the ranks tell each other whether they have it.</li>
 *   <li>If any rank lacks it, rank 0 sends the checkpoint's files; a rank without them writes them
 *       into a temporary directory (never into its checkpoint directory), reads them with the
 *       store's verification and deletes them.</li>
 * </ol>
 * So every rank resumes from the same step with the same bits, or every rank starts from the
 * beginning, or every rank applies {@code onAllDamaged} to rank 0's damaged directory. When rank 0
 * holds no checkpoint but another rank's directory does, every rank fails with an
 * {@link IOException} that names them (a second all-gather): rank 0 then runs on a machine other
 * than the one where its checkpoints were written (a retried job's rank 0 placed elsewhere), and
 * starting afresh would throw the job's progress away. Ranks that may run on any machine of a
 * cluster therefore need the checkpoint directory on storage every machine sees under the same
 * path (a shared or network file system); with local disks only, a retried job resumes only when
 * its rank 0 lands where the checkpoints are. A rank whose
 * own newest checkpoint is another one (newer, older or with other contents) says so at WARN and
 * follows rank 0: it never silently diverges. The files travel in one byte array, so a checkpoint
 * must be smaller than 2 GiB to be sent.
 */
public final class LeaderResume implements ResumeSource {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderResume.class);
    /** The file of a checkpoint that lists the SHA-256 of each of its files (CheckpointStore's layout). */
    static final String CHECKSUMS = "checksums.sha256";
    private static final Pattern NAME = Pattern.compile("epoch-\\d{5,9}-batch-\\d{7,9}");
    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");
    private static final String NONE = "none";
    private static final String DAMAGED = "damaged";
    private static final String CHECKPOINT = "checkpoint";
    private static final byte[] NOTHING = new byte[0];

    private final Collective collective;

    /** Resumes the ranks of {@code collective} from rank 0's choice. */
    public LeaderResume(Collective collective) {
        this.collective = Objects.requireNonNull(collective, "LeaderResume: collective must not be null");
    }

    /**
     * Rank 0's choice, on every rank (a collective call: every rank must call it).
     *
     * @throws IOException when this rank's directory, or rank 0's, cannot be read, or the
     *         checkpoint rank 0 sent does not verify
     * @throws CollectiveException when a rank is lost
     */
    @Override
    public Optional<Checkpoint> choose(CheckpointStore store, List<CorruptCheckpointException> refused)
            throws IOException {
        int rank = collective.rank();
        Optional<Checkpoint> chosen = Optional.empty();
        byte[] decision = NOTHING;
        if (rank == 0) {
            chosen = store.latest(refused);
            decision = decision(chosen, refused);
        }
        String[] got = new String(collective.allGather(decision)[0], StandardCharsets.UTF_8).split("\n", 3);
        switch (got[0]) {
            case NONE -> {
                requireNoneElsewhere(store, rank);
                return Optional.empty();
            }
            case DAMAGED -> {
                if (rank != 0) {
                    refused.add(new CorruptCheckpointException(store.directory(), "rank 0 refused every checkpoint"
                            + " of its directory, so this rank does not resume either:\n" + got[1]));
                }
                return Optional.empty();
            }
            case CHECKPOINT -> {
                return agree(store, rank, chosen, checkedName(got[1]), got.length > 2 ? got[2] : "");
            }
            default -> throw new IOException("LeaderResume: rank " + rank + " got an unknown choice from rank 0: '"
                    + got[0] + "' (expected " + NONE + ", " + DAMAGED + " or " + CHECKPOINT + ")");
        }
    }

    /**
     * When rank 0 holds no checkpoint, fails on every rank if another rank's directory holds one:
     * rank 0 then runs where the checkpoints it wrote are not (a retried rank 0 placed on another
     * machine), and starting afresh would silently throw away the job's progress. Each rank sends
     * its newest checkpoint (rank 0 its directory), so every rank reaches the same verdict.
     */
    private void requireNoneElsewhere(CheckpointStore store, int rank) throws IOException {
        List<Path> own = store.list();
        String mine = rank == 0 ? store.directory().toString()
                : own.isEmpty() ? "" : own.get(own.size() - 1).toString();
        byte[][] all = collective.allGather(mine.getBytes(StandardCharsets.UTF_8));
        StringBuilder holders = new StringBuilder();
        for (int r = 1; r < all.length; r++) {
            if (all[r].length > 0) {
                holders.append(holders.length() == 0 ? "" : ", ").append("rank ").append(r).append(" has ")
                        .append(new String(all[r], StandardCharsets.UTF_8));
            }
        }
        if (holders.length() > 0) {
            throw new IOException("LeaderResume: rank 0 found no checkpoint in "
                    + new String(all[0], StandardCharsets.UTF_8) + ", but " + holders + ": rank 0 alone writes"
                    + " checkpoints, so it must find them wherever it runs. Put the checkpoint directory on storage"
                    + " every machine sees under the same path (a shared or network file system), or delete the"
                    + " other ranks' checkpoints to start afresh");
        }
    }

    /** none; damaged and the reasons; or checkpoint, the name and the checksums file. */
    private static byte[] decision(Optional<Checkpoint> chosen, List<CorruptCheckpointException> refused)
            throws IOException {
        String text;
        if (chosen.isPresent()) {
            Path dir = chosen.get().path().orElseThrow(() -> new IOException(
                    "LeaderResume: the chosen checkpoint " + chosen.get() + " has no directory"));
            text = CHECKPOINT + "\n" + dir.getFileName() + "\n" + Files.readString(dir.resolve(CHECKSUMS));
        } else if (refused.isEmpty()) {
            text = NONE;
        } else {
            StringBuilder reasons = new StringBuilder();
            refused.forEach(r -> reasons.append("  ").append(r.getMessage()).append('\n'));
            text = DAMAGED + "\n" + reasons;
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Steps 2 and 3: who has rank 0's checkpoint, and the files for those who lack it. */
    private Optional<Checkpoint> agree(CheckpointStore store, int rank, Optional<Checkpoint> chosen, String name,
                                       String checksums) throws IOException {
        Optional<Checkpoint> mine = rank == 0 ? chosen : ownCopy(store, rank, name, checksums);
        if (rank != 0) {
            warnIfOwnDiffers(store, rank, name);
        }
        byte[][] have = collective.allGather(new byte[] {(byte) (mine.isPresent() ? 1 : 0)});
        List<Integer> lacking = new ArrayList<>();
        for (int r = 0; r < have.length; r++) {
            if (have[r].length != 1 || have[r][0] != 1) {
                lacking.add(r);
            }
        }
        if (lacking.isEmpty()) {
            return mine;
        }
        byte[] files = rank == 0 ? pack(chosen.orElseThrow().path().orElseThrow()) : NOTHING;
        if (rank == 0) {
            LOG.info("ranks {} lack checkpoint {}: sending its {} bytes", lacking, name, files.length);
        }
        byte[] received = collective.allGather(files)[0];
        if (mine.isPresent()) {
            return mine;
        }
        LOG.info("rank {} resumes from rank 0's checkpoint {}, received over the collective", rank, name);
        return Optional.of(unpackAndRead(received, name));
    }

    /** This rank's checkpoint of that name, if its checksums equal rank 0's and it verifies. */
    private static Optional<Checkpoint> ownCopy(CheckpointStore store, int rank, String name, String checksums) {
        Path dir = store.directory().resolve(name);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try {
            if (!Files.readString(dir.resolve(CHECKSUMS)).equals(checksums)) {
                LOG.warn("rank {}: its checkpoint {} differs from rank 0's of the same name: resuming from rank 0's",
                        rank, dir);
                return Optional.empty();
            }
            return Optional.of(CheckpointStore.read(dir));
        } catch (IOException e) {
            LOG.warn("rank {}: its copy of checkpoint {} cannot be used ({}): resuming from rank 0's", rank, dir,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** Says, at WARN, when this rank's own newest checkpoint is not the one every rank resumes from. */
    private static void warnIfOwnDiffers(CheckpointStore store, int rank, String chosen) throws IOException {
        if (rank == 0) {
            return;
        }
        List<Path> own = store.list();
        String newest = own.isEmpty() ? "none" : own.get(own.size() - 1).getFileName().toString();
        if (!newest.equals(chosen)) {
            LOG.warn("rank {}: the newest checkpoint in {} is {}, rank 0 chose {}: resuming as rank 0 does, as every"
                    + " rank must", rank, store.directory(), newest, chosen);
        }
    }

    private static String checkedName(String name) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IOException("LeaderResume: rank 0 named checkpoint '" + name
                    + "', expected a name like epoch-00001-batch-0000000");
        }
        return name;
    }

    /** The checkpoint's regular files: a count, then each file's name and bytes. */
    static byte[] pack(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        long total = 0;
        for (Path f : files) {
            total += Files.size(f) + 8 + f.getFileName().toString().length();
        }
        if (total > Integer.MAX_VALUE - 64) {
            throw new IOException("LeaderResume: checkpoint " + dir + " has " + total
                    + " bytes, more than the 2 GiB that one transfer carries");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) total + 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(files.size());
            for (Path f : files) {
                byte[] content = Files.readAllBytes(f);
                out.writeUTF(f.getFileName().toString());
                out.writeInt(content.length);
                out.write(content);
            }
        }
        return bytes.toByteArray();
    }

    /** Writes the packed files into a temporary directory, reads them verified, and deletes them. */
    static Checkpoint unpackAndRead(byte[] packed, String name) throws IOException {
        Path tmp = Files.createTempDirectory("trainer-resume-");
        try {
            Path dir = Files.createDirectory(tmp.resolve(name));
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(packed))) {
                int count = in.readInt();
                if (count < 0 || count > 64) {
                    throw new IOException("LeaderResume: rank 0 sent " + count + " files, expected 0 to 64");
                }
                for (int i = 0; i < count; i++) {
                    String file = in.readUTF();
                    if (!FILE.matcher(file).matches()) {
                        throw new IOException("LeaderResume: rank 0 sent a file named '" + file
                                + "', expected a plain file name");
                    }
                    int length = in.readInt();
                    if (length < 0 || length > in.available()) {
                        throw new IOException("LeaderResume: rank 0's file " + file + " claims " + length
                                + " bytes, " + in.available() + " are left");
                    }
                    Files.write(dir.resolve(file), in.readNBytes(length));
                }
                if (in.available() != 0) {
                    throw new IOException("LeaderResume: " + in.available() + " bytes follow rank 0's " + count
                            + " files, expected none");
                }
            }
            return CheckpointStore.read(dir);
        } finally {
            deleteTree(tmp);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : s.toList()) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    @Override
    public String toString() {
        return "LeaderResume(rank " + collective.rank() + " of " + collective.worldSize() + ")";
    }
}
