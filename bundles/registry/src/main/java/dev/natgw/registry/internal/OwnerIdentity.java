package dev.natgw.registry.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The owner name an appliance announces under, kept in a file so it outlives a restart: made once ({@code natgw-}
 * and 12 random hex digits), then read back at every start. The file is created readable by its owner only, like the
 * rest of the appliance's state. Stateless.
 */
public final class OwnerIdentity {

    /** What an owner name may hold. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private static final SecureRandom RANDOM = new SecureRandom();

    private OwnerIdentity() {
    }

    /** {@return a new random owner name, kept nowhere} */
    public static String random() {
        byte[] id = new byte[6];
        RANDOM.nextBytes(id);
        return "natgw-" + HexFormat.of().formatHex(id);
    }

    /**
     * Reads the owner name kept in file, or makes one and keeps it there.
     *
     * @throws IllegalStateException if the file cannot be read or written, or holds no valid name
     */
    public static String loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                Path dir = file.toAbsolutePath().getParent();
                if (dir != null) {
                    Files.createDirectories(dir);
                }
                String made = random();
                try {
                    Files.writeString(Files.createFile(file,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                            made + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
                    return made;
                } catch (FileAlreadyExistsException raced) {
                    // another start made it first: use its name
                } catch (UnsupportedOperationException notPosix) {
                    Files.writeString(file, made + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
                    return made;
                }
            }
            // a name is 64 characters at most: never read more than a small file's worth
            if (Files.size(file) > 1024) {
                throw new IllegalStateException("registry owner file " + file + " is not an owner name (too long)");
            }
            String name = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalStateException("registry owner file " + file
                        + " must hold one name of 1..64 of A-Z a-z 0-9 . _ : -; delete it to make a new one");
            }
            return name;
        } catch (IOException e) {
            throw new IllegalStateException("cannot keep the registry owner in " + file + ": " + e, e);
        }
    }
}
