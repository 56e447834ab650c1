package org.trainer.distributed;

import java.time.Duration;
import java.util.List;

/**
 * How the ranks of a job learn each other's addresses before they connect: each rank publishes its
 * own and waits for everyone else's. Implementations: {@link FileRendezvous} (a directory every
 * rank can see), or a cluster engine's own all-gather (such as a barrier task's).
 */
public interface Rendezvous {

    /**
     * Publishes {@code address} ("host:port") as rank {@code rank}'s and returns every rank's
     * address, element r being rank r's, once all {@code worldSize} ranks have published.
     *
     * @param rank this rank
     * @param worldSize the number of ranks
     * @param address this rank's "host:port"
     * @param timeout the longest wait for the others
     * @return every rank's address, by rank
     * @throws CollectiveException naming the ranks that did not publish within {@code timeout}
     * @throws IllegalArgumentException if the rank is outside [0, worldSize) or the address is not host:port
     */
    List<String> exchange(int rank, int worldSize, String address, Duration timeout);
}
