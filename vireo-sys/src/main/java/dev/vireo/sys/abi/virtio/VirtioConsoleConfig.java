package dev.vireo.sys.abi.virtio;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.vireo.sys.abi.Layouts.LE_U16;
import static dev.vireo.sys.abi.Layouts.LE_U32;

/** {@code struct virtio_console_config}: the console's configuration space (virtio 1.2 §5.3.4). */
@CStruct(value = "struct virtio_console_config", headers = "linux/virtio_console.h")
public final class VirtioConsoleConfig {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            LE_U16.withName("cols"),
            LE_U16.withName("rows"),
            LE_U32.withName("max_nr_ports"),
            LE_U32.withName("emerg_wr"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long COLS = Layouts.offset(LAYOUT, "cols");
    private static final long ROWS = Layouts.offset(LAYOUT, "rows");
    private static final long MAX_NR_PORTS = Layouts.offset(LAYOUT, "max_nr_ports");
    public static final long EMERG_WR = Layouts.offset(LAYOUT, "emerg_wr");

    private VirtioConsoleConfig() {
    }

    public static int cols(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, COLS));
    }

    public static void cols(MemorySegment s, int v) {
        s.set(LE_U16, COLS, (short) v);
    }

    public static int rows(MemorySegment s) {
        return Short.toUnsignedInt(s.get(LE_U16, ROWS));
    }

    public static void rows(MemorySegment s, int v) {
        s.set(LE_U16, ROWS, (short) v);
    }

    public static int maxNrPorts(MemorySegment s) {
        return s.get(LE_U32, MAX_NR_PORTS);
    }

    public static void maxNrPorts(MemorySegment s, int v) {
        s.set(LE_U32, MAX_NR_PORTS, v);
    }
}
