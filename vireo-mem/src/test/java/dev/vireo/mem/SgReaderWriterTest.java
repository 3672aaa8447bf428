package dev.vireo.mem;

import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.abi.Iovec;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(FdLeakCheck.class)
class SgReaderWriterTest {

    /** Splits {@code total} bytes of {@code base} into entries of the given sizes. */
    private static SgList split(MemorySegment base, int... sizes) {
        SgList sg = new SgList(1);
        long at = 0;
        for (int size : sizes) {
            sg.add(base, at, size);
            at += size;
        }
        return sg;
    }

    @Test
    void valuesCrossEntryBoundariesInLittleEndian() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(64);
            // entries of 1, 3, 0 (dropped), 5, 2 ... bytes: every multi-byte value straddles
            SgList sg = split(buf, 1, 3, 0, 5, 2, 7, 46);
            SgWriter w = new SgWriter().reset(sg);
            w.u8(0xAB);
            w.u16(0xBEEF);
            w.u32(0xCAFEBABE);
            w.u64(0x0102030405060708L);
            w.u32(0);
            w.patchU32(15, 0x11223344);
            assertThat(w.position()).isEqualTo(19);
            assertThat(buf.get(JAVA_BYTE, 1)).isEqualTo((byte) 0xEF);

            SgReader r = new SgReader().reset(sg);
            assertThat(r.u8()).isEqualTo(0xAB);
            assertThat(r.u16()).isEqualTo(0xBEEF);
            assertThat(r.u32()).isEqualTo(0xCAFEBABE);
            assertThat(r.u64()).isEqualTo(0x0102030405060708L);
            r.skip(0);
            assertThat(r.remaining()).isEqualTo(64 - 15);
            assertThat(new SgReader().reset(sg).u8()).isEqualTo(0xAB);
            SgReader patched = new SgReader().reset(sg);
            patched.skip(15);
            assertThat(patched.u32()).isEqualTo(0x11223344);
        }
    }

    @Test
    void readingPastTheEndIsAnErrorNotAnAccess() {
        try (Arena a = Arena.ofConfined()) {
            SgList sg = split(a.allocate(10), 4, 6);
            SgReader r = new SgReader().reset(sg);
            r.skip(7);
            assertThatThrownBy(r::u32).isInstanceOf(SgException.class).hasMessageContaining("3 left");
            assertThatThrownBy(() -> r.skip(-1)).isInstanceOf(SgException.class);
            assertThat(r.u16()).isZero();
            assertThat(r.remaining()).isEqualTo(1);
            SgWriter w = new SgWriter().reset(sg);
            assertThatThrownBy(() -> w.write(a.allocate(11))).isInstanceOf(SgException.class);
            assertThatThrownBy(() -> w.patchU32(0, 1)).isInstanceOf(SgException.class);
        }
    }

    @Test
    void cStringsStopAtTheirNulOrFail() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(16);
            buf.setString(0, "name");          // "name\0"
            buf.asSlice(5).fill((byte) 'x');   // no NUL after it
            SgList sg = split(buf, 2, 2, 12);
            SgReader r = new SgReader().reset(sg);
            MemorySegment dst = a.allocate(256);
            assertThat(r.cString(dst)).isEqualTo(4);
            assertThat(dst.getString(0)).isEqualTo("name");
            assertThat(r.position()).isEqualTo(5);
            assertThatThrownBy(() -> r.cString(dst)).isInstanceOf(SgException.class).hasMessageContaining("without NUL");
            SgReader bounded = new SgReader().reset(sg);
            assertThatThrownBy(() -> bounded.cString(a.allocate(3))).isInstanceOf(SgException.class);
        }
    }

    @Test
    void payloadSlicesGoStraightToPreadvAndPwritev(@TempDir Path dir) throws Exception {
        byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        Path file = dir.resolve("data");
        Files.write(file, data);
        try (GuestRam ram = TestMemory.create(); Arena a = Arena.ofConfined()) {
            GuestMemory m = ram.memory();
            // a "chain": 16-byte header, then a payload crossing from one region into the next
            SgList chain = new SgList(4);
            m.appendTo(chain, TestMemory.HIGH, 16);
            m.appendTo(chain, TestMemory.MID - 40_000, data.length);
            SgWriter w = new SgWriter().reset(chain);
            w.u64(7);
            w.u64(data.length);
            SgList payload = new SgList(4);
            w.sliceTo(data.length, payload);
            assertThat(payload.count()).isEqualTo(2);

            MemorySegment iov = a.allocate(Iovec.LAYOUT, payload.count());
            int fd = FsCalls.open(file.toString(), FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0);
            try {
                assertThat(FdCalls.preadv(fd, iov, payload.toIovecs(iov, 0), 0)).isEqualTo(data.length);
            } finally {
                FdCalls.close(fd);
            }
            assertThat(m.slice(TestMemory.MID - 40_000, 40_000).toArray(JAVA_BYTE))
                    .isEqualTo(java.util.Arrays.copyOfRange(data, 0, 40_000));

            SgReader r = new SgReader().reset(chain);
            assertThat(r.u64()).isEqualTo(7);
            assertThat(r.u64()).isEqualTo(data.length);
            SgList back = new SgList(1);
            r.sliceTo(r.remaining(), back);
            Path copy = dir.resolve("copy");
            int out = FsCalls.open(copy.toString(), FsCalls.O_WRONLY | FsCalls.O_CREAT | FsCalls.O_CLOEXEC, 0600);
            try {
                assertThat(FdCalls.pwritev(out, iov, back.toIovecs(iov, 0), 0)).isEqualTo(data.length);
            } finally {
                FdCalls.close(out);
            }
            assertThat(Files.readAllBytes(copy)).isEqualTo(data);
        }
    }

    @Test
    void iovecsResumeInsideAnEntryAndStopAtAMaximum() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(100);
            SgList sg = split(buf, 10, 20, 30, 40);
            MemorySegment iov = a.allocate(Iovec.LAYOUT, 8);
            // Resume 5 bytes into entry 1, at most 2 iovecs: [base+15, 15] and [base+30, 30].
            assertThat(sg.toIovecs(iov, 1, 5, 2)).isEqualTo(2);
            assertThat(Iovec.base(iov, 0)).isEqualTo(buf.address() + 15);
            assertThat(Iovec.len(iov, 0)).isEqualTo(15);
            assertThat(Iovec.base(iov, 1)).isEqualTo(buf.address() + 30);
            assertThat(Iovec.len(iov, 1)).isEqualTo(30);
            // The iovec array's capacity bounds the count too.
            assertThat(sg.toIovecs(iov.asSlice(0, Iovec.SIZE), 0, 0, 8)).isEqualTo(1);
            assertThat(sg.toIovecs(iov, 4, 0, 8)).isZero();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> sg.toIovecs(iov, 1, 20, 8))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> sg.toIovecs(iov, 5, 0, 8))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
