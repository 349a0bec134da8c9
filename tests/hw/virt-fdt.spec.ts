import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVirtFdt, DEFAULT_ISA, DEFAULT_MMU_TYPE } from '../../src/machine/virt-fdt.js';
import { DtsNode, dtbToDts, findNode, parseDts, pruneNodes } from './dts-tree.js';

const MiB = 1024 * 1024;
/** QEMU nodes for hardware we do not emulate. */
const NOT_EMULATED = /^(pmu|fw-cfg@.*|flash@.*|platform-bus@.*|pci@.*)$/;

function qemuAvailable(): boolean {
  try {
    execFileSync('qemu-system-riscv64', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Run QEMU's virt machine only to dump its device tree. */
function qemuDts(args: string[]): DtsNode {
  const dir = mkdtempSync(join(tmpdir(), 'virt-fdt-'));
  try {
    const dtb = join(dir, 'q.dtb');
    const kernel = join(dir, 'k.bin');
    writeFileSync(kernel, 'not a kernel\n');
    const expanded = args.map((a) => a.replace('@KERNEL@', kernel));
    execFileSync('qemu-system-riscv64', ['-M', `virt,dumpdtb=${dtb}`, '-nographic', ...expanded], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    return parseDts(dtbToDts(readFileSync(dtb)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Properties whose values legitimately differ: random seed, and the CPU we implement. */
function normalise(node: DtsNode): unknown {
  const props = [...node.props.entries()].map(([k, v]) => {
    if (k === 'rng-seed') return [k, `<${v.split(' ').length} cells>`];
    if (k === 'riscv,isa' || k === 'mmu-type') return [k, '(cpu model)'];
    return [k, v];
  });
  return { name: node.name, props, children: node.children.map(normalise) };
}

describe('machine/virt-fdt', () => {
  it('decompiles with dtc and has the key nodes', () => {
    const tree = parseDts(
      dtbToDts(buildVirtFdt({ numHarts: 2, ramBase: 0x80000000, ramSize: 256 * MiB, virtioCount: 8 })),
    );
    expect(findNode(tree, '/cpus')?.props.get('timebase-frequency')).to.equal('<0x989680>');
    expect(findNode(tree, '/cpus/cpu@1')?.props.get('riscv,isa')).to.equal(`"${DEFAULT_ISA}"`);
    expect(findNode(tree, '/cpus/cpu@1')?.props.get('mmu-type')).to.equal(`"${DEFAULT_MMU_TYPE}"`);
    expect(findNode(tree, '/cpus/cpu@0/interrupt-controller')).to.not.equal(undefined);
    expect(findNode(tree, '/cpus/cpu-map/cluster0/core1')).to.not.equal(undefined);
    expect(findNode(tree, '/memory@80000000')?.props.get('reg')).to.equal('<0x00 0x80000000 0x00 0x10000000>');
    for (const path of [
      '/soc/clint@2000000',
      '/soc/plic@c000000',
      '/soc/serial@10000000',
      '/soc/virtio_mmio@10001000',
      '/soc/virtio_mmio@10008000',
      '/soc/test@100000',
      '/soc/rtc@101000',
      '/poweroff',
      '/reboot',
    ]) {
      expect(findNode(tree, path), path).to.not.equal(undefined);
    }
    expect(findNode(tree, '/chosen')?.props.get('stdout-path')).to.equal('"/soc/serial@10000000"');
    expect(findNode(tree, '/chosen')?.props.has('bootargs')).to.equal(false);
  });

  it('describes only virtioCount transports and honours isa/mmu overrides', () => {
    const tree = parseDts(
      dtbToDts(
        buildVirtFdt({
          numHarts: 1,
          ramBase: 0x80000000,
          ramSize: 64 * MiB,
          virtioCount: 2,
          isa: 'rv64imac',
          mmuType: 'riscv,sv48',
          rngSeed: false,
        }),
      ),
    );
    const soc = findNode(tree, '/soc');
    expect(soc?.children.filter((c) => c.name.startsWith('virtio_mmio')).map((c) => c.name)).to.deep.equal([
      'virtio_mmio@10002000',
      'virtio_mmio@10001000',
    ]);
    expect(findNode(tree, '/cpus/cpu@0')?.props.get('riscv,isa')).to.equal('"rv64imac"');
    expect(findNode(tree, '/cpus/cpu@0')?.props.get('mmu-type')).to.equal('"riscv,sv48"');
    expect(findNode(tree, '/chosen')?.props.has('rng-seed')).to.equal(false);
  });

  it('encodes RAM above 4 GiB and initrd bounds', () => {
    const tree = parseDts(
      dtbToDts(
        buildVirtFdt({
          numHarts: 1,
          ramBase: 0x80000000,
          ramSize: 5 * 1024 * MiB,
          virtioCount: 8,
          initrd: { start: 0x88200000, end: 0x88200006 },
          bootargs: 'console=ttyS0',
        }),
      ),
    );
    expect(findNode(tree, '/memory@80000000')?.props.get('reg')).to.equal('<0x00 0x80000000 0x01 0x40000000>');
    const chosen = findNode(tree, '/chosen');
    expect(chosen?.props.get('linux,initrd-start')).to.equal('<0x88200000>');
    expect(chosen?.props.get('linux,initrd-end')).to.equal('<0x88200006>');
    expect(chosen?.props.get('bootargs')).to.equal('"console=ttyS0"');
  });

  it('rejects hart counts outside 1..16', () => {
    const base = { ramBase: 0x80000000, ramSize: 64 * MiB, virtioCount: 8 };
    expect(() => buildVirtFdt({ ...base, numHarts: 0 })).to.throw(RangeError);
    expect(() => buildVirtFdt({ ...base, numHarts: 17, maxHarts: 17 })).to.throw(RangeError);
    expect(() => buildVirtFdt({ ...base, numHarts: 3, maxHarts: 2 })).to.throw(RangeError);
  });

  describe('matches QEMU 7.2 (qemu-system-riscv64 -M virt,dumpdtb)', function () {
    before(function () {
      if (!qemuAvailable()) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!qemuAvailable()');
    });

    for (const smp of [1, 4]) {
      it(`-smp ${smp} -m 128M: same nodes, properties, order and values`, () => {
        const qemu = qemuDts(['-smp', String(smp), '-m', '128M']);
        pruneNodes(qemu, (name) => NOT_EMULATED.test(name));
        const ours = parseDts(
          dtbToDts(buildVirtFdt({ numHarts: smp, ramBase: 0x80000000, ramSize: 128 * MiB, virtioCount: 8 })),
        );
        expect(normalise(ours)).to.deep.equal(normalise(qemu));
      });
    }

    it('-kernel -initrd -append: same /chosen', () => {
      const qemu = qemuDts([
        '-smp', '2', '-m', '256M', '-kernel', '@KERNEL@', '-initrd', '@KERNEL@', '-append', 'console=ttyS0 rw',
      ]);
      const chosen = findNode(qemu, '/chosen');
      const start = Number(/<(0x[0-9a-f]+)>/.exec(chosen?.props.get('linux,initrd-start') ?? '')?.[1]);
      const end = Number(/<(0x[0-9a-f]+)>/.exec(chosen?.props.get('linux,initrd-end') ?? '')?.[1]);
      const ours = parseDts(
        dtbToDts(
          buildVirtFdt({
            numHarts: 2,
            ramBase: 0x80000000,
            ramSize: 256 * MiB,
            virtioCount: 8,
            bootargs: 'console=ttyS0 rw',
            initrd: { start, end },
          }),
        ),
      );
      const ourChosen = findNode(ours, '/chosen');
      expect(ourChosen && normalise(ourChosen)).to.deep.equal(chosen && normalise(chosen));
    });
  });
});
