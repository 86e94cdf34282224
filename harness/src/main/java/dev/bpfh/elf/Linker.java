package dev.bpfh.elf;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.elf.ElfFile.Relocation;
import dev.bpfh.elf.ElfFile.Section;
import dev.bpfh.elf.ElfFile.Symbol;
import dev.bpfh.isa.Insn;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Links one program as libbpf does (programs.md §5.2): its own instructions, then every
 * {@code .text} function it reaches, appended once each in the order of first reference, depth
 * first (a newly appended function is linked before the rest of its caller, as libbpf's
 * {@code bpf_object__reloc_code} recursion does); calls and function addresses are re-aimed at
 * the copies, map references become {@code lddw src=1 imm=index}, data references {@code lddw
 * src=2 imm=index, next_imm=offset}, function addresses {@code lddw src=4 imm=target-pc-1}.
 *
 * <p>Nothing is left unresolved: a relocation bpfh cannot honour is an {@link ElfException} naming
 * the section, byte offset, program and instruction; code is never returned half-patched.
 */
final class Linker {

    /** The kernel's limit on a program's instructions (BPF_COMPLEXITY_LIMIT_INSNS); a longer link is refused. */
    static final int MAX_PROGRAM_SLOTS = 1_000_000;

    static final int R_BPF_64_64 = 1;
    static final int R_BPF_64_32 = 10;

    /** A function: [start, start + length) in instruction slots of its section. */
    record Function(String name, Section section, int start, int length) {
        boolean contains(int insn) {
            return insn >= start && insn < start + length;
        }
    }

    /** Where lddw relocations may point: maps by (section, offset), data sections by index. */
    interface Targets {
        /** The map index for a reference to {@code section} at byte {@code offset}, or -1 when none starts there. */
        int mapAt(int section, long offset);

        /** The global-data map index of {@code section}, or -1. */
        int dataMap(int section);

        /** The size of the global-data section. */
        long dataSize(int section);

        /** Whether {@code section} holds map definitions ({@code .maps} or {@code maps}). */
        boolean isMapSection(int section);
    }

    private final ElfFile elf;
    private final Map<Integer, long[]> code; // section index -> slots
    private final Map<Integer, Map<Long, Relocation>> relocations; // section index -> byte offset -> relocation
    private final List<Function> textFunctions;
    private final Section text; // may be null
    private final Targets targets;

    Linker(ElfFile elf, Map<Integer, long[]> code, Map<Integer, Map<Long, Relocation>> relocations,
            List<Function> textFunctions, Section text, Targets targets) {
        this.elf = elf;
        this.code = code;
        this.relocations = relocations;
        this.textFunctions = textFunctions;
        this.text = text;
        this.targets = targets;
    }

    /** One function being linked into the program: where its copy starts and how far it has been patched. */
    private static final class Frame {
        final Function function;
        final int placedAt;
        int next;

        Frame(Function function, int placedAt) {
            this.function = function;
            this.placedAt = placedAt;
        }
    }

    /** The linked slots of {@code program}. */
    long[] link(Function program) throws ElfException {
        List<Long> out = new ArrayList<>();
        Map<Function, Integer> placed = new IdentityHashMap<>();
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(program, append(out, program)));
        placed.put(program, 0);
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (f.next >= f.function.length()) {
                stack.pop();
                continue;
            }
            if (out.size() > MAX_PROGRAM_SLOTS) {
                throw new ElfException("program " + program.name() + " links to more than " + MAX_PROGRAM_SLOTS
                        + " instructions, the kernel's limit");
            }
            Frame callee = step(program, f, out, placed);
            if (callee != null) {
                stack.push(callee);
            }
        }
        long[] slots = new long[out.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = out.get(i);
        }
        return slots;
    }

    /** Patches the instruction at {@code f.next}; returns a frame when that appended a new function. */
    private Frame step(Function program, Frame f, List<Long> out, Map<Function, Integer> placed) throws ElfException {
        Function fn = f.function;
        int local = f.next;
        int sectionInsn = fn.start() + local;
        int pc = f.placedAt + local;
        long slot = out.get(pc);
        int opcode = Insn.opcode(slot);
        Relocation rel = relocations.getOrDefault(fn.section().index(), Map.of()).get((long) sectionInsn * 8);
        Site site = new Site(fn.section().name(), (long) sectionInsn * 8, program.name(), pc);
        Frame appended = null;
        if (opcode == LDDW) {
            if (local + 1 >= fn.length()) {
                throw site.error("lddw in the last slot of function " + fn.name());
            }
            f.next += 2;
            if (rel == null) {
                if (Insn.src(slot) != 0) {
                    throw site.error("lddw with src " + Insn.src(slot) + " and no relocation");
                }
                return null;
            }
            if (rel.type() != R_BPF_64_64) {
                throw site.error("relocation type " + rel.type() + " on an lddw (expected R_BPF_64_64)");
            }
            Symbol sym = definedSymbol(rel, site);
            long addend = Insn.imm(slot);
            int shndx = sym.shndx();
            long second = out.get(pc + 1);
            if (targets.isMapSection(shndx)) {
                int index = targets.mapAt(shndx, sym.value() + addend);
                if (index < 0) {
                    throw site.error("'" + sym.name() + "'+" + addend + " is not the start of a map definition");
                }
                out.set(pc, withSrcImm(slot, PSEUDO_MAP_FD, index));
                out.set(pc + 1, withSrcImm(second, 0, 0));
            } else if (targets.dataMap(shndx) >= 0) {
                long offset = sym.value() + addend;
                long size = targets.dataSize(shndx);
                if (offset < 0 || offset >= size) {
                    throw site.error("'" + sym.name() + "'+" + addend + " = offset " + offset + " lies outside "
                            + elf.section(shndx, site.describe()).name() + " (" + size + " bytes)");
                }
                out.set(pc, withSrcImm(slot, PSEUDO_MAP_VALUE, targets.dataMap(shndx)));
                out.set(pc + 1, withSrcImm(second, 0, (int) offset));
            } else if (text != null && shndx == text.index()) {
                long target = sym.value() + addend;
                if (target % 8 != 0) {
                    throw site.error("function address '" + sym.name() + "'+" + addend + " is not a whole instruction");
                }
                Target t = reach(target / 8, site);
                appended = place(t.function, out, placed);
                out.set(pc, withSrcImm(slot, PSEUDO_FUNC, placed.get(t.function) + t.delta - pc - 1));
                out.set(pc + 1, withSrcImm(second, 0, 0));
            } else {
                Section s = elf.section(shndx, site.describe());
                throw site.error("lddw refers to '" + sym.name() + "' in section " + s.name()
                        + ", which is neither a map, global data nor .text");
            }
            return appended;
        }
        f.next += 1;
        if (opcode == CALL_IMM && Insn.src(slot) == CALL_LOCAL) {
            long targetInsn;
            Section targetSection;
            if (rel != null) {
                if (rel.type() != R_BPF_64_32) {
                    throw site.error("relocation type " + rel.type() + " on a call (expected R_BPF_64_32)");
                }
                Symbol sym = definedSymbol(rel, site);
                if (sym.value() % 8 != 0) {
                    throw site.error("call target '" + sym.name() + "' is not at a whole instruction");
                }
                targetSection = elf.section(sym.shndx(), site.describe());
                targetInsn = sym.value() / 8 + Insn.imm(slot) + 1;
            } else {
                targetSection = fn.section();
                targetInsn = (long) sectionInsn + Insn.imm(slot) + 1;
                if (fn.contains((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, targetInsn)))) {
                    return null; // within the function: its copy keeps the distance
                }
            }
            if (text == null || targetSection.index() != text.index()) {
                throw site.error("call into section " + targetSection.name() + ": subprograms must be in .text");
            }
            Target t = reach(targetInsn, site);
            appended = place(t.function, out, placed);
            out.set(pc, withSrcImm(slot, CALL_LOCAL, placed.get(t.function) + t.delta - pc - 1));
            return appended;
        }
        if (opcode == CALL_IMM && Insn.src(slot) == CALL_RUNTIME) {
            throw site.error("kfunc call (call with src 2) is not supported");
        }
        if (rel != null) {
            throw site.error("relocation type " + rel.type() + " on an instruction that is neither lddw nor call"
                    + " (opcode 0x" + Integer.toHexString(opcode) + ")");
        }
        return null;
    }

    private record Target(Function function, int delta) {}

    /** The .text function holding instruction {@code insn} of .text. */
    private Target reach(long insn, Site site) throws ElfException {
        for (Function fn : textFunctions) {
            if (insn >= fn.start() && insn < fn.start() + (long) fn.length()) {
                return new Target(fn, (int) (insn - fn.start()));
            }
        }
        throw site.error("target .text instruction " + insn + " lies in no function");
    }

    /** Appends {@code fn} unless already placed; the new frame, or null. */
    private Frame place(Function fn, List<Long> out, Map<Function, Integer> placed) {
        if (placed.containsKey(fn)) {
            return null;
        }
        int at = append(out, fn);
        placed.put(fn, at);
        return new Frame(fn, at);
    }

    private int append(List<Long> out, Function fn) {
        int at = out.size();
        long[] slots = code.get(fn.section().index());
        for (int i = 0; i < fn.length(); i++) {
            out.add(slots[fn.start() + i]);
        }
        return at;
    }

    private Symbol definedSymbol(Relocation rel, Site site) throws ElfException {
        Symbol sym = elf.symbol(rel.symbol(), site.describe());
        if (sym.shndx() == ElfFile.SHN_UNDEF) {
            throw site.error("relocation against undefined symbol '" + sym.name()
                    + "' (an extern: kconfig, ksym or another object's symbol), which bpfh does not resolve");
        }
        if (!sym.defined()) {
            throw site.error("relocation against symbol '" + sym.name() + "' with special section index 0x"
                    + Integer.toHexString(sym.shndx()));
        }
        return sym;
    }

    private static long withSrcImm(long slot, int src, int imm) {
        return (slot & 0x0000_0000_ffff_0fffL) | ((long) (src & 0xf) << 12) | ((long) imm << 32);
    }

    /** Where an instruction is, for messages: section and byte offset, and the program and pc it becomes. */
    private record Site(String section, long offset, String program, int pc) {
        String describe() {
            return "section " + section + " offset 0x" + Long.toHexString(offset) + " (program " + program
                    + " insn " + pc + ")";
        }

        ElfException error(String why) {
            return new ElfException(describe() + ": " + why);
        }
    }
}
