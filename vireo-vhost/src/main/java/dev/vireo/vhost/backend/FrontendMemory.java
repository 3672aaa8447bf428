package dev.vireo.vhost.backend;

import dev.vireo.mem.GuestMemory;
import dev.vireo.mem.MemoryRegion;
import dev.vireo.sys.Fd;
import dev.vireo.vhost.proto.MemoryRegionDescription;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.vhost.proto.VhostUser;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The front-end's memory as the back-end sees it: the mapped regions, the {@link GuestMemory} view
 * devices use for descriptor addresses, and the translation of the front-end's user addresses (in
 * which SET_VRING_ADDR gives ring addresses) to guest addresses.
 *
 * <p>Immutable; a new table (SET_MEM_TABLE, ADD_MEM_REG, REM_MEM_REG) makes a new instance that
 * shares unchanged regions. Users {@link #tryRetain()} it for the duration of a batch and
 * {@link #release()} it after; the last release unmaps what no newer instance uses, so a memory
 * update never pulls memory from under a request in flight.
 */
public final class FrontendMemory {

    private final List<MappedRegion> regions;
    private final GuestMemory guest;
    /** 1 for the holder's reference, plus one per user. */
    private final AtomicInteger refs = new AtomicInteger(1);

    private FrontendMemory(List<MappedRegion> regions) {
        this.regions = List.copyOf(regions);
        List<MemoryRegion> view = new ArrayList<>();
        for (MappedRegion r : regions) {
            view.add(new MemoryRegion(r.description.guestAddress(), r.host(), r.fdNumber(), r.description.mmapOffset()));
        }
        this.guest = regions.isEmpty() ? null : GuestMemory.of(view);
    }

    /** No memory yet (before the first SET_MEM_TABLE). */
    public static FrontendMemory empty() {
        return new FrontendMemory(List.of());
    }

    /**
     * Maps a whole table: {@code fds} matches {@code descriptions} in number and order, and this
     * call takes ownership of every descriptor (closing them all on failure).
     */
    public static FrontendMemory map(List<MemoryRegionDescription> descriptions, List<Fd> fds) {
        if (descriptions.size() != fds.size()) {
            fds.forEach(Fd::close);
            throw new MessageException(descriptions.size() + " memory regions but " + fds.size() + " file descriptors");
        }
        List<MappedRegion> mapped = new ArrayList<>();
        try {
            for (int i = 0; i < descriptions.size(); i++) {
                mapped.add(MappedRegion.map(descriptions.get(i), fds.get(i)));
            }
            return new FrontendMemory(mapped);
        } catch (RuntimeException e) {
            for (int i = mapped.size() + 1; i < fds.size(); i++) {
                fds.get(i).close();
            }
            mapped.forEach(MappedRegion::release);
            throw e;
        }
    }

    /** This memory plus one region (ADD_MEM_REG); takes ownership of {@code fd}. */
    public FrontendMemory withRegion(MemoryRegionDescription d, Fd fd) {
        if (regions.size() >= VhostUser.MAX_MEM_SLOTS) {
            fd.close();
            throw new MessageException("more than " + VhostUser.MAX_MEM_SLOTS + " memory regions");
        }
        for (MappedRegion r : regions) {
            if (r.description.guestOverlaps(d) || r.description.userOverlaps(d)) {
                fd.close();
                throw new MessageException("added memory region overlaps an existing one");
            }
        }
        MappedRegion added = MappedRegion.map(d, fd);
        List<MappedRegion> next = new ArrayList<>(regions);
        next.add(added);
        FrontendMemory result;
        try {
            result = new FrontendMemory(next);
        } catch (RuntimeException e) {
            added.release();
            throw e;
        }
        regions.forEach(MappedRegion::retain);
        return result;
    }

    /** This memory without the region matching {@code d}'s guest address, user address and size (REM_MEM_REG). */
    public FrontendMemory withoutRegion(MemoryRegionDescription d) {
        List<MappedRegion> next = new ArrayList<>();
        boolean found = false;
        for (MappedRegion r : regions) {
            MemoryRegionDescription x = r.description;
            if (!found && x.guestAddress() == d.guestAddress() && x.userAddress() == d.userAddress() && x.size() == d.size()) {
                found = true;
            } else {
                next.add(r);
            }
        }
        if (!found) {
            throw new MessageException("no memory region at guest 0x" + Long.toHexString(d.guestAddress()) + " to remove");
        }
        next.forEach(MappedRegion::retain);
        return new FrontendMemory(next);
    }

    /** The guest-physical view, or null before the first memory table. */
    public GuestMemory guest() {
        return guest;
    }

    public int regionCount() {
        return regions.size();
    }

    /**
     * The guest address of front-end user address {@code user}, for a range of {@code length}
     * bytes that must lie inside one region.
     */
    public long userToGuest(long user, long length) {
        for (MappedRegion r : regions) {
            MemoryRegionDescription d = r.description;
            long offset = user - d.userAddress();
            if (Long.compareUnsigned(user, d.userAddress()) >= 0 && Long.compareUnsigned(offset, d.size()) < 0
                    && Long.compareUnsigned(length, d.size() - offset) <= 0) {
                return d.guestAddress() + offset;
            }
        }
        throw new MessageException("user address 0x" + Long.toHexString(user) + " + 0x" + Long.toHexString(length)
                + " is outside the front-end's memory regions");
    }

    /** Adds a user of this memory; false when it has already been retired and released. */
    public boolean tryRetain() {
        int n;
        do {
            n = refs.get();
            if (n == 0) {
                return false;
            }
        } while (!refs.compareAndSet(n, n + 1));
        return true;
    }

    /** Drops a reference; the last one releases the regions. */
    public void release() {
        if (refs.decrementAndGet() == 0) {
            regions.forEach(MappedRegion::release);
        }
    }

    /** Whether the regions are still mapped (false after the last release). */
    public boolean isLive() {
        return refs.get() > 0;
    }
}
