/** The {@code vireo} command line (picocli): one class per subcommand. */
package dev.vireo.cli;
