package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.fs.Request;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.ThreadCalls;

import java.util.Arrays;

/**
 * One thread's file-system identity: the fsuid, fsgid, supplementary groups and umask its system
 * calls run with. The passthrough switches them per request to the requester's, so that the host
 * kernel checks permissions and new files belong to the requester (setfsuid, setfsgid and a
 * per-thread setgroups; umask after unshare(CLONE_FS)). Each switch happens only when the identity
 * differs from the thread's current one, so a stream of requests from one user costs no system
 * calls.
 *
 * <p>A thread that is not root keeps its identity: {@link #enter} does nothing when switching is
 * off. Giving up fsuid 0 also drops the file-system capabilities (CAP_DAC_READ_SEARCH, which
 * open_by_handle_at needs, among them): {@link #asRoot()} gets them back for vireo's own
 * housekeeping.
 */
final class Credentials {

    private static final int[] NO_GROUPS = new int[0];

    private final boolean enabled;
    private final ProcGroups procGroups;
    private int uid;
    private int gid;
    private int[] groups = NO_GROUPS;
    private int groupCount;
    private int umask = -1;
    private boolean unshared;
    private final int[] wanted = new int[ProcGroups.MAX + 8];

    Credentials(boolean enabled, ProcGroups procGroups) {
        this.enabled = enabled;
        this.procGroups = procGroups;
        this.uid = enabled ? 0 : ThreadCalls.getuid();
        this.gid = enabled ? 0 : ThreadCalls.getgid();
    }

    boolean enabled() {
        return enabled;
    }

    /** Takes on {@code req}'s identity (fsuid, fsgid, supplementary groups). */
    void enter(Request req) {
        if (!enabled) {
            return;
        }
        int n = req.supplementaryGroups(wanted);
        if (procGroups != null && req.uid() != 0) {
            n = procGroups.groups(req.pid(), req.uid(), req.gid(), wanted, n);
        }
        become(req.uid(), req.gid(), wanted, n);
    }

    /**
     * Whether {@code req} runs with the thread's current identity as it is, root without
     * supplementary groups (or switching is off): {@link #enter} would make no system call and read
     * no /proc file. A thread that must not block serves only such requests.
     */
    boolean isCurrent(Request req) {
        return !enabled || uid == 0 && gid == 0 && groupCount == 0 && req.uid() == 0 && req.gid() == 0
                && req.supplementaryGroups(wanted) == 0;
    }

    /** Back to fsuid 0 (with its capabilities) for vireo's own operations. */
    void asRoot() {
        if (enabled && (uid != 0 || gid != 0)) {
            become(0, 0, groups, groupCount);
        }
    }

    /** Whether the thread currently runs as fsuid 0. */
    boolean isRoot() {
        return uid == 0;
    }

    private void become(int newUid, int newGid, int[] newGroups, int count) {
        if (count != groupCount || !Arrays.equals(groups, 0, groupCount, newGroups, 0, count)) {
            int[] copy = Arrays.copyOf(newGroups, count);
            // setgroups needs CAP_SETGID, which a non-zero fsuid does not remove.
            ThreadCalls.setgroupsThisThread(copy);
            groups = copy;
            groupCount = count;
        }
        if (newGid != gid) {
            ThreadCalls.setfsgid(newGid);
            gid = newGid;
        }
        if (newUid != uid) {
            ThreadCalls.setfsuid(newUid);
            uid = newUid;
        }
    }

    /**
     * Sets this thread's umask (for MKNOD, MKDIR, CREATE, TMPFILE, which carry the requester's).
     * The first call gives the thread its own fs_struct (unshare(CLONE_FS)), so that the umask of
     * the rest of the process is untouched.
     */
    void umask(int mask) {
        int m = mask & 0777;
        if (m == umask) {
            return;
        }
        if (!unshared) {
            ThreadCalls.unshare(ThreadCalls.CLONE_FS);
            unshared = true;
        }
        FsCalls.umask(m);
        umask = m;
    }
}
