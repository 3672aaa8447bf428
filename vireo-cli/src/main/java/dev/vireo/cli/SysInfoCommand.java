package dev.vireo.cli;

import dev.vireo.cli.sysinfo.FuseProbe;
import dev.vireo.cli.sysinfo.HostProbe;
import dev.vireo.cli.sysinfo.IoUringProbe;
import dev.vireo.cli.sysinfo.KvmProbe;
import dev.vireo.cli.sysinfo.Section;
import dev.vireo.cli.sysinfo.ToolsProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;

/** {@code vireo sys-info}: what this host offers vireo, each probe done for real. */
@Command(name = "sys-info",
        header = "Show what this host offers vireo (JDK, kernel, KVM, FUSE, io_uring, tools).",
        mixinStandardHelpOptions = true,
        description = {
            "Shows what this host offers vireo: the JDK, the kernel, KVM (API version, PVM or hardware",
            "virtualization, capabilities), FUSE (the kernel's protocol version, read from a real INIT",
            "request when run as root), io_uring (features, optional setup flags, supported opcodes), and",
            "the external tools vireo uses (QEMU, virtiofsd)."})
public final class SysInfoCommand implements Runnable {

    @Option(names = "--no-mount", description = "Do not mount a probe FUSE file system to read the kernel's INIT request.")
    private boolean noMount;

    @Option(names = {"-v", "--verbose"}, description = "List every supported KVM capability and io_uring opcode.")
    private boolean verbose;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        List<Section> sections = List.of(
                HostProbe.probe(),
                KvmProbe.probe(verbose),
                FuseProbe.probe(!noMount),
                IoUringProbe.probe(verbose),
                ToolsProbe.probe());
        for (Section s : sections) {
            s.print(out);
        }
        out.flush();
    }
}
