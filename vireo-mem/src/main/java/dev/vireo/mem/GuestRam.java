package dev.vireo.mem;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.Mapping;
import dev.vireo.sys.MemCalls;

import java.util.ArrayList;
import java.util.List;

/**
 * Guest RAM backed by one memfd: the owner of the file and its shared mapping, and the {@link
 * GuestMemory} view that lays it out in guest-physical space. Because the memory is a memfd mapped
 * MAP_SHARED, it can be handed to KVM (a memory slot), to QEMU ({@code memory-backend-memfd}) or
 * to a vhost-user backend (the fd over SCM_RIGHTS) without copying.
 *
 * <p>Close order: unmap, then close the fd. Users (KVM slots, in-flight I/O) must be gone first.
 */
public final class GuestRam implements AutoCloseable {

    /** A region to lay out: guest-physical base and size in bytes (a multiple of the page size). */
    public record Layout(long guestBase, long size) {
    }

    private final Fd fd;
    private final Mapping mapping;
    private final GuestMemory memory;

    private GuestRam(Fd fd, Mapping mapping, GuestMemory memory) {
        this.fd = fd;
        this.mapping = mapping;
        this.memory = memory;
    }

    /** RAM for {@code layout}: one memfd holding the regions back to back, in the order given. */
    public static GuestRam create(String name, List<Layout> layout) {
        long total = 0;
        for (Layout l : layout) {
            if (l.size() <= 0 || l.size() % 4096 != 0) {
                throw new IllegalArgumentException("region size must be a positive multiple of 4096: " + l.size());
            }
            total = Math.addExact(total, l.size());
        }
        Fd fd = MemCalls.memfdCreate(name, MemCalls.MFD_CLOEXEC | MemCalls.MFD_ALLOW_SEALING);
        try {
            FdCalls.ftruncate(fd.num(), total);
            Mapping mapping = MemCalls.mmap(total, MemCalls.PROT_READ | MemCalls.PROT_WRITE, MemCalls.MAP_SHARED, fd.num(), 0);
            List<MemoryRegion> regions = new ArrayList<>();
            long at = 0;
            for (Layout l : layout) {
                regions.add(new MemoryRegion(l.guestBase(), mapping.segment().asSlice(at, l.size()), fd.num(), at));
                at += l.size();
            }
            return new GuestRam(fd, mapping, GuestMemory.of(regions));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** RAM of {@code size} bytes at guest address 0. */
    public static GuestRam create(String name, long size) {
        return create(name, List.of(new Layout(0, size)));
    }

    public GuestMemory memory() {
        return memory;
    }

    /** The memfd (owned by this object). */
    public Fd fd() {
        return fd;
    }

    @Override
    public void close() {
        mapping.close();
        fd.close();
    }
}
