package org.dicomsidecar.workflow;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/**
 * Agents waiting for workflow changes ({@code GET /api/workflow/changes}), none of them holding a thread
 * while it waits: a waiting poll is a callback, looked at again when a step is written ({@link #changed()},
 * from {@link WorkflowService}) and every few seconds (for steps written by another sidecar on the same
 * database), answered when its time is up, and dropped when its client has gone (a cheap check about once a
 * second). Their number is bounded by {@code sidecar.api.max-long-polls}.
 */
@ApplicationScoped
public class WorkflowLongPolls {

    /** Longest wait a long-poll may ask for; longer ones are shortened to it. */
    public static final long MAX_TIMEOUT_MS = 60_000;
    static final long PROBE_INTERVAL_MS = 1_000;
    /** Every this many probes, waiting polls look at the feed even if no step was written here. */
    static final int PROBES_PER_LOOK = 5;

    private static final Logger LOG = Logger.getLogger(WorkflowLongPolls.class.getName());

    /** The waiting client, as the web layer sees it. Answers are given at most once. */
    public interface Client {
        void answer(JsonObject changes);

        void fail(RuntimeException e);

        /** Whether the client has gone; cheap, called about once a second while it waits. */
        boolean gone();

        /** The client has gone: release what its request holds, nobody reads the answer. */
        void dropped();
    }

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ScheduledExecutorService scheduler;

    @Inject
    WorkflowQueries queries;

    @Inject
    SidecarSettings settings;

    private final Set<Poll> waiting = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private ScheduledFuture<?> probes;
    private int probesSinceLook; // only the one periodic task touches it

    private final class Poll {
        final Client client;
        final AtomicReference<String> token;
        final AtomicBoolean done = new AtomicBoolean();
        volatile ScheduledFuture<?> expiry;

        Poll(Client client, String token) {
            this.client = client;
            this.token = new AtomicReference<>(token);
        }
    }

    @PostConstruct
    void start() {
        probes = scheduler.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (probes != null) {
            probes.cancel(false);
        }
    }

    /**
     * Starts waiting for changes after {@code since} (null: from now) for up to {@code timeoutMs}; the client
     * is answered later, from another thread. False, with nothing started, when the most long-polls already wait.
     */
    public boolean open(String since, long timeoutMs, Client client) {
        if (open.incrementAndGet() > settings.getInt(Setting.API_MAX_LONG_POLLS)) {
            open.decrementAndGet();
            return false;
        }
        Poll poll;
        try {
            poll = new Poll(client, since != null ? since : queries.now());
        } catch (RuntimeException e) {
            open.decrementAndGet();
            throw e;
        }
        waiting.add(poll);
        poll.expiry = scheduler.schedule(() -> expire(poll), Math.min(timeoutMs, MAX_TIMEOUT_MS), TimeUnit.MILLISECONDS);
        scheduler.execute(() -> look(List.of(poll), poll.token.get()));
        return true;
    }

    /** A workflow step was written: every waiting poll looks again, one CouchDB request per distinct token. */
    public void changed() {
        Map<String, List<Poll>> byToken = new HashMap<>();
        for (Poll p : waiting) {
            byToken.computeIfAbsent(p.token.get(), k -> new ArrayList<>()).add(p);
        }
        byToken.forEach((token, polls) -> scheduler.execute(() -> look(polls, token)));
    }

    /** Long-polls waiting now. */
    public int waiting() {
        return open.get();
    }

    private void look(List<Poll> polls, String token) {
        JsonObject answer;
        try {
            answer = queries.changesSince(token);
        } catch (RuntimeException e) {
            polls.forEach(p -> finish(p, c -> c.fail(e)));
            return;
        }
        if (!answer.getJsonArray("changes").isEmpty()) {
            polls.forEach(p -> finish(p, c -> c.answer(answer)));
        } else {
            // only forward: a later look may already have moved on
            polls.forEach(p -> p.token.compareAndSet(token, answer.getString("next")));
        }
    }

    private void expire(Poll poll) {
        if (poll.done.get()) {
            return;
        }
        try {
            JsonObject answer = queries.changesSince(poll.token.get());
            finish(poll, c -> c.answer(answer));
        } catch (RuntimeException e) {
            finish(poll, c -> c.fail(e));
        }
    }

    private void probe() {
        dropGone();
        if (++probesSinceLook >= PROBES_PER_LOOK) {
            probesSinceLook = 0;
            changed();
        }
    }

    private void dropGone() {
        for (Poll p : waiting) {
            try {
                if (p.client.gone()) {
                    finish(p, Client::dropped);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "checking a long-poll's client failed", e);
                finish(p, null);
            }
        }
    }

    private void finish(Poll poll, Consumer<Client> reply) {
        if (!poll.done.compareAndSet(false, true)) {
            return;
        }
        waiting.remove(poll);
        open.decrementAndGet();
        ScheduledFuture<?> expiry = poll.expiry;
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (reply != null) {
            try {
                reply.accept(poll.client);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "answering a long-poll failed", e);
            }
        }
    }
}
