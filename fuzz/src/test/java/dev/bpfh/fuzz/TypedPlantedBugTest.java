package dev.bpfh.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.conformance.BackendDiff;
import dev.bpfh.conformance.DiffReport;
import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.isa.Insn;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.ProgramType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packet profile finds bugs in typed features: an engine with one planted bug
 * ({@link TypedPlantedBug}) next to the interpreter must disagree within {@value #PROGRAMS}
 * programs, be minimised to at most {@value #MAX_INSTRUCTIONS} instructions that still use the
 * broken rule, and give a typed reproducer on which {@code bpfh diff} sees the same disagreement.
 */
class TypedPlantedBugTest {

    static final int PROGRAMS = 1_000;
    static final int MAX_INSTRUCTIONS = 8;

    @TempDir
    Path out;

    @ParameterizedTest
    @EnumSource(TypedPlantedBug.class)
    void thePacketProfileFindsAndMinimisesThePlantedBug(TypedPlantedBug bug) throws Exception {
        Backend interp = Backends.find("interp").orElseThrow();
        Backend planted = bug.backend();
        Campaign.Options options = Campaign.Options.defaults().withProfile(Profile.PACKET).withCount(PROGRAMS)
                .withOut(out).withStopAfter(1).withSeed(42);
        Summary s = new Campaign(options, List.of(interp, planted)).run(null, null);

        assertTrue(s.disagreeingPrograms() > 0, () -> bug + " not found in " + s.programs() + " programs");
        assertFalse(s.reproducers().isEmpty(), "no reproducer written");
        Summary.Repro r = s.reproducers().getFirst();
        assertTrue(r.instructions() <= MAX_INSTRUCTIONS, () -> "minimised only to " + r.instructions() + " instructions: " + r.path());

        DataFile data = DataFileParser.parse(Path.of(r.path()));
        assertNotEquals(ProgramType.RAW, data.programType(), r.path());
        assertTrue(Arrays.stream(data.program().slots()).anyMatch(slot -> Insn.opcode(slot) == bug.opcode),
                () -> "the reproducer does not use opcode " + bug.opcode + ": " + r.path());

        DiffReport diff = BackendDiff.run(BackendDiff.Options.defaults().withPaths(List.of(Path.of(r.path()))), List.of(interp, planted));
        assertEquals(1, diff.rows().size());
        assertFalse(diff.rows().getFirst().disagreements().isEmpty(), "bpfh diff does not see the disagreement in " + r.path());
    }
}
