package org.trainer.spark;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * The key the ranks of one job authenticate each other's TCP connections with (32 bytes).
 *
 * <p>When Spark authenticates its own traffic ({@code spark.authenticate=true}) every executor
 * already holds Spark's shared secret, so the key is derived there from that secret and a per-job
 * nonce, and nothing secret travels in the task closure. Otherwise the driver draws a fresh random
 * key per job and ships it in the closure: it keeps strangers off the ranks' ports, but offers no
 * more secrecy than Spark's unauthenticated traffic that carries it.
 */
final class JobSecret implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The key itself (no Spark authentication), or the nonce it is derived with (Spark's secret). */
    private final byte[] material;
    private final boolean fromSparkSecret;

    private JobSecret(byte[] material, boolean fromSparkSecret) {
        this.material = material;
        this.fromSparkSecret = fromSparkSecret;
    }

    /** A secret for one job of a context with configuration {@code conf}. */
    static JobSecret forJob(SparkConf conf) {
        byte[] fresh = new byte[BYTES];
        RANDOM.nextBytes(fresh);
        return new JobSecret(fresh, conf.getBoolean("spark.authenticate", false));
    }

    /** Whether the key is derived from Spark's authentication secret. */
    boolean fromSparkSecret() {
        return fromSparkSecret;
    }

    /**
     * The key; called inside a task (it reads the executor's Spark secret when derived from it).
     *
     * @throws IllegalStateException if Spark authentication is on but this executor has no secret
     */
    byte[] bytes() {
        if (!fromSparkSecret) {
            return material.clone();
        }
        String sparkSecret = SparkEnv.get().securityManager().getSecretKey();
        if (sparkSecret == null || sparkSecret.isEmpty()) {
            throw new IllegalStateException("SparkDistributor: spark.authenticate is true but this executor has no"
                    + " spark.authenticate.secret");
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // A domain tag keeps the key distinct from any other use of Spark's secret; the nonce
            // makes every job's key different.
            sha.update("trainer-spark collective key".getBytes(StandardCharsets.US_ASCII));
            sha.update(material);
            sha.update(sparkSecret.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
