package dev.vireo.cli.sysinfo;

import dev.vireo.sys.Fd;
import dev.vireo.sys.IoUringCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.uring.IoUring;
import dev.vireo.sys.abi.uring.IoUringParams;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** io_uring: whether it is allowed, the features a ring reports, optional setup flags, opcodes. */
public final class IoUringProbe {

    private IoUringProbe() {
    }

    public static Section probe(boolean verbose) {
        Section s = new Section("io_uring");
        s.add("io_uring_disabled", HostProbe.read("/proc/sys/kernel/io_uring_disabled") + " (0 = allowed)");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(IoUringParams.LAYOUT);
            try (Fd ring = IoUringCalls.setup(8, params)) {
                s.add("ring", IoUringParams.sqEntries(params) + " SQ / " + IoUringParams.cqEntries(params) + " CQ entries");
                s.add("features", String.join(" ", names("IORING_FEAT_", IoUringParams.features(params))));
                MemorySegment probe = a.allocate(dev.vireo.sys.abi.uring.IoUringProbe.allocationSize(), 8);
                IoUringCalls.register(ring.num(), IoUring.IORING_REGISTER_PROBE, probe,
                        dev.vireo.sys.abi.uring.IoUringProbe.MAX_OPS);
                List<String> ops = new ArrayList<>();
                int supported = 0;
                for (Map.Entry<String, Integer> op : opcodes().entrySet()) {
                    if (dev.vireo.sys.abi.uring.IoUringProbe.supported(probe, op.getValue())) {
                        ops.add(op.getKey());
                    }
                }
                for (int op = 0; op <= dev.vireo.sys.abi.uring.IoUringProbe.lastOp(probe); op++) {
                    if (dev.vireo.sys.abi.uring.IoUringProbe.supported(probe, op)) {
                        supported++;
                    }
                }
                s.add("opcodes", supported + " supported (last " + dev.vireo.sys.abi.uring.IoUringProbe.lastOp(probe) + ")");
                if (verbose) {
                    s.add("known supported", String.join(" ", ops));
                }
            }
            Map<String, Integer> optional = new LinkedHashMap<>();
            optional.put("SQPOLL", IoUring.IORING_SETUP_SQPOLL);
            optional.put("COOP_TASKRUN", IoUring.IORING_SETUP_COOP_TASKRUN);
            optional.put("SINGLE_ISSUER", IoUring.IORING_SETUP_SINGLE_ISSUER);
            optional.put("DEFER_TASKRUN", IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_DEFER_TASKRUN);
            optional.put("SUBMIT_ALL", IoUring.IORING_SETUP_SUBMIT_ALL);
            List<String> flags = new ArrayList<>();
            for (Map.Entry<String, Integer> f : optional.entrySet()) {
                MemorySegment p = a.allocate(IoUringParams.LAYOUT);
                IoUringParams.flags(p, f.getValue());
                try (Fd ring = IoUringCalls.setup(4, p)) {
                    flags.add(f.getKey());
                } catch (SysException e) {
                    flags.add("no " + f.getKey() + " (" + e.error() + ")");
                }
            }
            s.add("setup flags", String.join(", ", flags));
        } catch (SysException e) {
            s.add("error", e.getMessage());
        }
        return s;
    }

    private static List<String> names(String prefix, int bits) {
        List<String> names = new ArrayList<>();
        for (Field f : IoUring.class.getFields()) {
            if (f.getName().startsWith(prefix) && f.getType() == int.class) {
                int v = value(f);
                if (Integer.bitCount(v) == 1 && (bits & v) != 0) {
                    names.add(f.getName().substring(prefix.length()));
                }
            }
        }
        return names;
    }

    private static Map<String, Integer> opcodes() {
        Map<String, Integer> ops = new LinkedHashMap<>();
        for (Field f : IoUring.class.getFields()) {
            if (f.getName().startsWith("IORING_OP_")) {
                ops.put(f.getName().substring("IORING_OP_".length()), value(f));
            }
        }
        return ops;
    }

    private static int value(Field f) {
        try {
            return f.getInt(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
