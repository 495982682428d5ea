// What `make package` needs to know about a compiled program: its CPU (so an .ipk is never
// labelled with the wrong architecture) and its program interpreter (none: statically linked,
// which the server kit must be). Reads the ELF header and program headers only.
import { readFileSync } from 'node:fs';

const PT_INTERP = 3;

/** OpenWrt architecture names (as in an .ipk's Architecture field) and their ELF e_machine. */
const MACHINES = [
  [/^x86_64$/, 62, 'x86-64'],
  [/^aarch64(_|$)/, 183, 'AArch64'],
  [/^arm_/, 40, 'ARM'],
  [/^mips(el|64|64el)?_/, 8, 'MIPS'],
  [/^i386_/, 3, 'i386'],
  [/^riscv64_/, 243, 'RISC-V'],
];

/** Node's process.arch -> the OpenWrt name of a generic target of that CPU. */
const FROM_NODE = { x64: 'x86_64', arm64: 'aarch64_generic' };

/** This machine's architecture in OpenWrt's spelling, or null when there is no obvious one. */
export function hostOpenwrtArch() {
  return FROM_NODE[process.arch] ?? null;
}

/** { machine, machineName, interp } of an ELF file; throws when it is not one. */
export function readElf(file) {
  const b = readFileSync(file);
  if (b.length < 52 || b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF program`);
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  const u16 = (o) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const word = (o) => (is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : u32(o));
  const machine = u16(18);
  const phoff = word(is64 ? 32 : 28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  let interp = null;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (u32(ph) !== PT_INTERP) continue;
    const offset = word(is64 ? ph + 8 : ph + 4);
    const size = word(is64 ? ph + 32 : ph + 16);
    interp = b.subarray(offset, offset + size).toString('latin1').replace(/\0+$/, '');
  }
  const known = MACHINES.find((m) => m[1] === machine);
  return { machine, machineName: known ? known[2] : `machine ${machine}`, interp };
}

/** Throws unless the program at file runs on the OpenWrt architecture arch. */
export function checkArch(file, arch) {
  const want = MACHINES.find(([re]) => re.test(arch));
  if (!want) throw new Error(`unknown OpenWrt architecture '${arch}' (known: x86_64, aarch64_*, arm_*, mips*_*, i386_*, riscv64_*)`);
  const elf = readElf(file);
  if (elf.machine !== want[1]) throw new Error(`${file} is an ${elf.machineName} program, not for ${arch} (${want[2]})`);
  return elf;
}
