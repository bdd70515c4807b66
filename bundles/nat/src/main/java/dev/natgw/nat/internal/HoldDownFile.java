package dev.natgw.nat.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The ports a stopped translator had in hold-down or in use, kept in a file under {@code karaf.data} so the next
 * start does not hand them out before their hold-down ends. Outside addresses are unique across pools, so an
 * entry names its address, not its pool. The format: magic {@code NGHD}, version, the time written, the count, then
 * per port protocol (1 byte), address (4), port (2) and due time in epoch milliseconds (8), and a CRC-32 of all
 * before it; big-endian. At most {@value #MAX_ENTRIES} ports: beyond that those due first are left out. A file
 * that is too large, truncated, of another version or fails its CRC is corrupt; one whose every port's hold-down
 * has ended is stale; both are ignored with the reason, which the caller logs. No state; any thread.
 */
public final class HoldDownFile {
    /** The most ports a file holds. */
    public static final int MAX_ENTRIES = 1 << 20;
    static final int MAGIC = 0x4e474844; // "NGHD"
    static final int VERSION = 1;
    private static final int HEADER = 4 + 4 + 8 + 4;
    private static final int ENTRY = 1 + 4 + 2 + 8;

    /**
     * One port held down.
     *
     * @param proto 6, 17 or 1
     * @param address the outside address, network order
     * @param port the port
     * @param dueMillis when its hold-down ends, epoch milliseconds
     */
    public record Held(int proto, int address, int port, long dueMillis) {
    }

    /**
     * What a file gave.
     *
     * @param ports the ports still held down, by ascending due time
     * @param note why the file was ignored, or "" if it was read
     */
    public record Loaded(List<Held> ports, String note) {
    }

    private HoldDownFile() {
    }

    /**
     * Writes the ports, replacing the file at once (a reader never sees half of it).
     *
     * @param file the file; its folder is made if missing
     * @param nowMillis the time, epoch milliseconds
     * @param ports the ports, in any order
     * @return the ports written, at most {@value #MAX_ENTRIES}
     * @throws IOException if the file cannot be written
     */
    public static int write(Path file, long nowMillis, List<Held> ports) throws IOException {
        List<Held> kept = new ArrayList<>(ports);
        if (kept.size() > MAX_ENTRIES) {
            // those held longest matter most: a port due soon is nearly free anyway
            kept.sort(Comparator.comparingLong(Held::dueMillis).reversed());
            kept = kept.subList(0, MAX_ENTRIES);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(HEADER + ENTRY * kept.size() + 4);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(nowMillis);
        out.writeInt(kept.size());
        for (Held h : kept) {
            out.writeByte(h.proto());
            out.writeInt(h.address());
            out.writeShort(h.port());
            out.writeLong(h.dueMillis());
        }
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes.toByteArray());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return kept.size();
    }

    /**
     * Reads a file; a missing file gives no ports and no note.
     *
     * @param file the file
     * @param nowMillis the time, epoch milliseconds
     * @return the ports whose hold-down has not ended, or none and why the file was ignored
     */
    public static Loaded read(Path file, long nowMillis) {
        byte[] all;
        try {
            if (!Files.isRegularFile(file)) {
                return new Loaded(List.of(), "");
            }
            long size = Files.size(file);
            if (size > HEADER + (long) ENTRY * MAX_ENTRIES + 4) {
                return ignored(file, "corrupt: " + size + " bytes, more than " + MAX_ENTRIES + " ports take");
            }
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            return ignored(file, "unreadable: " + e.getMessage());
        }
        if (all.length < HEADER + 4) {
            return ignored(file, "corrupt: " + all.length + " bytes, shorter than its header");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
            return ignored(file, "corrupt: its CRC does not match");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 4))) {
            if (in.readInt() != MAGIC) {
                return ignored(file, "corrupt: not a hold-down file");
            }
            int version = in.readInt();
            if (version != VERSION) {
                return ignored(file, "of version " + version + ", not " + VERSION);
            }
            long written = in.readLong();
            int count = in.readInt();
            if (count < 0 || count > MAX_ENTRIES || all.length != HEADER + (long) ENTRY * count + 4) {
                return ignored(file, "corrupt: " + count + " ports do not fit its " + all.length + " bytes");
            }
            List<Held> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Held h = new Held(in.readUnsignedByte(), in.readInt(), in.readUnsignedShort(), in.readLong());
                if (h.dueMillis() > nowMillis) {
                    ports.add(h);
                }
            }
            if (ports.isEmpty() && count > 0) {
                return ignored(file, "stale: written " + Duration.ofMillis(nowMillis - written).toSeconds()
                        + " s ago (" + Instant.ofEpochMilli(written) + "), every port's hold-down has ended");
            }
            ports.sort(Comparator.comparingLong(Held::dueMillis));
            return new Loaded(ports, "");
        } catch (EOFException e) {
            return ignored(file, "corrupt: truncated");
        } catch (IOException e) {
            return ignored(file, "unreadable: " + e.getMessage());
        }
    }

    private static Loaded ignored(Path file, String why) {
        return new Loaded(List.of(), file + " ignored, " + why);
    }
}
