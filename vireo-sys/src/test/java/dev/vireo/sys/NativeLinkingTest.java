package dev.vireo.sys;

import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Links every downcall handle of the wrapper classes. Each handle is linked lazily, on the first
 * call of its function (see {@link Native}), so a misspelt symbol or a descriptor the linker refuses
 * would otherwise only show when some program first makes that call.
 */
class NativeLinkingTest {

    private static final List<Class<?>> WRAPPERS = List.of(EventCalls.class, FdCalls.class, FsCalls.class,
            MemCalls.class, SocketCalls.class, TermCalls.class, ThreadCalls.class);

    @Test
    void everyHandleOfEveryWrapperLinks() throws Exception {
        List<String> linked = new ArrayList<>();
        for (Class<?> wrapper : WRAPPERS) {
            int holders = 0;
            for (Class<?> nested : wrapper.getDeclaredClasses()) {
                Field h;
                try {
                    h = nested.getDeclaredField("H");
                } catch (NoSuchFieldException e) {
                    continue;
                }
                assertThat(h.getType()).as(nested.getName()).isEqualTo(MethodHandle.class);
                assertThat(Modifier.isStatic(h.getModifiers()) && Modifier.isFinal(h.getModifiers())).as(nested.getName()).isTrue();
                h.setAccessible(true);
                // Initialising the holder links the function; a missing symbol fails here.
                assertThat(h.get(null)).as(nested.getName()).isInstanceOf(MethodHandle.class);
                linked.add(nested.getSimpleName());
                holders++;
            }
            assertThat(holders).as("holder classes in " + wrapper.getSimpleName()).isPositive();
            assertThat(wrapper.getDeclaredFields()).as("handles outside holder classes in " + wrapper.getSimpleName())
                    .noneMatch(f -> f.getType() == MethodHandle.class);
        }
        assertThat(linked).contains("StatxCall", "OpenatCall", "GettidCall", "EventfdCall");
    }

    @Test
    void linkAheadLinksNamedHoldersAndRefusesUnknownOnes() {
        Native.linkAhead(FdCalls.class, "ReadCall", "WriteCall");
        Native.linkAhead(RandomCalls.class);
        assertThatThrownBy(() -> Native.linkAhead(FdCalls.class, "ReadCall", "NoSuchCall"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NoSuchCall");
    }
}
