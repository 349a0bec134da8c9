/**
 * Command-line parsing. Where QEMU 7.2 has the same behaviour, the expected output is what
 * qemu-system-riscv64 printed, kept in the committed transcripts tests/transcripts/cli/options/*
 * (options.oracle.spec.ts checks them against a live QEMU; options-cases.ts is the recipe both
 * share); tsemu-only rules are checked against the values written in src/cli/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { OptionError, parseCommandLine, versionText, helpText, type CommandLine, type MachineOptions } from '../../src/cli/options.js';
import { parseQemuSize } from '../../src/cli/size.js';
import { readTranscript } from '../support/transcripts.js';
import { asTsemu, local } from './qemu-oracle.js';
import {
  BASE, entryFor, errorCases, KEYS, LOG_ITEM_ARGS, makeFixtures, MEM_SIZES, removeFixtures, serialMonitorCombos, SMP_ARGS, warningCases,
  type DtbFacts, type Fixtures, type HelpListings, type LogItems, type QemuExit, type Warnings,
} from './options-cases.js';

function parseError(args: readonly string[]): string {
  try {
    parseCommandLine(args);
  } catch (err) {
    if (err instanceof OptionError) return err.message;
    throw err;
  }
  throw new Error(`no error for: ${args.join(' ')}`);
}

function run(args: readonly string[]): MachineOptions {
  const r = parseCommandLine(args);
  if (r.action !== 'run') throw new Error(`unexpected exit for: ${args.join(' ')}`);
  return r.options;
}

function exitOf(args: readonly string[]): Extract<CommandLine, { action: 'exit' }> {
  const r = parseCommandLine(args);
  if (r.action !== 'exit') throw new Error(`expected an exit for: ${args.join(' ')}`);
  return r;
}

describe('cli/options', function () {
  let f!: Fixtures;
  let dir = '';
  let img = '';
  let imgs: readonly string[] = [];

  before(function () {
    f = makeFixtures();
    ({ dir, img, imgs } = f);
  });
  after(function () {
    removeFixtures(f);
  });

  describe('errors match QEMU 7.2 (transcript)', function () {
    it('gives QEMU’s message (name aside) for each bad command line', function () {
      const recorded = readTranscript<QemuExit[]>(KEYS.errors);
      for (const c of errorCases(f)) {
        const args = [...BASE, ...c];
        const qemu = entryFor(recorded, args, f, KEYS.errors);
        expect(qemu.status, `QEMU exit status for ${c.join(' ')}`).to.equal(1);
        const ours = parseError(args);
        // QEMU sometimes adds a follow-up line (e.g. "could not connect serial device ..."): compare ours with its first lines.
        const qemuLines = asTsemu(local(qemu.stderr, dir)).split('\n').slice(0, ours.split('\n').length).join('\n');
        expect(ours, c.join(' ')).to.equal(qemuLines);
      }
    });
  });

  describe('values match QEMU 7.2 (transcript)', function () {
    it('computes -m sizes like QEMU', function () {
      const recorded = readTranscript<DtbFacts[]>(KEYS.memSizes);
      for (const m of MEM_SIZES) {
        expect(BigInt(run(['-m', m]).ramSize), `-m ${m}`).to.equal(BigInt(entryFor(recorded, ['-m', m], f, KEYS.memSizes).ram));
      }
    });

    it('computes the -smp CPU count like QEMU', function () {
      const recorded = readTranscript<DtbFacts[]>(KEYS.smpCounts);
      for (const s of SMP_ARGS) {
        expect(run(['-smp', ...s]).smp.cpus, `-smp ${s.join(' ')}`).to.equal(entryFor(recorded, ['-smp', ...s], f, KEYS.smpCounts).cpus);
      }
    });

    it('accepts or refuses serial/monitor combinations exactly as QEMU does', function () {
      const recorded = readTranscript<QemuExit[]>(KEYS.serialMonitor);
      for (const c of serialMonitorCombos(f)) {
        const q = entryFor(recorded, c, f, KEYS.serialMonitor);
        let ours = '';
        try {
          parseCommandLine(c);
        } catch (err) {
          if (!(err instanceof OptionError)) throw err;
          ours = err.message;
        }
        const stderr = local(q.stderr, dir);
        const qemuError = q.status === 0 ? '' : asTsemu(stderr).split('\n').find((l) => l.startsWith('tsemu-system-riscv64: ')) ?? stderr;
        expect(ours, c.join(' ')).to.equal(qemuError);
      }
    });

    it('prints QEMU’s warnings', function () {
      const recorded = readTranscript<Warnings[]>(KEYS.warnings);
      for (const args of warningCases(f)) {
        const q = entryFor(recorded, args, f, KEYS.warnings);
        expect(run(args).warnings.join('\n'), args.join(' ')).to.equal(asTsemu(local(q.warnings, dir)));
      }
    });

    it('lists accelerators exactly like QEMU and uses its help layouts', function () {
      const q = readTranscript<HelpListings>(KEYS.help);
      expect(exitOf(['-accel', 'help']).stdout).to.equal(q.accel);
      const ours = exitOf(['-M', 'help']).stdout.split('\n');
      expect(ours[0]).to.equal(q.machinesHeader);
      expect(ours[1]).to.equal(`${q.virtLine} (default)`);
      expect(q.cpus).to.include(exitOf(['-cpu', 'help']).stdout.trim());
      expect(exitOf(['-display', 'help']).stdout).to.equal(`${q.displaysHeader}\nnone\n`);
    });

    it('answers -d help / bad -d items like QEMU: the item list on stdout, status 1', function () {
      const q = readTranscript<LogItems>(KEYS.logItems);
      for (const d of LOG_ITEM_ARGS) {
        const recorded = q.cases.find((c) => c.d === d);
        if (recorded === undefined) throw new Error(`tests/transcripts/${KEYS.logItems}.json has no case for -d '${d}'`);
        const ours = exitOf([...BASE, '-d', d]);
        expect(ours.exitCode, `-d '${d}'`).to.equal(recorded.status);
        expect(ours.stdout.split('\n')[0], `-d '${d}'`).to.equal(recorded.firstLine);
      }
      // Every line of ours (items tsemu has, with QEMU's descriptions) appears in QEMU's list.
      for (const line of exitOf(['-d', 'help']).stdout.split('\n')) expect(q.list).to.include(line);
      // ... in QEMU's order: ours is QEMU's list with the items tsemu lacks left out (unimp included)
      let at = -1;
      for (const line of exitOf(['-d', 'help']).stdout.split('\n')) {
        const next = q.list.indexOf(line, at + 1);
        expect(next, `'${line}' comes after the line before it in QEMU's list`).to.be.greaterThan(at);
        at = next;
      }
      expect(exitOf(['-d', 'help']).stdout).to.include('unimp           log unimplemented functionality\n');
    });
  });

  describe('results', function () {
    it('takes -cpu rv64 properties with QEMU 7.2\'s defaults and boolean spellings, the last one winning', function () {
      const defaults = run([]).cpuExtensions;
      // QEMU 7.2's rv64 (`-device rv64-riscv-cpu,help`): bit manipulation on, Svinval/Svpbmt/Zfh off
      expect(defaults).to.deep.equal({
        zicsr: true, zifencei: true, zihintpause: true, zfh: false, zfhmin: false,
        zba: true, zbb: true, zbc: true, zbs: true, sstc: true, svinval: false, svpbmt: false,
      });
      const o = run(['-cpu', 'rv64,zba=off,zbb=no,zbc=n,zbs=false,svinval=on,,h=false,zba=yes,Zfhmin=true,pmp=true,svpbmt=y']);
      expect(o.cpuExtensions).to.deep.equal({ ...defaults, zbb: false, zbc: false, zbs: false, svinval: true, zfhmin: true, svpbmt: true });
      expect(run(['-cpu', 'rv64,Zfh=on']).cpuExtensions).to.deep.equal({ ...defaults, zfh: true });
    });

    it('defaults like QEMU virt: 1 CPU, 128 MiB, -bios default, multi-threaded TCG', function () {
      const o = run([]);
      expect(o.smp).to.deep.equal({ cpus: 1, maxCpus: 1, sockets: 1, cores: 1, threads: 1 });
      expect(o.ramSize).to.equal(128 * 1024 * 1024);
      expect(o.bios).to.deep.equal({ kind: 'default' });
      expect(o.accel).to.deep.equal({ kind: 'tcg', thread: 'multi' });
      expect(o.serials).to.deep.equal([{ backend: { kind: 'vc' }, muxMonitor: false, origin: undefined }]);
      expect(o.monitors).to.deep.equal([{ backend: { kind: 'vc' }, mode: 'readline', origin: undefined }]);
    });

    it('parses a full command line', function () {
      const o = run([
        '-machine', `virt,dumpdtb=${join(dir, 'x.dtb')}`, '-cpu', 'rv64', '--smp', '4,maxcpus=8', '-m', '256M', '-bios', 'none',
        '-kernel', 'k.elf', '-append', 'console=ttyS0 root=/dev/vda', '-initrd', 'rd.cpio',
        '-drive', `file=${img},format=raw,if=none,id=hd0,readonly=on`, '-device', 'virtio-blk-device,drive=hd0,id=blk0',
        '-nographic', '-no-reboot', '-S', '-d', 'in_asm,int,trace:virtio_*', '-D', 'log.txt',
        '-trace', 'enable=uart*,file=t.log', '-trace', 'events=ev.txt', '-instr', 'file=cov.js,arg=a,arg=b,,c', '-instr', 'x.js',
        '-accel', 'tcg,thread=single',
      ]);
      expect(o.dumpDtb).to.equal(join(dir, 'x.dtb'));
      expect(o.smp).to.deep.equal({ cpus: 4, maxCpus: 8, sockets: 1, cores: 8, threads: 1 });
      expect(o.ramSize).to.equal(256 * 1024 * 1024);
      expect([o.bios, o.kernel, o.append, o.initrd]).to.deep.equal([{ kind: 'none' }, 'k.elf', 'console=ttyS0 root=/dev/vda', 'rd.cpio']);
      expect(o.drives).to.have.length(1);
      expect(o.drives[0]).to.include({ id: 'hd0', file: img, interface: 'none', readOnly: true, snapshot: false });
      expect(o.devices).to.deep.equal([{ driver: 'virtio-blk-device', drive: 'hd0', id: 'blk0', busName: undefined, bus: 7, origin: '-device virtio-blk-device,drive=hd0,id=blk0' }]);
      expect(o.globals).to.deep.equal({ virtioMmioForceLegacy: true }); // QEMU 7.2's default
      expect(o.serials).to.deep.equal([{ backend: { kind: 'stdio' }, muxMonitor: true, origin: undefined }]);
      expect(o.monitors).to.deep.equal([]);
      expect([o.nographic, o.noReboot, o.startStopped]).to.deep.equal([true, true, true]);
      expect(o.logItems).to.deep.equal(['in_asm', 'int']);
      expect(o.logTracePatterns).to.deep.equal(['virtio_*']);
      expect(o.logFile).to.equal('log.txt');
      expect(o.traces).to.deep.equal([
        { enable: 'uart*', events: undefined, file: 't.log' },
        { enable: undefined, events: 'ev.txt', file: undefined },
      ]);
      expect(o.instruments).to.deep.equal([{ file: 'cov.js', args: ['a', 'b,c'] }, { file: 'x.js', args: [] }]);
      expect(o.accel.thread).to.equal('single');
      expect(o.warnings).to.deep.equal([]);
    });

    it('resolves -nographic / -serial / -monitor defaults as QEMU does', function () {
      expect(run(['-nographic', '-monitor', 'none']).serials).to.deep.equal([{ backend: { kind: 'stdio' }, muxMonitor: false, origin: undefined }]);
      const withSerial = run(['-nographic', '-serial', 'null']);
      expect(withSerial.monitors).to.deep.equal([{ backend: { kind: 'stdio' }, mode: 'readline', origin: undefined }]);
      expect(run(['-nographic', '-nodefaults']).serials).to.deep.equal([]);
      expect(run(['-serial', 'none']).serials).to.deep.equal([]);
      const sockets = run(['-monitor', 'unix:/tmp/m.sock,server,nowait', '-qmp', 'tcp::4444,server=on,wait=off', '-serial', 'file:out.txt']);
      expect(sockets.monitors.map((m) => [m.mode, m.backend])).to.deep.equal([
        ['readline', { kind: 'unix', path: '/tmp/m.sock', server: true, wait: false }],
        ['control', { kind: 'tcp', host: '', port: 4444, server: true, wait: false }],
      ]);
      expect(sockets.serials[0]?.backend).to.deep.equal({ kind: 'file', path: 'out.txt' });
      expect(run(['-monitor', 'tcp:127.0.0.1:5555,server']).monitors[0]?.backend).to.deep.equal({ kind: 'tcp', host: '127.0.0.1', port: 5555, server: true, wait: true });
    });

    it('names drives like QEMU (none0, virtio0) and adds a virtio-blk-pci per if=virtio drive, after the -device ones', function () {
      const o = run(['-drive', `file=${img},format=raw`, '-drive', `file=${imgs[0] ?? ''},format=raw,if=virtio,readonly=on`, '-drive', `file=${imgs[1] ?? ''},format=raw,id=mine`, '-device', 'virtio-blk-device,drive=mine', '-device', 'virtio-rng']);
      expect(o.drives.map((d) => [d.id, d.interface])).to.deep.equal([['none0', 'none'], ['virtio0', 'virtio'], ['mine', 'none']]);
      expect(o.devices.map((d) => `${d.driver} ${'drive' in d ? d.drive ?? '' : ''}`)).to.deep.equal(['virtio-blk-device mine', 'virtio-rng-pci ', 'virtio-blk-pci virtio0']);
      // QEMU 7.2: the rng given first takes slot 1, the if=virtio disk slot 2
      expect(o.devices.map((d) => ('slot' in d ? d.slot : undefined))).to.deep.equal([undefined, 1, 2]);
    });

    it('applies -snapshot to every drive unless the drive says snapshot=off', function () {
      const o = run(['-drive', `file=${img},format=raw,id=a`, '-snapshot', '-drive', `file=${imgs[0] ?? ''},format=raw,id=b,snapshot=off`]);
      expect(o.drives.map((d) => d.snapshot)).to.deep.equal([true, false]);
      expect(o.snapshot).to.equal(true);
    });

    it('merges repeated -smp and -m like QEMU (later keys win)', function () {
      expect(run(['-smp', '2', '-smp', 'maxcpus=4']).smp).to.deep.equal({ cpus: 2, maxCpus: 4, sockets: 1, cores: 4, threads: 1 });
      expect(run(['-m', '256', '-m', '512']).ramSize).to.equal(512 * 1024 * 1024);
    });

    it('accepts rv64-riscv-cpu devices up to maxcpus', function () {
      const o = run(['-smp', '1,maxcpus=2', '-device', 'rv64-riscv-cpu,id=cpu1,core-id=1']);
      expect(o.devices).to.deep.equal([{ driver: 'rv64-riscv-cpu', id: 'cpu1', socketId: undefined, coreId: 1, threadId: undefined, origin: '-device rv64-riscv-cpu,id=cpu1,core-id=1' }]);
      expect(parseError(['-smp', '1', '-device', 'rv64-riscv-cpu'])).to.equal('tsemu-system-riscv64: -device rv64-riscv-cpu: no free CPU slot: maxcpus is 1 (use -smp N,maxcpus=M)');
    });

    it('returns help and version texts', function () {
      expect(exitOf(['-h'])).to.deep.equal({ action: 'exit', stdout: helpText(), exitCode: 0 });
      expect(exitOf(['--help', '-foo']).stdout).to.equal(helpText());
      expect(exitOf(['-version'])).to.deep.equal({ action: 'exit', stdout: versionText(), exitCode: 0 });
      expect(versionText().split('\n')[0]).to.equal('tsemu-system-riscv64 version 0.1.0 (QEMU-compatible)');
      const pkg: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
      expect(pkg).to.have.property('version', '0.1.0');
      expect(exitOf(['-device', 'help']).stdout).to.contain('name "virtio-blk-device", bus virtio-bus');
      for (const opt of ['-machine', '-cpu', '-smp', '-m', '-bios', '-kernel', '-append', '-initrd', '-drive', '-device', '-nographic', '-serial', '-monitor', '-qmp', '-display', '-no-reboot', '-S', '-d', '-D', '-snapshot', '-trace', '-instr', '-accel', '-version']) {
        expect(helpText(), opt).to.match(new RegExp(`^${opt}\\b`, 'm'));
      }
    });
  });

  describe('tsemu limits and deviations (documented in src/cli/README.md)', function () {
    it('limits -smp to 8 boot CPUs and 16 in total', function () {
      expect(run(['-smp', '8,maxcpus=16']).smp.maxCpus).to.equal(16);
      expect(parseError(['-smp', '9,maxcpus=16'])).to.equal("tsemu-system-riscv64: Invalid SMP CPUs 9. The max CPUs supported at boot by machine 'virt' is 8");
      expect(parseError(['-smp', '4,maxcpus=17'])).to.equal("tsemu-system-riscv64: Invalid SMP CPUs 17. The max CPUs supported by machine 'virt' is 16");
      // QEMU's own check prints the unsigned value with %d, hence -1 (QEMU says "... is 512").
      expect(parseError(['-smp', '-1'])).to.equal("tsemu-system-riscv64: Invalid SMP CPUs -1. The max CPUs supported by machine 'virt' is 16");
    });

    it('takes -m from 16M up (the host’s allocation is the upper limit, as on QEMU)', function () {
      expect(run(['-m', '16M']).ramSize).to.equal(16 * 1024 * 1024);
      expect(run(['-m', '2G']).ramSize).to.equal(2 * 1024 * 1024 * 1024);
      expect(run(['-m', '4G']).ramSize).to.equal(4 * 1024 * 1024 * 1024);
      expect(run(['-m', 'size=8G']).ramSize).to.equal(8 * 1024 * 1024 * 1024);
      expect(run(['-m', '8193']).ramSize).to.equal(8193 * 1024 * 1024);
      expect(run(['-m', '1000T']).ramSize).to.equal(1000 * 2 ** 40);
      expect(parseError(['-m', '15'])).to.equal('tsemu-system-riscv64: -m 15: ram size too small (tsemu needs at least 16M)');
      expect(parseError(['-m', 'maxmem=1G'])).to.equal("tsemu-system-riscv64: -m maxmem=1G: parameter 'maxmem' is not supported by tsemu (no memory hot-plug)");
    });

    it('uses virt when no -M is given (QEMU would pick spike) and rejects QEMU’s other machines', function () {
      expect(run(['-m', '64']).machine).to.equal('virt');
      expect(parseError(['-M', 'spike'])).to.equal("tsemu-system-riscv64: machine type 'spike' is not supported by tsemu\nUse -machine help to list supported machines");
    });

    it('refuses QEMU features tsemu lacks with a clear message', function () {
      expect(parseError(['-constructor'])).to.equal('tsemu-system-riscv64: -constructor: invalid option');
      expect(parseError(['-object', 'rng-random,id=r0'])).to.equal('tsemu-system-riscv64: -object: option not supported by tsemu');
      expect(parseError(['-display', 'gtk'])).to.equal("tsemu-system-riscv64: -display gtk: display 'gtk' is not supported by tsemu (only 'none')");
      expect(parseError(['-cpu', 'rv64,h=true'])).to.equal('tsemu-system-riscv64: -cpu rv64,h=true: tsemu does not implement the H (hypervisor) extension');
      expect(parseError(['-cpu', 'rv64,v=true'])).to.equal("tsemu-system-riscv64: -cpu rv64,v=true: CPU property 'v' can only be off in tsemu");
      expect(parseError(['-cpu', 'sifive-u54'])).to.equal("tsemu-system-riscv64: unable to find CPU model 'sifive-u54'");
      expect(parseError(['-device', 'virtio-rng-device'])).to.equal("tsemu-system-riscv64: -device virtio-rng-device: device 'virtio-rng-device' is not supported by tsemu (use virtio-blk-device)");
      expect(parseError(['-drive', `file=${img},format=qcow2`])).to.equal(`tsemu-system-riscv64: -drive file=${img},format=qcow2: image format 'qcow2' is not supported by tsemu (only raw)`);
      expect(parseError(['-drive', `file=${img},if=sd`])).to.equal(`tsemu-system-riscv64: -drive file=${img},if=sd: machine type does not support if=sd,bus=0,unit=0`);
      expect(parseError(['-serial', 'pty'])).to.equal("tsemu-system-riscv64: -serial pty: char device 'pty' is not supported by tsemu (use stdio, null, file:, unix: or tcp:)");
      expect(parseError(['-monitor', 'unix:/tmp/m.sock'])).to.equal("tsemu-system-riscv64: -monitor unix:/tmp/m.sock: client-mode unix sockets are not supported by tsemu (add ',server,nowait')");
      expect(parseError(['-instr', 'arg=1'])).to.equal("tsemu-system-riscv64: -instr arg=1: Parameter 'file' is missing");
      expect(parseError(['-instr', 'file=a.js,foo=1'])).to.equal("tsemu-system-riscv64: -instr file=a.js,foo=1: Invalid parameter 'foo'");
    });
  });

  describe('parseQemuSize (qemu_strtosz)', function () {
    it('follows QEMU 7.2 for suffixes, fractions, hex and overflow', function () {
      const M = 1024n * 1024n;
      expect(parseQemuSize('1.5G')).to.equal(1536n * M);
      expect(parseQemuSize('2.7k')).to.equal(2765n); // 2764.8 rounds half up
      expect(parseQemuSize('0x10M')).to.equal(16n * M);
      expect(parseQemuSize('0x1E')).to.equal(30n); // hex digits win over the E suffix
      expect(parseQemuSize('16E')).to.equal(undefined); // 2^64: too large
      expect(parseQemuSize('15.99999E')).to.not.equal(undefined);
      expect(parseQemuSize('1.5')).to.equal(undefined);
      expect(parseQemuSize('0x1.8M')).to.equal(undefined);
      expect(parseQemuSize('')).to.equal(undefined);
    });
  });
});
