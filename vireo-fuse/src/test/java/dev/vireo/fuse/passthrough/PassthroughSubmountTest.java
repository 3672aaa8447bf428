package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.Harness;
import dev.vireo.fuse.testing.TestExchange.Reply;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.fuse.FuseAttr;
import dev.vireo.sys.abi.fuse.FuseEntryOut;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.HostCommand;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static dev.vireo.fuse.testing.FuseRequests.name;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PassthroughOptions#announceSubmounts}: a directory on another host file system than its
 * parent's (a tmpfs mounted inside the shared directory) carries FUSE_ATTR_SUBMOUNT in its LOOKUP
 * and READDIRPLUS entries when announced and offered (FUSE_SUBMOUNTS); a plain directory never does.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughSubmountTest {

    /** fuse_attr.flags within a fuse_entry_out. */
    private static final int ENTRY_ATTR_FLAGS = (int) (FuseEntryOut.ATTR + FuseAttr.LAYOUT.byteOffset(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("flags")));

    @TempDir
    Path dir;

    @Test
    void aMountPointIsAnnouncedOnlyWhenAsked() throws Exception {
        Requires.root(); // mount(8), and file handles (open_by_handle_at) need CAP_DAC_READ_SEARCH
        Requires.command("mount");
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.createDirectory(src.resolve("plain"));
        Path sub = Files.createDirectory(src.resolve("sub"));
        HostCommand.run("mount", "-t", "tmpfs", "-o", "size=1m", "vireo-test", sub.toString());
        try {
            Files.writeString(sub.resolve("inside"), "x");
            try (Harness h = new Harness(new PassthroughFs(src, PassthroughOptions.defaults().withAnnounceSubmounts(true)))) {
                assertThat(lookupFlags(h, 1, "sub")).as("the mount point").isEqualTo(Fuse.FUSE_ATTR_SUBMOUNT);
                assertThat(lookupFlags(h, 1, "plain")).as("a plain directory").isZero();
                Map<String, Integer> listed = readdirplusFlags(h, 1);
                assertThat(listed).containsEntry("sub", Fuse.FUSE_ATTR_SUBMOUNT).containsEntry("plain", 0);
                // Inside the submount, its own entries are on its file system: not submounts.
                long subNode = Harness.nodeId(h.op(Fuse.FUSE_LOOKUP, 1, name("sub")));
                assertThat(lookupFlags(h, subNode, "inside")).isZero();
            }
            try (Harness h = new Harness(new PassthroughFs(src, PassthroughOptions.defaults()))) {
                assertThat(lookupFlags(h, 1, "sub")).as("not announced by default").isZero();
                assertThat(readdirplusFlags(h, 1)).containsEntry("sub", 0);
            }
        } finally {
            HostCommand.run("umount", sub.toString());
        }
    }

    private static int lookupFlags(Harness h, long parent, String child) {
        Reply r = h.op(Fuse.FUSE_LOOKUP, parent, name(child));
        assertThat(r.errno()).isZero();
        return r.body().order(ByteOrder.LITTLE_ENDIAN).getInt(ENTRY_ATTR_FLAGS);
    }

    /** fuse_attr.flags of each entry of one READDIRPLUS of a small directory, by name. */
    private static Map<String, Integer> readdirplusFlags(Harness h, long dirNode) {
        Map<String, Integer> out = new HashMap<>();
        for (Harness.PlusEntry e : h.readdirplus(dirNode)) {
            out.put(e.name(), e.entryOut().getInt(ENTRY_ATTR_FLAGS));
        }
        return out;
    }
}
