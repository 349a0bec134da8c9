/**
 * HMP commands run through QEMU 7.2 and through tsemu's monitor (on a fake
 * target holding the same memory, vCPUs and trace events); the outputs must be
 * identical. Covers argument parsing and every error text of the commands
 * both have, trace events, run state, and x/xp in every format and size.
 * Skipped when qemu-system-riscv64 is not installed.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readQemuBytes } from '../cli/qemu-oracle.js';
import { FakeTarget, qemuLikeTarget } from './fake-target.js';
import { haveQemu, qemuHmp, tsemuHmp } from './transcript.js';

function compare(commands: readonly string[], qemu: { outputs: string[] }, ours: { outputs: string[] }): void {
  commands.forEach((cmd, i) => {
    expect(ours.outputs[i], `output of ${JSON.stringify(cmd)}`).to.equal(qemu.outputs[i]);
  });
}


const PARSING = [
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

describe('monitor/hmp: commands compared with QEMU 7.2', function () {
  this.timeout(60_000);
  before(function () {
    if (!haveQemu()) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!haveQemu()');
  });

  it('prints the same banner (with QEMU as the product name)', async () => {
    const qemu = qemuHmp([], []);
    const ours = await tsemuHmp(qemuLikeTarget(), []);
    expect(ours.banner).to.equal(qemu.banner);
  });

  it('parses arguments and reports errors with the same texts', async () => {
    const qemu = qemuHmp(['-smp', '2'], PARSING);
    const ours = await tsemuHmp(qemuLikeTarget(), PARSING);
    compare(PARSING, qemu, ours);
  });

  describe('x and xp', () => {
    let dir: string;
    let image: Uint8Array;
    let mrom: Uint8Array;

    before(function () {
      if (!haveQemu()) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!haveQemu()');
      dir = mkdtempSync(join(tmpdir(), 'tsemu-monitor-'));
      image = testImage();
      writeFileSync(join(dir, 'image.bin'), image);
      mrom = readQemuBytes(['-M', 'virt', '-bios', 'none'], 0x1000, 0x1000);
    });
    after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }); });

    function imageTarget(): FakeTarget {
      const t = qemuLikeTarget();
      const ram = new Uint8Array(0x10000);
      ram.set(image);
      t.map(0x80000000n, ram);
      t.map(0x1000n, mrom);
      return t;
    }

    it('dumps memory in every format and size like QEMU', async () => {
      const commands = DUMPS;
      const qemu = qemuHmp(['-device', `loader,file=${join(dir, 'image.bin')},addr=0x80000000`], commands);
      const ours = await tsemuHmp(imageTarget(), commands);
      compare(commands, qemu, ours);
    });

    it('disassembles like QEMU (x/i, xp/i)', async () => {
      const commands = DISAS;
      const qemu = qemuHmp(['-device', `loader,file=${join(dir, 'image.bin')},addr=0x80000000`], commands);
      const ours = await tsemuHmp(imageTarget(), commands);
      compare(commands, qemu, ours);
    });
  });
});

/**
 * Bytes 0..255, text with every character QEMU escapes in /c, negative
 * numbers, then instructions at +0x200: compressed, 32-bit, and the
 * 48/64-bit and over-long encodings QEMU's disassembler shows as illegal.
 */
function testImage(): Uint8Array {
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

const DUMPS = [
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

const DISAS = [
  'x /2i 0x1000', 'x /10i 0x1000', 'x /i 0x1000', 'x 0x1000', 'x /3 0x1000', 'xp /5i 0x1000', 'x /32i 0x80000200',
  'xp /8i 0x80000200', 'x /3i 0x0', 'xp /3i 0x0', 'x /ib 0x1000', 'x /2ig 0x1000', 'x /x 0x1000',
];
