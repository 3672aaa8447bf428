package dev.vireo.virtio.queue;

import dev.vireo.mem.GuestRam;
import dev.vireo.virtio.testing.FuzzMemory;

/** What must hold for every chain a queue hands out, however the ring was built. */
final class VirtqueueFuzzOracle {

    private VirtqueueFuzzOracle() {
    }

    static void check(DescriptorChain chain, int size, GuestRam ram) {
        // The direct part stays within the queue; one indirect table within its own length, at most
        // 65,536 entries (an indirect table may be longer than the queue: see SplitQueue.walk).
        if (chain.descriptorCount() > size + 65536) {
            throw new AssertionError("chain of " + chain.descriptorCount() + " descriptors in a queue of " + size);
        }
        if (chain.readableBytes() + chain.writableBytes() > 1L << 32) {
            throw new AssertionError("chain of more than 2^32 bytes: " + chain);
        }
        if (chain.readable().totalLength() > chain.readableBytes() || chain.writable().totalLength() > chain.writableBytes()) {
            throw new AssertionError("resolved more than declared: " + chain);
        }
        if (!chain.hasFault() && (chain.readable().totalLength() != chain.readableBytes()
                || chain.writable().totalLength() != chain.writableBytes())) {
            throw new AssertionError("lost bytes without a fault: " + chain);
        }
        FuzzMemory.assertInsideGuestMemory(chain.readable(), ram.memory());
        FuzzMemory.assertInsideGuestMemory(chain.writable(), ram.memory());
    }
}
