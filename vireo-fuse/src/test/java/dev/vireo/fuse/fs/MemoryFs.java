package dev.vireo.fuse.fs;

import dev.vireo.mem.SgList;
import dev.vireo.mem.SgReader;
import dev.vireo.mem.SgWriter;
import dev.vireo.sys.Errno;
import dev.vireo.sys.FsCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The example file system of the {@link LowLevelFileSystem} documentation: a tiny in-memory tree of
 * directories and regular files, kept simple rather than fast (one lock for everything).
 *
 * <p>What it shows: node ids chosen by the file system (a counter; 1 is the root); lookup counts
 * kept per node and dropped by {@link #forget}, a node freed only when it is both unlinked and
 * forgotten; unknown node ids answered ESTALE; READ filled in place through
 * {@link Request#dataBuffer}; WRITE data read from the request's views; READDIR offsets as
 * positions in the listing.
 */
public final class MemoryFs implements LowLevelFileSystem {

    private static final long TIMEOUT = 1_000_000_000L;

    private static final class Node {
        final long id;
        final int mode;
        byte[] data = new byte[0];
        final TreeMap<String, Long> children = new TreeMap<>();
        long parent;
        int nlink;
        long lookups;
        long mtime = System.currentTimeMillis() / 1000;

        Node(long id, int mode, long parent) {
            this.id = id;
            this.mode = mode;
            this.parent = parent;
            this.nlink = (mode & FsCalls.S_IFMT) == FsCalls.S_IFDIR ? 2 : 1;
        }

        boolean dir() {
            return (mode & FsCalls.S_IFMT) == FsCalls.S_IFDIR;
        }
    }

    private final Map<Long, Node> nodes = new HashMap<>();
    private final Map<Long, Node> open = new HashMap<>();
    private long nextId = 2;
    private long nextFh = 1;

    public MemoryFs() {
        Node root = new Node(1, FsCalls.S_IFDIR | 0777, 1);
        nodes.put(1L, root);
    }

    /** Nodes alive (tests: forgotten and unlinked nodes are freed). */
    public synchronized int nodeCount() {
        return nodes.size();
    }

    private Node node(long id) {
        Node n = nodes.get(id);
        if (n == null) {
            throw new NoNode();
        }
        return n;
    }

    /** An unknown node id: answered ESTALE. */
    private static final class NoNode extends RuntimeException {
        NoNode() {
            super(null, null, false, false);
        }
    }

    private void fill(Attr a, Node n) {
        a.ino(n.id).mode(n.mode).nlink(n.nlink).size(n.dir() ? 4096 : n.data.length)
                .blocks((n.data.length + 511) / 512).blksize(4096)
                .mtime(n.mtime, 0).ctime(n.mtime, 0).atime(n.mtime, 0);
    }

    private void reply(Request req, Node n) {
        n.lookups++;
        Entry e = req.entry().nodeId(n.id).entryTimeoutNanos(TIMEOUT).attrTimeoutNanos(TIMEOUT);
        fill(e.attr(), n);
        req.replyEntry(e);
    }

    @Override
    public synchronized void lookup(Request req, long parent, Name name) {
        try {
            Node dir = node(parent);
            Long child = dir.children.get(name.toString());
            if (child == null) {
                req.replyError(Errno.ENOENT.code());
                return;
            }
            reply(req, node(child));
        } catch (NoNode e) {
            req.replyError(Errno.ESTALE.code());
        }
    }

    @Override
    public synchronized void forget(long nodeId, long nlookup) {
        Node n = nodes.get(nodeId);
        if (n == null || nodeId == 1) {
            return; // a FORGET for an unknown node is ignored
        }
        n.lookups = Math.max(0, n.lookups - nlookup);
        maybeFree(n);
    }

    private void maybeFree(Node n) {
        if (n.lookups == 0 && n.nlink == 0 && !open.containsValue(n)) {
            nodes.remove(n.id);
        }
    }

    @Override
    public synchronized void getattr(Request req, long nodeId, long fh) {
        try {
            Attr a = req.attr();
            fill(a, node(nodeId));
            req.replyAttr(a, TIMEOUT);
        } catch (NoNode e) {
            req.replyError(Errno.ESTALE.code());
        }
    }

    @Override
    public synchronized void setattr(Request req, long nodeId, SetAttr attrs) {
        try {
            Node n = node(nodeId);
            if (attrs.hasSize()) {
                if (n.dir()) {
                    req.replyError(Errno.EISDIR.code());
                    return;
                }
                if (attrs.size() > Integer.MAX_VALUE - 8) {
                    req.replyError(Errno.EFBIG.code());
                    return;
                }
                n.data = java.util.Arrays.copyOf(n.data, (int) attrs.size());
            }
            Attr a = req.attr();
            fill(a, n);
            req.replyAttr(a, TIMEOUT);
        } catch (NoNode e) {
            req.replyError(Errno.ESTALE.code());
        }
    }

    private void make(Request req, long parent, Name name, int mode) {
        try {
            Node dir = node(parent);
            String key = name.toString();
            if (!dir.dir()) {
                req.replyError(Errno.ENOTDIR.code());
                return;
            }
            if (dir.children.containsKey(key)) {
                req.replyError(Errno.EEXIST.code());
                return;
            }
            Node n = new Node(nextId++, mode, parent);
            nodes.put(n.id, n);
            dir.children.put(key, n.id);
            if (n.dir()) {
                dir.nlink++;
            }
            reply(req, n);
        } catch (NoNode e) {
            req.replyError(Errno.ESTALE.code());
        }
    }

    @Override
    public synchronized void mkdir(Request req, long parent, Name name, int mode, int umask) {
        make(req, parent, name, FsCalls.S_IFDIR | (mode & 07777));
    }

    @Override
    public synchronized void mknod(Request req, long parent, Name name, int mode, long rdev, int umask) {
        if ((mode & FsCalls.S_IFMT) != FsCalls.S_IFREG) {
            req.replyError(Errno.EPERM.code());
            return;
        }
        make(req, parent, name, mode);
    }

    @Override
    public synchronized void create(Request req, long parent, Name name, int mode, int umask, int flags) {
        try {
            Node dir = node(parent);
            String key = name.toString();
            if (dir.children.containsKey(key)) {
                req.replyError(Errno.EEXIST.code());
                return;
            }
            Node n = new Node(nextId++, FsCalls.S_IFREG | (mode & 07777), parent);
            nodes.put(n.id, n);
            dir.children.put(key, n.id);
            n.lookups++;
            long fh = nextFh++;
            open.put(fh, n);
            Entry e = req.entry().nodeId(n.id).entryTimeoutNanos(TIMEOUT).attrTimeoutNanos(TIMEOUT);
            fill(e.attr(), n);
            req.replyCreate(e, fh, 0);
        } catch (NoNode e) {
            req.replyError(Errno.ESTALE.code());
        }
    }

    private void remove(Request req, long parent, Name name, boolean wantDir) {
        try {
            Node dir = node(parent);
            Long id = dir.children.get(name.toString());
            if (id == null) {
                req.replyError(Errno.ENOENT.code());
                return;
            }
            Node n = node(id);
            if (wantDir != n.dir()) {
                req.replyError(wantDir ? Errno.ENOTDIR.code() : Errno.EISDIR.code());
                return;
            }
            if (wantDir && !n.children.isEmpty()) {
                req.replyError(Errno.ENOTEMPTY.code());
                return;
            }
            dir.children.remove(name.toString());
            n.nlink = 0;
            if (wantDir) {
                dir.nlink--;
            }
            maybeFree(n);
            req.replyOk();
        } catch (NoNode e) {
            req.replyError(Errno.ESTALE.code());
        }
    }

    @Override
    public synchronized void unlink(Request req, long parent, Name name) {
        remove(req, parent, name, false);
    }

    @Override
    public synchronized void rmdir(Request req, long parent, Name name) {
        remove(req, parent, name, true);
    }

    @Override
    public synchronized void rename(Request req, long parent, Name name, long newParent, Name newName, int flags) {
        try {
            if (flags != 0) {
                req.replyError(Errno.EINVAL.code());
                return;
            }
            Node from = node(parent);
            Node to = node(newParent);
            Long id = from.children.get(name.toString());
            if (id == null) {
                req.replyError(Errno.ENOENT.code());
                return;
            }
            Long replaced = to.children.get(newName.toString());
            if (replaced != null) {
                Node r = node(replaced);
                if (r.dir() && !r.children.isEmpty()) {
                    req.replyError(Errno.ENOTEMPTY.code());
                    return;
                }
                r.nlink = 0;
                maybeFree(r);
            }
            from.children.remove(name.toString());
            to.children.put(newName.toString(), id);
            node(id).parent = newParent;
            req.replyOk();
        } catch (NoNode e) {
            req.replyError(Errno.ESTALE.code());
        }
    }

    @Override
    public synchronized void open(Request req, long nodeId, int flags) {
        try {
            Node n = node(nodeId);
            if ((flags & FsCalls.O_TRUNC) != 0) {
                n.data = new byte[0];
            }
            long fh = nextFh++;
            open.put(fh, n);
            req.replyOpen(fh, 0);
        } catch (NoNode e) {
            req.replyError(Errno.ESTALE.code());
        }
    }

    @Override
    public synchronized void read(Request req, long nodeId, long fh, long offset, int size, int flags) {
        Node n = open.get(fh);
        if (n == null) {
            req.replyError(Errno.EBADF.code());
            return;
        }
        long start = Math.min(offset, n.data.length);
        int count = (int) Math.min(size, n.data.length - start);
        SgList buf = req.dataBuffer(count);
        SgWriter w = new SgWriter().reset(buf);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tmp = a.allocate(Math.max(1, count));
            MemorySegment.copy(MemorySegment.ofArray(n.data), start, tmp, 0, count);
            w.write(tmp.asSlice(0, buf.totalLength()));
        }
        req.replyData(buf.totalLength());
    }

    @Override
    public synchronized void write(Request req, long nodeId, long fh, long offset, SgList data, int writeFlags, int flags) {
        Node n = open.get(fh);
        if (n == null) {
            req.replyError(Errno.EBADF.code());
            return;
        }
        long end = offset + data.totalLength();
        if (offset < 0 || end > Integer.MAX_VALUE - 8) {
            req.replyError(Errno.EFBIG.code());
            return;
        }
        if (end > n.data.length) {
            n.data = java.util.Arrays.copyOf(n.data, (int) end);
        }
        SgReader r = new SgReader().reset(data);
        for (int i = 0; i < data.totalLength(); i++) {
            n.data[(int) offset + i] = (byte) r.u8();
        }
        req.replyWrite(data.totalLength());
    }

    @Override
    public synchronized void flush(Request req, long nodeId, long fh, long lockOwner) {
        req.replyOk();
    }

    @Override
    public synchronized void release(Request req, long nodeId, long fh, int flags, int releaseFlags, long lockOwner) {
        Node n = open.remove(fh);
        if (n != null) {
            maybeFree(n);
        }
        req.replyOk();
    }

    @Override
    public synchronized void opendir(Request req, long nodeId, int flags) {
        try {
            Node n = node(nodeId);
            if (!n.dir()) {
                req.replyError(Errno.ENOTDIR.code());
                return;
            }
            req.replyOpen(n.id, 0);
        } catch (NoNode e) {
            req.replyError(Errno.ESTALE.code());
        }
    }

    @Override
    public synchronized void readdir(Request req, long nodeId, long fh, long offset, int size, boolean plus) {
        Node dir = nodes.get(fh);
        if (dir == null) {
            req.replyError(Errno.EBADF.code());
            return;
        }
        // The listing: ".", "..", then the children in name order; an offset is a position in it.
        List<String> names = new ArrayList<>(List.of(".", ".."));
        names.addAll(dir.children.keySet());
        DirectoryWriter w = req.directory();
        try (Arena a = Arena.ofConfined()) {
            for (int i = (int) Math.max(0, offset); i < names.size(); i++) {
                byte[] bytes = names.get(i).getBytes(StandardCharsets.UTF_8);
                MemorySegment name = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, bytes);
                long id = i == 0 ? dir.id : i == 1 ? dir.parent : dir.children.get(names.get(i));
                Node n = nodes.get(id);
                int type = n != null && n.dir() ? 4 : 8; // DT_DIR, DT_REG
                boolean added;
                if (plus && i >= 2 && n != null) {
                    if (!w.fitsPlus(bytes.length)) {
                        break;
                    }
                    n.lookups++;
                    Entry e = req.entry().nodeId(n.id).entryTimeoutNanos(TIMEOUT).attrTimeoutNanos(TIMEOUT);
                    fill(e.attr(), n);
                    added = w.addPlus(name, bytes.length, e, type, i + 1);
                } else {
                    added = w.add(name, bytes.length, id, type, i + 1);
                }
                if (!added) {
                    break;
                }
            }
        }
        req.replyDirectory();
    }

    @Override
    public void statfs(Request req, long nodeId) {
        req.replyStatfs(1 << 20, 1 << 19, 1 << 19, 1 << 16, 1 << 15, 4096, 255, 4096);
    }
}
