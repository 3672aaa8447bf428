package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U32;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@code struct virtio_fs_config}: the file system device's configuration space (virtio 1.2
 * §5.11.4): a NUL-padded UTF-8 tag (not terminated when it fills all 36 bytes) and the number of
 * request queues. ({@code notify_buf_size}, which follows in the spec, exists only with
 * VIRTIO_FS_F_NOTIFICATION, which vireo does not offer, and is not in the installed headers.)
 */
@CStruct(value = "struct virtio_fs_config", headers = "linux/virtio_fs.h")
public final class VirtioFsConfig {

    /** Bytes of the tag field. */
    public static final int TAG_SIZE = 36;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(TAG_SIZE, JAVA_BYTE).withName("tag"),
            LE_U32.withName("num_request_queues"));

    public static final long SIZE = LAYOUT.byteSize();
    public static final long TAG = Layouts.offset(LAYOUT, "tag");
    private static final long NUM_REQUEST_QUEUES = Layouts.offset(LAYOUT, "num_request_queues");

    private VirtioFsConfig() {
    }

    public static int numRequestQueues(MemorySegment s) {
        return s.get(LE_U32, NUM_REQUEST_QUEUES);
    }

    public static void numRequestQueues(MemorySegment s, int v) {
        s.set(LE_U32, NUM_REQUEST_QUEUES, v);
    }
}
