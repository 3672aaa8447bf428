package dev.vireo.vhost.backend;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Mapping;
import dev.vireo.sys.MemCalls;
import dev.vireo.sys.abi.Stat;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MessageException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One region of the front-end's memory, mapped from the descriptor that came with its description.
 * Reference-counted, because successive memory maps (ADD_MEM_REG) share regions: the last release
 * unmaps it and closes the descriptor.
 */
final class MappedRegion {

    private static final long PAGE = 4096;

    final MemoryRegionDescription description;
    private final Fd fd;
    private final Mapping mapping;
    private final MemorySegment host;
    private final AtomicInteger refs = new AtomicInteger(1);

    private MappedRegion(MemoryRegionDescription description, Fd fd, Mapping mapping, MemorySegment host) {
        this.description = description;
        this.fd = fd;
        this.mapping = mapping;
        this.host = host;
    }

    /**
     * Maps {@code d} from {@code fd} (taking ownership of the descriptor). Refuses a region that
     * runs past the end of a regular file or memfd: touching such a page would raise SIGBUS.
     */
    static MappedRegion map(MemoryRegionDescription d, Fd fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Stat.LAYOUT);
            FsCalls.fstatat(fd.num(), "", st, FsCalls.AT_EMPTY_PATH);
            int type = Stat.mode(st) & FsCalls.S_IFMT;
            long end = d.mmapOffset() + d.size(); // cannot overflow: checked by MemoryRegionDescription
            if (type == FsCalls.S_IFREG && Long.compareUnsigned(end, Stat.size(st)) > 0) {
                throw new MessageException("memory region ends at offset 0x" + Long.toHexString(end)
                        + " beyond its file's 0x" + Long.toHexString(Stat.size(st)) + " bytes");
            }
            long aligned = d.mmapOffset() & ~(PAGE - 1);
            long slack = d.mmapOffset() - aligned;
            Mapping m = MemCalls.mmap(d.size() + slack, MemCalls.PROT_READ | MemCalls.PROT_WRITE,
                    MemCalls.MAP_SHARED | MemCalls.MAP_NORESERVE, fd.num(), aligned);
            return new MappedRegion(d, fd, m, m.segment().asSlice(slack, d.size()));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    MemorySegment host() {
        return host;
    }

    int fdNumber() {
        return fd.num();
    }

    void retain() {
        refs.incrementAndGet();
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            mapping.close();
            fd.close();
        }
    }
}
