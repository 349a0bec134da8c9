/** Reading the loadable segments of a little-endian ELF64 and writing one (what the fuzzers need). */
export interface Segment {
  addr: number;
  data: Buffer;
}

/** The PT_LOAD segments of an ELF64 file (file-backed bytes, zero-extended to p_memsz). */
export function loadSegments(elf: Buffer): Segment[] {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  const out: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (elf.readUInt32LE(p) !== 1) continue;
    const offset = Number(elf.readBigUInt64LE(p + 8));
    const paddr = Number(elf.readBigUInt64LE(p + 24));
    const filesz = Number(elf.readBigUInt64LE(p + 32));
    const memsz = Number(elf.readBigUInt64LE(p + 40));
    const data = Buffer.alloc(memsz);
    elf.copy(data, 0, offset, offset + filesz);
    out.push({ addr: paddr, data });
  }
  return out;
}

/** An ELF64 RISC-V executable with one RWX PT_LOAD per segment (paddr = vaddr). */
export function buildElf(entry: number, segments: readonly Segment[]): Buffer {
  const EH = 64;
  const PH = 56;
  let offset = EH + PH * segments.length;
  offset = (offset + 15) & ~15;
  const header = Buffer.alloc(offset);
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header[6] = 1; // version
  header.writeUInt16LE(2, 0x10); // ET_EXEC
  header.writeUInt16LE(243, 0x12); // EM_RISCV
  header.writeUInt32LE(1, 0x14);
  header.writeBigUInt64LE(BigInt(entry), 0x18);
  header.writeBigUInt64LE(BigInt(EH), 0x20);
  header.writeUInt32LE(0x5, 0x30); // e_flags: RVC, double-float ABI
  header.writeUInt16LE(EH, 0x34);
  header.writeUInt16LE(PH, 0x36);
  header.writeUInt16LE(segments.length, 0x38);
  const parts: Buffer[] = [header];
  segments.forEach((s, i) => {
    const p = EH + i * PH;
    header.writeUInt32LE(1, p); // PT_LOAD
    header.writeUInt32LE(7, p + 4); // RWX
    header.writeBigUInt64LE(BigInt(offset), p + 8);
    header.writeBigUInt64LE(BigInt(s.addr), p + 16);
    header.writeBigUInt64LE(BigInt(s.addr), p + 24);
    header.writeBigUInt64LE(BigInt(s.data.length), p + 32);
    header.writeBigUInt64LE(BigInt(s.data.length), p + 40);
    header.writeBigUInt64LE(8n, p + 48);
    parts.push(s.data);
    offset += s.data.length;
  });
  return Buffer.concat(parts);
}
