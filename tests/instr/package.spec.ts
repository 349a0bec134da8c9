/**
 * What a user does with tsemu's package, outside the repository (src/instr/README.md, "The
 * package"): `npm pack` (scripts skipped: `npm test` has just built dist/), install the tarball
 * into a new project in a temporary directory, write a TypeScript library there that imports
 * only the documented entry points (tsemu/qemu-instr/events, /control, /types), type-check it
 * with the project's own `tsc`, and run it with the installed `tsemu-system-riscv64` on the
 * bundled demo guest at -smp 4.
 *
 * No network: the project gets a package-lock.json made of tsemu's own lock entries for its
 * run-time dependencies (exact versions and integrity hashes), so `npm ci --offline` takes every
 * tarball from the npm cache the repository's `npm install` filled.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { makeTempDir } from '../support/tools.js';
import { linesOf, REPO } from './helpers.js';

/** The library the user writes: public entry points only, module state merged in qi_merge, a scoreboard. */
const LIBRARY = `import { QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS,
  qi_event_guest_bbl_before_trans_gen_exec, type QI_GUEST_INST_BEFORE_TRANS_Callback, type QICPU } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_set_state_dynamic, type QIScoreboard } from 'tsemu/qemu-instr/control';
import type { QIInstanceResult, QITCGv_cpu } from 'tsemu/qemu-instr/types';

let insns: QIScoreboard;
const blocks = new Map<number, number>(); /* vCPU -> executed blocks, in this instance */
const countInsn: QI_GUEST_INST_BEFORE_TRANS_Callback = (_cpu: QICPU, tcg: QITCGv_cpu) => qi_gen_scoreboard_add(tcg, insns, 0, 1);

export function qi_init(): number {
  insns = qi_scoreboard_new(1);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, countInsn);
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, (cpu, tcg, pc) => qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg, pc));
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, (cpu) => { blocks.set(cpu.index, (blocks.get(cpu.index) ?? 0) + 1); });
  for (const ev of [QI_EVENT_GUEST_INST_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_EXEC]) qi_trace_event_set_state_dynamic(ev, true);
  return 0;
}

export const qi_fini = (): Map<number, number> => blocks;

export function qi_merge(results: readonly QIInstanceResult<Map<number, number>>[]): void {
  for (const r of results) for (const [cpu, n] of r.value) console.log(\`user-lib: cpu \${cpu} \${n} blocks \${insns.get(cpu, 0)} instructions\`);
  console.log(\`user-lib: \${results.length} instances\`);
}
`;

const TSCONFIG = {
  compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], skipLibCheck: true },
  files: ['count.ts'],
};

interface LockEntry { dev?: boolean }

/** The project's lock: tsemu from the tarball, its dependencies exactly as tsemu's own lock has them. */
function projectLock(tarball: string): unknown {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'user-project', dependencies: { tsemu: spec } },
    'node_modules/tsemu': { version: pkg.version, resolved: spec, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && entry.dev !== true) packages[path] = entry;
  return { name: 'user-project', lockfileVersion: 3, requires: true, packages };
}

/** The environment of a user's shell: none of the npm_* variables `npm test` sets for its scripts. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

function run(cmd: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, [...args], { cwd, env: userEnv(), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
}

function explain(r: SpawnSyncReturns<string>): string {
  return `status ${String(r.status)}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

describe('instr: the packed package, installed and used outside the repository', function () {
  this.timeout(240_000);
  let dir = '';
  let files: string[] = [];
  let tsc: SpawnSyncReturns<string>;
  let emu: SpawnSyncReturns<string>;

  before(function () {
    dir = makeTempDir('instr-package');
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO);
    expect(pack.status, explain(pack)).to.equal(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    files = info.files.map((f) => f.path);
    const project = join(dir, 'project');
    rmSync(project, { recursive: true, force: true });
    const tarball = join(dir, info.filename);
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module', dependencies: { tsemu: `file:${tarball}` } }, null, 2));
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(projectLock(tarball), null, 2));
    const install = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);
    expect(install.status, explain(install)).to.equal(0);
    writeFileSync(join(project, 'count.ts'), LIBRARY);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    tsc = run(join(project, 'node_modules/.bin/tsc'), ['-p', '.'], project);
    emu = run(join(project, 'node_modules/.bin/tsemu-system-riscv64'),
      ['-smp', '4', '-nographic', '-kernel', join(project, 'node_modules/tsemu/examples/guest/demo.elf'), '-instr', 'file=count.ts'], project);
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the tarball holds the CLI, the built program and API declarations, the firmware and the demo guest, no tests', function () {
    for (const f of ['bin/tsemu-system-riscv64.js', 'dist/src/threads/early-workers.js', 'dist/src/threads/main.js', 'dist/src/instr/api/events.d.ts',
      'dist/src/instr/api/control.d.ts', 'dist/src/instr/api/types.d.ts', 'firmware/bin/tsemu-sbi.elf', 'examples/guest/demo.elf', 'scripts/tracetool.mjs']) {
      expect(files, f).to.include(f);
    }
    expect(files.filter((f) => f.startsWith('dist/tests/') || f.startsWith('src/')), 'sources and tests').to.deep.equal([]);
  });

  it("the library type-checks with the project's own tsc (strict, NodeNext resolution through the package's exports)", function () {
    expect(tsc.status, explain(tsc)).to.equal(0);
  });

  it('the installed tsemu-system-riscv64 runs it: every instance reached qi_merge, every vCPU ran blocks and instructions', function () {
    expect(emu.status, explain(emu)).to.equal(0);
    expect(emu.stderr, explain(emu)).to.equal('');
    const out = linesOf(emu.stdout);
    expect(out, emu.stdout).to.include('user-lib: 6 instances'); // main, translator service, 4 vCPU workers
    for (const cpu of [0, 1, 2, 3]) {
      const m = out.map((l) => new RegExp(`^user-lib: cpu ${cpu} (\\d+) blocks (\\d+) instructions$`).exec(l)).find((r) => r !== null);
      expect(m, `vCPU ${cpu}: ${emu.stdout}`).to.not.equal(undefined);
      const [blocks, insns] = [Number(m?.[1]), Number(m?.[2])];
      expect(blocks, `vCPU ${cpu} blocks`).to.be.above(0);
      expect(insns, `vCPU ${cpu}: every block has at least one instruction`).to.be.at.least(blocks);
    }
  });
});
