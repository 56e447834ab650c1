package org.trainer.spark;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.spark.SparkEnv;

/**
 * The per-trial tokens that authenticate a task's reports to the coordinator: the token of trial n
 * is HMAC-SHA256("trial n") under a 32-byte key that each {@link SparkTrialExecutor} makes for
 * itself, so a token opens one trial of one executor only.
 *
 * <p>When Spark authenticates its own traffic ({@code spark.authenticate=true}) every executor
 * already holds Spark's shared secret: the key is derived from it and a nonce on both sides and a
 * task carries only the nonce. Otherwise the key is random and stays on the driver; a task carries
 * its own trial's token, which is no more secret than Spark's unauthenticated traffic that carries
 * it, but keeps anyone who cannot read that traffic from reporting or probing.
 */
final class TrialTokens {
    private static final int BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String DOMAIN = "trainer-spark trial key";

    private final byte[] key;
    /** Non-null when the key is derived from Spark's secret. */
    private final byte[] nonce;

    private TrialTokens(byte[] key, byte[] nonce) {
        this.key = key;
        this.nonce = nonce;
    }

    /**
     * Tokens for one executor: derived from {@code sparkSecret} (Spark's authentication secret) and a
     * fresh nonce when it is non-null, else from a fresh random key.
     */
    static TrialTokens create(String sparkSecret) {
        byte[] fresh = new byte[BYTES];
        RANDOM.nextBytes(fresh);
        return sparkSecret == null ? new TrialTokens(fresh, null) : new TrialTokens(derive(sparkSecret, fresh), fresh);
    }

    /** Whether the key is derived from Spark's authentication secret. */
    boolean fromSparkSecret() {
        return nonce != null;
    }

    /** The token of trial {@code number}, 64 lower-case hex digits. */
    String token(int number) {
        return token(key, number);
    }

    /** Whether {@code presented} is trial {@code number}'s token; compares in constant time. */
    boolean verify(int number, String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(token(number).getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** What the task of trial {@code number} carries to make its token. */
    Ticket ticket(int number) {
        return nonce != null ? new Ticket(number, nonce.clone(), null) : new Ticket(number, null, token(number));
    }

    static byte[] derive(String sparkSecret, byte[] nonce) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // The domain tag keeps this key apart from other uses of Spark's secret (the ranks'
            // collective key among them); the nonce makes every executor's key different.
            sha.update(DOMAIN.getBytes(StandardCharsets.US_ASCII));
            sha.update(nonce);
            sha.update(sparkSecret.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    static String token(byte[] key, int number) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(("trial " + number).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }

    /**
     * A task's credential: its trial's token, or the nonce to derive it with from the executor's
     * Spark secret.
     */
    record Ticket(int number, byte[] nonce, String token) implements Serializable {

        /**
         * The token; called inside the task (it reads this executor's Spark secret when derived).
         *
         * @throws IllegalStateException if the key is derived from Spark's secret and this JVM has none
         */
        String resolve() {
            if (token != null) {
                return token;
            }
            String secret = SparkEnv.get() == null ? null : SparkEnv.get().securityManager().getSecretKey();
            if (secret == null || secret.isEmpty()) {
                throw new IllegalStateException("SparkTrialExecutor: spark.authenticate is true on the driver but the"
                        + " executor running trial " + number + " has no spark.authenticate.secret");
            }
            return TrialTokens.token(derive(secret, nonce), number);
        }
    }
}
