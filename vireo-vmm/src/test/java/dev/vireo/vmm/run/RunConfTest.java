package dev.vireo.vmm.run;

import dev.vireo.vmm.host.HostCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** run.conf, sourced by a real POSIX shell: every word arrives exactly as given. */
class RunConfTest {

    private static final List<String> HOSTILE = List.of("plain", "two words", "it's", "'", "\"q\"", "$(touch /tmp/pwned)",
            "`id`", "a\nb", "back\\slash", "*", "-n", "", "ünïcödé", "; rm -rf /", "${PATH}");

    @Test
    void argumentsEnvironmentAndMountsSurviveTheShell(@TempDir Path dir) throws Exception {
        RunConf.Config c = new RunConf.Config(GuestProtocol.newNonce(), false, 1000, 100, "/mnt/it's here", "vireo", 0, 0,
                List.of(new RunConf.Mount("vireo-fs0", "/mnt/a b", true)), List.of("A=1", "B=x y$(z)"), HOSTILE);
        Path conf = Files.writeString(dir.resolve("run.conf"), RunConf.render(c));
        // What /init does: source it, call vireo_shares, run "$@"; here printed with NUL separators.
        String script = """
                vireo_mount() { printf 'mount<%s><%s><%s>\\n' "$1" "$2" "$3"; }
                . "$0"
                vireo_shares
                printf 'uid=%s gid=%s dir=<%s> tty=%s\\n' "$VIREO_UID" "$VIREO_GID" "$VIREO_WORKDIR" "$VIREO_TTY"
                for a in "$@"; do printf '[%s]' "$a"; done
                """;
        HostCommand.Result r = HostCommand.run(List.of("sh", "-c", script, conf.toString()), dir, null, 30);
        assertThat(r.status()).as(r.output()).isZero();
        assertThat(r.output()).contains("mount<vireo-fs0></mnt/a b><ro>", "uid=1000 gid=100 dir=</mnt/it's here> tty=0");
        StringBuilder expected = new StringBuilder("[env][-i][A=1][B=x y$(z)]");
        for (String h : HOSTILE) {
            expected.append('[').append(h).append(']');
        }
        assertThat(r.output()).endsWith(expected.toString());
        assertThat(Path.of("/tmp/pwned")).doesNotExist();
    }

    @Test
    void refusesWhatCannotBePassed() {
        assertThatThrownBy(() -> RunConf.quote("a\0b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> RunConf.render(new RunConf.Config("n", false, 0, 0, "/", "h", 0, 0, List.of(),
                List.of("NOEQUALS"), List.of("true")))).hasMessageContaining("NAME=");
    }
}
