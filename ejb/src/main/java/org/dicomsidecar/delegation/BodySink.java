package org.dicomsidecar.delegation;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where a relayed body goes, in buffers: the caller's response. */
@FunctionalInterface
public interface BodySink {

    /** Writes every remaining byte of {@code bytes} (blocking until it can), leaving none remaining. */
    void write(ByteBuffer bytes) throws IOException;
}
