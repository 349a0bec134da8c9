/**
 * The recipe both tiers of the HMP comparison with QEMU 7.2 share: the command lines, the memory
 * image and the QEMU command lines they run with, how QEMU's MROM is read (tsemu's fake target
 * gets the same bytes), and what a transcript keeps: the banner and each command's output
 * (tests/transcripts/monitor/hmp/*.json). hmp-compare.unit.spec.ts runs tsemu's monitor against the
 * transcripts, hmp-compare.oracle.spec.ts runs QEMU and checks them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QEMU_BINARY } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { FakeTarget, qemuLikeTarget } from './fake-target.js';
import { QEMU_BASE_ARGS, qemuHmp, type HmpTranscript } from './transcript.js';

/** What a transcript keeps of one QEMU session: its banner, and [command line, output] pairs. */
export type HmpRecord = { banner: string; outputs: [string, string][] };

export function hmpRecord(commands: readonly string[], t: HmpTranscript): HmpRecord {
  return { banner: t.banner, outputs: commands.map((c, i) => [c, t.outputs[i] ?? '']) };
}

export const PARSING = [
  'foo', '  foo', 'foo/bar x', 'info foo', 'info  foo bar', 'x', 'x /x', 'x /q 0x1000', 'x /4xz 0x1000', 'x /-2x 0x1000',
  'x /2 x 0x1000', 'x /x 0x1000 3', 'x 0x1000 )', 'x (0x1000', 'x 5/0', 'x 7%0', 'x $pc', 'x $foo.bar',
  'x 10000000000000000000000', 'x 18446744073709551616', 'x 0x1000 +', "x 'ab'", "x '", "x ''", 'x 0x', 'x 08',
  'stop x', 'cont 1', 'system_reset now', 'cpu', 'cpu x', 'cpu 5', 'cpu 0x100000000', 'cpu -1', 'cpu 1', 'cpu 0',
  'help cpu', 'help q', 'help c', 'help quit', 'help s', 'help help', 'help ?', 'help info cpus', 'help info registers',
  'help info trace-events', 'help info status', 'help info version', 'help info history', 'help info hotpluggable-cpus',
  'help info foo', 'help foo', 'help info cpus extra', 'help x y', 'help x', 'help xp', 'help trace-event', 'help system_reset',
  'help device_add', 'help device_del', 'help logfile', '? stop',
  'info registers -b', 'info registers x', 'info registers 5', 'info registers -a x', 'info   registers   zz', 'info registers 0x100000000',
  'trace-event', 'trace-event guest_cpu_enter', 'trace-event guest_cpu_enter yes', 'trace-event guest_cpu_enter onx',
  'trace-event foo_zzz on', 'trace-event guest_cpu_enter on 9', 'trace-event memory_region_ops_read on 0',
  'trace-event guest_cpu_enter on 0x80000000', 'trace-event guest_cpu_enter on -1', 
  'info trace-events guest_cpu_enter -1', 'info trace-events guest_cpu_enter 0x80000000', 'info trace-events nonexist_zzz',
  'info trace-events zzz*', 'info trace-events guest_cpu*', 'trace-event guest_cpu_enter on', 'info trace-events guest_cpu*',
  // QEMU applies per-vCPU state asynchronously: no reads of it after a per-vCPU change.
  'trace-event guest_cpu_exit on 1', 'trace-event qxl_io_write_vga on', 'info trace-events qxl_io_write_vga',
  'trace-event qxl_io_write_v* on', 'info trace-events qxl_io_write_v*', 'info trace-events qxl_io_write_vg?',
  'info trace-events gu*cpu_e?ter', 'info trace-events guest_cpu_enter 1 2', 'trace-event "guest_cpu_reset" on',
  'info trace-events guest_cpu_reset',
  'trace-event memory_region_ops_* on', 'info trace-events memory_region_ops_*', 'info trace-events memory_region_ops_* 0',
  'trace-event memory_region_ops_write off', 'info trace-events memory_region_ops_*',
  'device_add', 'device_del', 'log', 'logfile', 'info version',
  'info status', 'cont', 'info status', 's', 'info status', 'c', 'info status', 'stop', 'info status',
  'quit now', 'q 1',
];

/**
 * Bytes 0..255, text with every character QEMU escapes in /c, negative
 * numbers, then instructions at +0x200: compressed, 32-bit, and the
 * 48/64-bit and over-long encodings QEMU's disassembler shows as illegal.
 */
export function testImage(): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < 256; i++) bytes.push(i);
  bytes.push(...Buffer.from("Hello, 'world'\\\n\r\t\x7f", 'latin1'), 0x80, 0xff, ...Buffer.from(' end', 'latin1'));
  bytes.push(0xef, 0xbe, 0xad, 0xde, 0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
  while (bytes.length < 0x200) bytes.push(0);
  const halfwords = [
    0x4501, 0x8082, 0x0001, 0x1141, 0xe406, 0x6422, 0x0141, // c.li, ret, c.nop, c.addi sp, c.sdsp, c.ldsp, c.addi
    0x0297, 0x0000, 0x8613, 0x0282, 0x2573, 0xf140, 0x0533, 0x00b5, // auipc, addi, csrr mhartid, add
    0x006f, 0x0000, 0x0ee3, 0xfe05, 0xa023, 0x00b5, 0x000b, 0x0000, // j ., beqz, sw, custom-0
    0x2007, 0x0005, 0x0053, 0x0200, 0x302f, 0x00b5, 0x0073, 0x1050, // flw, fadd.s, amoadd.d, wfi
    0x001f, 0x1234, 0x5678, // a 48-bit encoding
    0x003f, 0x1111, 0x2222, 0x3333, // a 64-bit encoding
    0x0000, 0xffff, // illegal 16-bit, then an encoding longer than 64 bits
  ];
  for (const h of halfwords) bytes.push(h & 0xff, h >> 8);
  return Uint8Array.from(bytes);
}

export const DUMPS = [
  'x 0x80000000', 'x /4x 0x80000000', 'x /20xb 0x80000000', 'x /9xh 0x80000000', 'x /5xw 0x80000000', 'x /3xg 0x80000000',
  'x /3g 0x80000000', 'x /3 0x80000000', 'x 0x80000000', 'x /20db 0x80000080', 'x /10dh 0x80000080', 'x /6dw 0x800000f0',
  'x /3dg 0x80000120', 'x /20ub 0x80000080', 'x /10uh 0x80000080', 'x /6uw 0x800000f0', 'x /3ug 0x80000120',
  'x /20ob 0x80000080', 'x /10oh 0x80000080', 'x /6ow 0x800000f0', 'x /3og 0x80000120', 'x /4og 0x80000000',
  'x /40c 0x80000100', 'x /4c 0x80000100', 'x /20cw 0x80000100', 'x /3cg 0x80000100', 'x /20c 0x80000000',
  'x /2cb 0x80000000', 'x /7xL 0x80000000', 'x /bx 0x80000003', 'x /3hx 0x80000001', 'x /2wd 0x800000fc', 'x /wu 0x800000fc',
  'xp /4x 0x80000000', 'xp /4xb 0x80000000', 'xp /2xg 0x1000', 'x /2xg 0x1000', 'xp /5xw 0x1018',
  'xp /4x 0x0', 'x /4x 0x0', 'x -8', 'x /2xg -8', 'xp /2xg -8', 'x /8xb 0x100fffc', 'x ~0xfff', 'x 0x8000000000000000',
  'x /0x 0x1000', 'x /x 0x1000+8', 'x 0x1000 + 4', 'x 0x1000*2/2', 'x 2-3*4', 'x (1|2)^3&7', 'x 017', 'x -0x8000000000000000',
  'x /2 - 8', 'x/2x 0x1000', "x/x 'a'+0x80000000", 'x /100xb 0x80000000', 'x /33xh 0x80000000',
];

export const DISAS = [
  'x /2i 0x1000', 'x /10i 0x1000', 'x /i 0x1000', 'x 0x1000', 'x /3 0x1000', 'xp /5i 0x1000', 'x /32i 0x80000200',
  'xp /8i 0x80000200', 'x /3i 0x0', 'xp /3i 0x0', 'x /ib 0x1000', 'x /2ig 0x1000', 'x /x 0x1000',
];

/** The image is loaded at 0x80000000 with `-device loader,file=IMAGE,addr=0x80000000`. */
export const IMAGE_ADDR = 0x80000000n;
export const imageArgs = (imagePath: string): string[] => ['-device', `loader,file=${imagePath},addr=0x80000000`];

/** One HMP session per case: transcript key, QEMU's extra arguments (IMAGE: the test image), commands. */
export const HMP_CASES = {
  banner: { key: 'monitor/hmp/banner', args: [] as string[], commands: [] as string[] },
  parsing: { key: 'monitor/hmp/parsing', args: ['-smp', '2'], commands: PARSING },
  dumps: { key: 'monitor/hmp/x-xp-dumps', args: ['IMAGE'], commands: DUMPS },
  disas: { key: 'monitor/hmp/x-xp-disas', args: ['IMAGE'], commands: DISAS },
} as const;

export type HmpCase = (typeof HMP_CASES)[keyof typeof HMP_CASES];

/** QEMU's MROM (the reset vector ROM at 0x1000) as `-M virt -bios none` fills it: 0x1000 bytes. */
export const MROM = { key: 'monitor/hmp/mrom', addr: 0x1000, length: 0x1000, args: ['-M', 'virt', '-bios', 'none'] } as const;

/** What the MROM transcript keeps: the bytes, base64. */
export type MromRecord = { base64: string };

/** A fake target like QEMU's for the dumps: the image in RAM at IMAGE_ADDR, QEMU's MROM at 0x1000. */
export function imageTarget(image: Uint8Array, mrom: Uint8Array): FakeTarget {
  const t = qemuLikeTarget();
  const ram = new Uint8Array(0x10000);
  ram.set(image);
  t.map(IMAGE_ADDR, ram);
  t.map(BigInt(MROM.addr), mrom);
  return t;
}

/**
 * Oracle tier: runs one case on QEMU (the test image written to a temporary file when the case
 * loads it); returns the record and the command line (for the transcript).
 */
export function runQemuCase(c: HmpCase): { record: HmpRecord; command: string[] } {
  const dir = makeTempDir('monitor');
  try {
    const image = join(dir, 'image.bin');
    writeFileSync(image, testImage());
    const args = c.args.flatMap((a) => (a === 'IMAGE' ? imageArgs(image) : [a]));
    const t = qemuHmp(args, c.commands);
    return { record: hmpRecord(c.commands, t), command: [QEMU_BINARY, ...QEMU_BASE_ARGS, '-monitor', 'stdio', ...args] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Oracle tier: starts QEMU stopped (-S) with a monitor on stdio and saves the MROM with
 * `pmemsave` (to a file: QEMU may exit before flushing long monitor output).
 */
export function readQemuMrom(): { bytes: Uint8Array; command: string[] } {
  const dir = makeTempDir('pmem');
  const file = join(dir, 'mem.bin');
  try {
    const args = ['-S', '-display', 'none', '-nodefaults', '-monitor', 'stdio', ...MROM.args];
    const r = spawnSync(QEMU_BINARY, args, { input: `pmemsave 0x${MROM.addr.toString(16)} ${MROM.length} "${file}"\nquit\n`, encoding: 'utf8', timeout: 15_000 });
    if (!existsSync(file)) throw new Error(`QEMU saved no memory (status ${String(r.status)}): ${r.stderr}`);
    const command = [QEMU_BINARY, ...args, `(monitor: pmemsave 0x${MROM.addr.toString(16)} ${MROM.length} FILE)`];
    return { bytes: new Uint8Array(readFileSync(file)), command };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `info hotpluggable-cpus` as QEMU 7.2 prints it (riscv has no CPU hotplug in QEMU 7.2, s390x
 * has): one CPU of four, core 2 plugged as `c2`. The transcript keeps that command's output.
 */
export const HOTPLUG_S390X = {
  key: 'monitor/hmp/hotpluggable-cpus-s390x',
  binary: 'qemu-system-s390x',
  args: ['-M', 's390-ccw-virtio', '-S', '-smp', '1,maxcpus=4', '-display', 'none', '-serial', 'none', '-monitor', 'stdio'],
  input: 'device_add qemu-s390x-cpu,id=c2,core-id=2\ninfo hotpluggable-cpus\nquit\n',
} as const;

export type HotplugRecord = { infoHotpluggableCpus: string };

/** Oracle tier: QEMU's output of `info hotpluggable-cpus` ("\n" line ends). */
export function qemuS390xHotpluggableCpus(): HotplugRecord {
  const r = spawnSync(HOTPLUG_S390X.binary, HOTPLUG_S390X.args, { input: HOTPLUG_S390X.input, encoding: 'latin1', timeout: 30_000 });
  const chunks = r.stdout.split('(qemu) ');
  const chunk = chunks[2] ?? '';
  return { infoHotpluggableCpus: chunk.slice(chunk.indexOf('\x1b[K\r\n') + 5).replace(/\r\n/g, '\n') };
}

/** The fake target of the same machine: four slots, core 0 the boot CPU, core 2 plugged as c2. */
export function s390xLikeTarget(): FakeTarget {
  const target = new FakeTarget();
  target.slots = [0, 1, 2, 3].map((core) => ({
    type: 'qemu-s390x-cpu', vcpusCount: 1, props: { coreId: core },
    qomPath: core === 0 ? '/machine/unattached/device[0]' : core === 2 ? '/machine/peripheral/c2' : undefined,
  }));
  return target;
}
