package org.dicomsidecar.web.delegation;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.dicomsidecar.delegation.BodySink;

/**
 * Writes buffers to a servlet's output stream as buffers where the container can take them: Undertow's
 * stream (WildFly) has a public {@code write(ByteBuffer)}, as every Servlet 6.1 stream will, which hands a
 * large direct buffer to the socket as it is, instead of copying it through the container's own 16 KiB
 * buffers. Other streams get the bytes through a byte array.
 */
final class ByteBufferOutput {

    private static final ClassValue<Optional<MethodHandle>> WRITE = new ClassValue<>() {
        @Override
        protected Optional<MethodHandle> computeValue(Class<?> type) {
            try {
                return Optional.of(MethodHandles.publicLookup()
                        .findVirtual(type, "write", MethodType.methodType(void.class, ByteBuffer.class))
                        .asType(MethodType.methodType(void.class, OutputStream.class, ByteBuffer.class)));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                return Optional.empty();
            }
        }
    };

    private ByteBufferOutput() {
    }

    static BodySink of(OutputStream out) {
        Optional<MethodHandle> write = WRITE.get(out.getClass());
        if (write.isPresent()) {
            MethodHandle handle = write.get();
            return bytes -> {
                try {
                    handle.invokeExact(out, bytes);
                } catch (IOException | RuntimeException | Error e) {
                    throw e;
                } catch (Throwable e) {
                    throw new IOException(e);
                }
            };
        }
        return bytes -> {
            if (bytes.hasArray()) {
                out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                bytes.position(bytes.limit());
                return;
            }
            byte[] chunk = new byte[Math.min(bytes.remaining(), 64 * 1024)];
            while (bytes.hasRemaining()) {
                int n = Math.min(chunk.length, bytes.remaining());
                bytes.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        };
    }
}
