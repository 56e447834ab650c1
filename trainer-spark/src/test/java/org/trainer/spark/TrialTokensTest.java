package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** Per-trial report tokens: one trial's token opens that trial only, and only for its executor. */
class TrialTokensTest {

    @Test
    void aTokenOpensItsOwnTrialOnly() {
        TrialTokens tokens = TrialTokens.create(null);
        String t3 = tokens.token(3);
        assertEquals(64, t3.length());
        assertTrue(tokens.verify(3, t3));
        assertFalse(tokens.verify(4, t3));
        assertFalse(tokens.verify(3, t3.substring(1)));
        assertFalse(tokens.verify(3, null));
        assertFalse(TrialTokens.create(null).verify(3, t3), "another executor's key accepted trial 3's token");
        // without Spark's secret the task carries its token, never the key
        TrialTokens.Ticket ticket = tokens.ticket(3);
        assertNull(ticket.nonce());
        assertEquals(t3, ticket.resolve());
    }

    @Test
    void aKeyDerivedFromSparksSecretIsTheSameOnBothSidesAndTheTicketCarriesNoToken() {
        TrialTokens tokens = TrialTokens.create("shared secret");
        assertTrue(tokens.fromSparkSecret());
        TrialTokens.Ticket ticket = tokens.ticket(7);
        assertNull(ticket.token());
        // what an executor holding the same secret computes from the ticket's nonce
        String onExecutor = TrialTokens.token(TrialTokens.derive("shared secret", ticket.nonce()), 7);
        assertTrue(tokens.verify(7, onExecutor));
        assertFalse(tokens.verify(7, TrialTokens.token(TrialTokens.derive("another secret", ticket.nonce()), 7)));
        assertNotEquals(HexFormat.of().formatHex(TrialTokens.derive("shared secret", ticket.nonce())), onExecutor);
    }
}
