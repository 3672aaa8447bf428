package dev.vireo.virtio.devices.console;

import dev.vireo.virtio.testing.MockDriver;

/**
 * Run in a child JVM by {@link StdioBackendTest}: a console whose port 0 is this process's own
 * standard input and output, driven by the test driver. The guest writes a line to stdout, then
 * reads what arrives on stdin and reports it on stderr.
 */
public final class StdioConsoleChild {

    private StdioConsoleChild() {
    }

    public static void main(String[] args) {
        try (ConsoleDevice dev = new ConsoleDevice(ConsoleDevice.Options.single(new ConsoleBackend.Stdio()));
             MockDriver d = MockDriver.start(dev, MockDriver.Options.defaults().packed(args.length > 0))) {
            ConsoleTestSupport.transmit(d, 0, "hello from the guest\n");
            String in = ConsoleTestSupport.receiveAll(d, 0, 5);
            System.err.println("guest got: " + in.strip());
            System.err.println("attachment: " + dev.attachment(0));
        }
    }
}
