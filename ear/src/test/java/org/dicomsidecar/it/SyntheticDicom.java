package org.dicomsidecar.it;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes minimal Part 10 files (explicit VR little endian, Secondary Capture) for tests that need new
 * instances of a given size. Real-world files written by others come from pydicom's test data instead.
 */
final class SyntheticDicom {

    private static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
    private static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    private static final AtomicLong COUNTER = new AtomicLong(System.currentTimeMillis());

    private SyntheticDicom() {
    }

    record Instance(String studyUid, String seriesUid, String sopUid, byte[] bytes) {
    }

    static String newUid() {
        return "2.25." + Math.abs(COUNTER.incrementAndGet() * 7919L) + ProcessHandle.current().pid();
    }

    /** A monochrome 8-bit image of {@code side} x {@code side} pixels, in a new study and series. */
    static Instance image(int side) {
        return image(side, newUid(), newUid());
    }

    /** A monochrome 8-bit image in the given study and series. */
    static Instance image(int side, String study, String series) {
        return image(side, study, series, "Synthetic^Large");
    }

    /** The same with this PatientName: "" writes it empty, null leaves it out. */
    static Instance image(int side, String study, String series, String patientName) {
        String sop = newUid();
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        element(meta, 0x0002, 0x0001, "OB", new byte[]{0, 1});
        element(meta, 0x0002, 0x0002, "UI", ui(SECONDARY_CAPTURE));
        element(meta, 0x0002, 0x0003, "UI", ui(sop));
        element(meta, 0x0002, 0x0010, "UI", ui(EXPLICIT_LE));
        element(meta, 0x0002, 0x0012, "UI", ui("2.25.1234567"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        element(out, 0x0002, 0x0000, "UL", le32(meta.size()));
        out.writeBytes(meta.toByteArray());
        element(out, 0x0008, 0x0016, "UI", ui(SECONDARY_CAPTURE));
        element(out, 0x0008, 0x0018, "UI", ui(sop));
        element(out, 0x0008, 0x0060, "CS", text("OT"));
        element(out, 0x0008, 0x0064, "CS", text("WSD"));
        if (patientName != null) {
            element(out, 0x0010, 0x0010, "PN", text(patientName));
        }
        element(out, 0x0010, 0x0020, "LO", text("SIDECAR-IT"));
        element(out, 0x0020, 0x000D, "UI", ui(study));
        element(out, 0x0020, 0x000E, "UI", ui(series));
        element(out, 0x0020, 0x0013, "IS", text("1"));
        element(out, 0x0028, 0x0002, "US", le16(1));
        element(out, 0x0028, 0x0004, "CS", text("MONOCHROME2"));
        element(out, 0x0028, 0x0010, "US", le16(side));
        element(out, 0x0028, 0x0011, "US", le16(side));
        element(out, 0x0028, 0x0100, "US", le16(8));
        element(out, 0x0028, 0x0101, "US", le16(8));
        element(out, 0x0028, 0x0102, "US", le16(7));
        element(out, 0x0028, 0x0103, "US", le16(0));
        byte[] pixels = new byte[side * side + (side * side) % 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31 >>> 4);
        }
        element(out, 0x7FE0, 0x0010, "OB", pixels);
        return new Instance(study, series, sop, out.toByteArray());
    }

    private static void element(ByteArrayOutputStream out, int group, int element, String vr, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) group).putShort((short) element).put(vr.getBytes(StandardCharsets.US_ASCII));
        if (vr.equals("OB") || vr.equals("OW") || vr.equals("SQ") || vr.equals("UN") || vr.equals("UT")) {
            b.putShort((short) 0).putInt(value.length);
        } else {
            b.putShort((short) value.length);
        }
        out.write(b.array(), 0, b.position());
        out.writeBytes(value);
    }

    private static byte[] ui(String uid) {
        byte[] s = uid.getBytes(StandardCharsets.US_ASCII);
        return s.length % 2 == 0 ? s : java.util.Arrays.copyOf(s, s.length + 1); // pad with NUL
    }

    private static byte[] text(String v) {
        return (v.length() % 2 == 0 ? v : v + " ").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] le16(int v) {
        return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
