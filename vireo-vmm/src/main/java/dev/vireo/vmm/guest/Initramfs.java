package dev.vireo.vmm.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The guest's initramfs, built in Java: a gzip-compressed newc cpio archive holding busybox, the
 * kernel modules the run's devices need, and vireo's {@code /init}. It depends only on that
 * content, so it is built once per content and kept in the cache under the SHA-256 of its inputs
 * ({@link #base}). What changes from run to run (the command, the shares, the nonce) goes into a
 * second, tiny archive appended after it ({@link #forRun}); the kernel unpacks concatenated archives
 * in order ({@code Documentation/driver-api/early-userspace/buffer-format.rst}).
 */
public final class Initramfs {

    /** Bumped whenever the layout below changes, so that old cache entries are not reused. */
    private static final String FORMAT = "vireo-initramfs-1";
    private static final String[] DIRECTORIES = {"bin", "dev", "etc", "lib", "lib/modules", "mnt", "proc", "root",
        "run", "sbin", "sys", "tmp", "usr", "usr/bin", "usr/sbin", "vireo"};

    private Initramfs() {
    }

    /** vireo's /init script. */
    public static byte[] initScript() {
        try (InputStream in = Initramfs.class.getResourceAsStream("init")) {
            if (in == null) {
                throw new IllegalStateException("vireo's guest init script is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The base initramfs for {@code busybox} and {@code modules} (in load order), from the cache
     * directory {@code cacheDir} when it was built before, else built now and stored there.
     */
    public static Path base(Path cacheDir, Path busybox, List<KernelModules.Module> modules) throws IOException {
        byte[] init = initScript();
        byte[] bb = Files.readAllBytes(busybox);
        MessageDigest sha = sha256();
        update(sha, FORMAT.getBytes(StandardCharsets.UTF_8));
        update(sha, init);
        update(sha, bb);
        byte[][] moduleBytes = new byte[modules.size()][];
        for (int i = 0; i < modules.size(); i++) {
            KernelModules.Module m = modules.get(i);
            moduleBytes[i] = moduleContent(m.file());
            update(sha, m.name().getBytes(StandardCharsets.UTF_8));
            update(sha, moduleBytes[i]);
        }
        String key = HexFormat.of().formatHex(sha.digest());
        Path target = cacheDir.resolve(key + ".cpio.gz");
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempFile(cacheDir, key, ".tmp");
        try {
            try (OutputStream file = Files.newOutputStream(tmp);
                 GZIPOutputStream gz = new GZIPOutputStream(file, 1 << 16);
                 CpioWriter cpio = new CpioWriter(gz)) {
                for (String d : DIRECTORIES) {
                    cpio.directory(d, d.equals("tmp") ? 01777 : 0755);
                }
                // The kernel opens /dev/console for init before devtmpfs is mounted.
                cpio.charDevice("dev/console", 0600, 5, 1);
                cpio.file("bin/busybox", 0755, bb);
                cpio.symlink("bin/sh", "busybox");
                cpio.file("init", 0755, init);
                cpio.file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.US_ASCII));
                cpio.file("etc/group", 0644, "root:x:0:\n".getBytes(StandardCharsets.US_ASCII));
                StringBuilder order = new StringBuilder();
                for (int i = 0; i < modules.size(); i++) {
                    String name = modules.get(i).name();
                    cpio.file("lib/modules/" + name + ".ko", 0644, moduleBytes[i]);
                    order.append(name).append('\n');
                }
                cpio.file("vireo/modules", 0644, order.toString().getBytes(StandardCharsets.US_ASCII));
                cpio.finish();
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** The per-run archive: {@code /vireo/run.conf}, uncompressed (it is a few hundred bytes). */
    public static byte[] runArchive(String runConf) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CpioWriter cpio = new CpioWriter(out)) {
            cpio.file("vireo/run.conf", 0644, runConf.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes {@code base} followed by {@code runArchive} to {@code target}. The kernel reads an
     * uncompressed archive only at a 4-byte aligned offset and skips zero bytes between archives
     * (init/initramfs.c, unpack_to_rootfs), so the base is padded with zeros to a multiple of 4.
     */
    public static void forRun(Path base, byte[] runArchive, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            long size = Files.copy(base, out);
            out.write(new byte[(int) ((4 - size % 4) % 4)]);
            out.write(runArchive);
        }
    }

    /** A module's bytes; gzip-compressed ones are decompressed (busybox's insmod reads plain ELF). */
    private static byte[] moduleContent(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".ko")) {
            return Files.readAllBytes(file);
        }
        if (name.endsWith(".ko.gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                return in.readAllBytes();
            }
        }
        throw new IOException("module " + file + " is compressed in a format vireo cannot unpack; give --modules "
                + "a directory of .ko (or .ko.gz) files");
    }

    private static void update(MessageDigest sha, byte[] bytes) {
        // Length first, so that the boundaries between inputs are part of the key.
        long n = bytes.length;
        for (int i = 0; i < 8; i++) {
            sha.update((byte) (n >>> (8 * i)));
        }
        sha.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
