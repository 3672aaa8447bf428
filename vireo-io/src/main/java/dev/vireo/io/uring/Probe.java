package dev.vireo.io.uring;

import dev.vireo.sys.Errno;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.IoUringCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.uring.IoUring;
import dev.vireo.sys.abi.uring.IoUringProbe;
import dev.vireo.sys.abi.uring.IoUringSqe;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What io_uring offers on this machine, found out once per process: whether a ring can be
 * created at all ({@code kernel.io_uring_disabled}, seccomp, a kernel without io_uring), the
 * IORING_FEAT_* bits, the opcodes IORING_REGISTER_PROBE reports (Linux 5.6), which optional
 * setup flags the kernel accepts, and whether multishot poll works.
 *
 * <p>io_uring counts as available for vireo only with what the engine cannot do without:
 * IORING_FEAT_NODROP (Linux 5.5; without it a full completion queue loses completions) and the
 * opcodes NOP, READ, WRITE, READV, WRITEV, POLL_ADD, TIMEOUT, LINK_TIMEOUT and ASYNC_CANCEL. Other
 * opcodes missing on an older kernel make just those operations fail with -EOPNOTSUPP.
 */
public final class Probe {

    /** Opcodes without which the engine does not start. */
    static final int[] REQUIRED_OPS = {
            IoUring.IORING_OP_NOP, IoUring.IORING_OP_READ, IoUring.IORING_OP_WRITE, IoUring.IORING_OP_READV,
            IoUring.IORING_OP_WRITEV, IoUring.IORING_OP_POLL_ADD, IoUring.IORING_OP_TIMEOUT,
            IoUring.IORING_OP_LINK_TIMEOUT, IoUring.IORING_OP_ASYNC_CANCEL};

    private static final Path DISABLED = Path.of("/proc/sys/kernel/io_uring_disabled");
    private static Probe cached;

    private final String cause;
    private final int features;
    private final boolean[] ops;
    private final int lastOp;
    private final boolean deferTaskrun;
    private final boolean coopTaskrun;
    private final boolean submitAll;
    private final boolean sqPoll;
    private final boolean multishotPoll;

    private Probe(String cause, int features, boolean[] ops, int lastOp, boolean deferTaskrun, boolean coopTaskrun,
                  boolean submitAll, boolean sqPoll, boolean multishotPoll) {
        this.cause = cause;
        this.features = features;
        this.ops = ops;
        this.lastOp = lastOp;
        this.deferTaskrun = deferTaskrun;
        this.coopTaskrun = coopTaskrun;
        this.submitAll = submitAll;
        this.sqPoll = sqPoll;
        this.multishotPoll = multishotPoll;
    }

    /** The probe of this process, run on first use. */
    public static synchronized Probe get() {
        if (cached == null) {
            cached = run();
        }
        return cached;
    }

    /** Probes now (creates and closes a few small rings). */
    public static Probe run() {
        String disabled = readDisabled();
        if ("2".equals(disabled)) {
            return unavailable("disabled by sysctl kernel.io_uring_disabled=2");
        }
        try (Arena a = Arena.ofConfined()) {
            int features;
            boolean[] ops = new boolean[IoUringProbe.MAX_OPS];
            int last;
            try (Ring ring = Ring.create(4, 0, 0, 0)) {
                features = ring.features();
                MemorySegment probe = a.allocate(IoUringProbe.allocationSize(), 8);
                try {
                    IoUringCalls.register(ring.fd(), IoUring.IORING_REGISTER_PROBE, probe, IoUringProbe.MAX_OPS);
                } catch (SysException e) {
                    return unavailable("IORING_REGISTER_PROBE failed (" + e.getMessage() + "): the kernel is older than Linux 5.6");
                }
                last = IoUringProbe.lastOp(probe);
                for (int op = 0; op < ops.length; op++) {
                    ops[op] = IoUringProbe.supported(probe, op);
                }
            } catch (SysException e) {
                return unavailable(setupFailure(e, disabled));
            }
            if ((features & IoUring.IORING_FEAT_NODROP) == 0) {
                return unavailable("the kernel lacks IORING_FEAT_NODROP (Linux 5.5): a full completion queue would lose completions");
            }
            List<String> missing = new ArrayList<>();
            for (int op : REQUIRED_OPS) {
                if (!ops[op]) {
                    missing.add(opName(op));
                }
            }
            if (!missing.isEmpty()) {
                return unavailable("the kernel lacks " + String.join(", ", missing));
            }
            boolean defer = accepts(IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_DEFER_TASKRUN);
            boolean coop = accepts(IoUring.IORING_SETUP_COOP_TASKRUN | IoUring.IORING_SETUP_TASKRUN_FLAG);
            boolean all = accepts(IoUring.IORING_SETUP_SUBMIT_ALL);
            boolean sqpoll = accepts(IoUring.IORING_SETUP_SQPOLL);
            return new Probe(null, features, ops, last, defer, coop, all, sqpoll, multishotPollWorks());
        }
    }

    /** Whether the io_uring engine can run here. */
    public boolean available() {
        return cause == null;
    }

    /** Why io_uring cannot be used, or null when it can. */
    public String unavailabilityCause() {
        return cause;
    }

    /** The IORING_FEAT_* bits a ring reported. */
    public int features() {
        return features;
    }

    /** Whether the kernel reported IORING_FEAT_{@code bit}. */
    public boolean hasFeature(int bit) {
        return (features & bit) == bit;
    }

    /** Whether the kernel supports IORING_OP {@code opcode}. */
    public boolean supports(int opcode) {
        return opcode >= 0 && opcode < ops.length && ops[opcode];
    }

    /** Whether SINGLE_ISSUER + DEFER_TASKRUN (Linux 6.1) are accepted. */
    public boolean deferTaskrun() {
        return deferTaskrun;
    }

    /** Whether COOP_TASKRUN + TASKRUN_FLAG (Linux 5.19) are accepted. */
    public boolean coopTaskrun() {
        return coopTaskrun;
    }

    /** Whether SUBMIT_ALL (Linux 5.18) is accepted. */
    public boolean submitAll() {
        return submitAll;
    }

    /** Whether an SQPOLL ring can be created here. */
    public boolean sqPoll() {
        return sqPoll;
    }

    /** Whether a multishot POLL_ADD (Linux 5.13) stays armed across completions. */
    public boolean multishotPoll() {
        return multishotPoll;
    }

    /**
     * A copy that reports multishot poll as missing, so that the engine re-arms one-shot polls
     * itself as it does on kernels before 5.13: the way to exercise that path on a newer kernel.
     */
    public Probe withoutMultishotPoll() {
        return new Probe(cause, features, ops, lastOp, deferTaskrun, coopTaskrun, submitAll, sqPoll, false);
    }

    /** Names of the supported opcodes that vireo's IoUring constants know. */
    public List<String> supportedOps() {
        List<String> names = new ArrayList<>();
        for (int op = 0; op < ops.length; op++) {
            if (ops[op]) {
                names.add(opName(op));
            }
        }
        return names;
    }

    /** One line for logs and {@code describe()}. */
    public String describe() {
        if (!available()) {
            return "io_uring unavailable: " + cause;
        }
        List<String> flags = new ArrayList<>();
        if (deferTaskrun) {
            flags.add("DEFER_TASKRUN");
        }
        if (coopTaskrun) {
            flags.add("COOP_TASKRUN");
        }
        if (submitAll) {
            flags.add("SUBMIT_ALL");
        }
        if (sqPoll) {
            flags.add("SQPOLL");
        }
        return "io_uring: " + supportedOps().size() + " opcodes (last " + lastOp + "), features " + featureNames(features)
                + ", setup flags accepted: " + String.join(" ", flags) + ", multishot poll: " + (multishotPoll ? "yes" : "no");
    }

    @Override
    public String toString() {
        return describe();
    }

    /** The IORING_FEAT_* names of {@code bits}. */
    static String featureNames(int bits) {
        List<String> names = new ArrayList<>();
        for (Field f : IoUring.class.getFields()) {
            if (f.getName().startsWith("IORING_FEAT_") && f.getType() == int.class) {
                int v = constant(f);
                if (Integer.bitCount(v) == 1 && (bits & v) != 0) {
                    names.add(f.getName().substring("IORING_FEAT_".length()));
                }
            }
        }
        return String.join(" ", names);
    }

    /** The IORING_SETUP_* names of {@code bits}. */
    static String setupFlagNames(int bits) {
        List<String> names = new ArrayList<>();
        for (Field f : IoUring.class.getFields()) {
            if (f.getName().startsWith("IORING_SETUP_") && f.getType() == int.class) {
                int v = constant(f);
                if (Integer.bitCount(v) == 1 && (bits & v) != 0) {
                    names.add(f.getName().substring("IORING_SETUP_".length()));
                }
            }
        }
        return names.isEmpty() ? "none" : String.join(" ", names);
    }

    private static String opName(int op) {
        for (Field f : IoUring.class.getFields()) {
            if (f.getName().startsWith("IORING_OP_") && f.getType() == int.class && constant(f) == op) {
                return f.getName().substring("IORING_OP_".length());
            }
        }
        return "op" + op;
    }

    private static int constant(Field f) {
        try {
            return f.getInt(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Probe unavailable(String cause) {
        return new Probe(cause, 0, new boolean[IoUringProbe.MAX_OPS], 0, false, false, false, false, false);
    }

    private static String setupFailure(SysException e, String disabled) {
        if (e.is(Errno.ENOSYS)) {
            return "io_uring_setup: ENOSYS (a kernel without io_uring, or a seccomp filter forbids it)";
        }
        if (e.is(Errno.EPERM)) {
            return "io_uring_setup: EPERM (kernel.io_uring_disabled=" + disabled
                    + " and this process is not in kernel.io_uring_group, or a seccomp filter forbids it)";
        }
        return e.getMessage();
    }

    private static String readDisabled() {
        try {
            return Files.readString(DISABLED).trim();
        } catch (NoSuchFileException e) {
            return "absent";
        } catch (IOException e) {
            return "unreadable";
        }
    }

    private static boolean accepts(int flags) {
        try {
            Ring.create(4, 0, flags, 10).close();
            return true;
        } catch (SysException e) {
            return false;
        }
    }

    /**
     * Arms a multishot POLL_ADD on an eventfd, signals it, and checks that the completion says
     * IORING_CQE_F_MORE: the kernel kept the poll armed. The probe cannot report flags, so this is
     * tried instead of guessed from the kernel version.
     */
    private static boolean multishotPollWorks() {
        try (Ring ring = Ring.create(4, 0, 0, 0); Fd efd = EventCalls.eventfd(EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK)) {
            SubmissionQueue sq = ring.sq();
            long at = sq.next();
            IoUringSqe.prep(sq.sqes(), at, IoUring.IORING_OP_POLL_ADD, efd.num(), 0, IoUring.IORING_POLL_ADD_MULTI, 0);
            IoUringSqe.opFlags(sq.sqes(), at, EventCalls.POLLIN);
            IoUringSqe.userData(sq.sqes(), at, 1);
            IoUringCalls.enter(ring.fd(), sq.publish(), 0, 0);
            EventCalls.eventfdWrite(efd.num(), 1);
            IoUringCalls.enter(ring.fd(), 0, 1, IoUring.IORING_ENTER_GETEVENTS);
            int[] seen = new int[2];
            ring.cq().drain((ud, res, flags) -> {
                seen[0] = res;
                seen[1] = flags;
            }, 1);
            return seen[0] > 0 && (seen[1] & IoUring.IORING_CQE_F_MORE) != 0;
        } catch (SysException e) {
            return false;
        }
    }
}
