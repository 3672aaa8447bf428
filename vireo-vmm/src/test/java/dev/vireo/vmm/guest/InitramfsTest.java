package dev.vireo.vmm.guest;

import dev.vireo.vmm.host.HostCommand;
import dev.vireo.vmm.testing.TestGuest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The base initramfs (content-addressed) and the per-run archive appended to it. */
class InitramfsTest {

    @Test
    void baseIsBuiltOncePerContent(@TempDir Path cache) throws Exception {
        Path busybox = TestGuest.busybox();
        List<KernelModules.Module> mods = TestGuest.kernel().modules().resolve(List.of("virtiofs"));
        Path first = Initramfs.base(cache, busybox, mods);
        long built = Files.getLastModifiedTime(first).toMillis();
        assertThat(Initramfs.base(cache, busybox, mods)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first).toMillis()).isEqualTo(built);
        assertThat(Initramfs.base(cache, busybox, mods.subList(0, 1))).isNotEqualTo(first);

        // gunzip + busybox cpio -t: the archive holds init, busybox and the modules in load order
        Path list = cache.resolve("list.cpio");
        HostCommand.Result gz = HostCommand.run(List.of("sh", "-c", "gzip -dc \"$0\" > \"$1\"", first.toString(), list.toString()),
                null, null, 30);
        assertThat(gz.status()).as(gz.output()).isZero();
        HostCommand.Result t = HostCommand.run(busybox.toString(), "cpio", "-t", "-F", list.toString());
        assertThat(t.output().lines()).contains("init", "bin/busybox", "dev/console", "vireo/modules",
                "lib/modules/fuse.ko", "lib/modules/virtiofs.ko");
    }

    @Test
    void theRunArchiveStartsAtAFourByteBoundary(@TempDir Path dir) throws Exception {
        Path base = Files.write(dir.resolve("base"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        byte[] run = Initramfs.runArchive("VIREO_NONCE=x\n");
        Path out = dir.resolve("out");
        Initramfs.forRun(base, run, out);
        byte[] all = Files.readAllBytes(out);
        assertThat(all).hasSize(8 + run.length);
        assertThat(new String(all, 8, 6)).isEqualTo("070701");
        assertThat(all[5]).isZero();
    }
}
