/**
 * Loading and unloading libraries with `-instr`: every way a load can fail
 * ends the run with one line on stderr and exit status 1 (no stack trace);
 * a callback that throws unloads its library with one line naming it, the
 * event and the error while the guest runs on; and a library anywhere on
 * disk, importing the API by the package's name, loads — and type-checks
 * with tsc against the installed package's declarations.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { INSTR_LIBS, PROGRAM, REPO, describeRun, expectCleanFailure, linesOf, runPooled } from './helpers.js';
import { COUNT_ELF, qemuInstructionCount } from './qemu-count.js';

function runWith(instrArg: string): Promise<GuestRunResult> {
  return runTsemu(virtKernelArgs(COUNT_ELF, ['-instr', instrArg]), { timeoutMs: 60_000 });
}

/** Test-only library sources with known mistakes (written to a temp dir: the build must not compile them). */
const BROKEN = {
  // line 2, column 13: the `;` where an expression is expected
  'syntax-error.ts': 'export function qi_init(): void {\n  const x = ;\n}\nexport function qi_fini(): void {}\n',
  'syntax-error.js': 'export function qi_init() {\n  const x = ;\n}\nexport function qi_fini() {}\n',
  // a missing `)`: the parser recovers, and a type error appears earlier on the line than the syntax error
  'syntax-error-params.ts': 'export function qi_init(argc: number {\n  void argc;\n}\nexport function qi_fini(): void {}\n',
  // line 2, column 9: `n` gets a string
  'type-error.ts': 'export function qi_init(): void {\n  const n: number = "not a number";\n  void n;\n}\nexport function qi_fini(): void {}\n',
  // line 5, column 47: a guest_cpu_enter callback whose parameter is not a QICPU
  'callback-type-error.ts': [
    "import { QI_EVENT_GUEST_CPU_ENTER } from 'tsemu/qemu-instr/events';",
    "import { qi_ctrl_event_set } from 'tsemu/qemu-instr/control';",
    'export function enter(cpu: string): void { void cpu; }',
    'export function qi_init(): void {',
    '  qi_ctrl_event_set(QI_EVENT_GUEST_CPU_ENTER, enter);',
    '}',
    'export function qi_fini(): void {}',
    '',
  ].join('\n'),
} as const;

/** `file:line:col: text` at the start of the message after `-instr: `, with the file resolved against the repository. */
function location(line: string): { file: string; line: number; col: number; text: string } {
  const m = /-instr: (.+?):(\d+):(\d+): (.+)$/.exec(line);
  if (!m) throw new Error(`no file:line:col in: ${line}`);
  return { file: resolve(REPO, m[1]), line: Number(m[2]), col: Number(m[3]), text: m[4] };
}

describe('instr: loading and unloading with -instr', function () {
  let dir = '';
  const runs = new Map<string, GuestRunResult>();

  before(async function () {
    this.timeout(240_000);
    dir = makeTempDir('instr-load');
    for (const [name, text] of Object.entries(BROKEN)) writeFileSync(join(dir, name), text);
    const cases: Record<string, string> = {
      initThrows: `file=${join(INSTR_LIBS, 'init-throws.ts')}`,
      initNonZero: `file=${join(INSTR_LIBS, 'init-nonzero.ts')}`,
      noEntryPoints: `file=${join(INSTR_LIBS, 'no-entry-points.ts')}`,
      syntaxTs: `file=${join(dir, 'syntax-error.ts')}`,
      syntaxJs: `file=${join(dir, 'syntax-error.js')}`,
      syntaxParams: `file=${join(dir, 'syntax-error-params.ts')}`,
      typeError: `file=${join(dir, 'type-error.ts')}`,
      callbackTypeError: `file=${join(dir, 'callback-type-error.ts')}`,
      missing: `file=${join(dir, 'no-such-library.ts')}`,
      noFile: 'arg=x',
      unknownKey: `file=${join(INSTR_LIBS, 'init-nonzero.ts')},colour=blue`,
      execThrows: `file=${join(INSTR_LIBS, 'exec-throws.ts')}`,
    };
    const names = Object.keys(cases);
    const results = await runPooled(names.map((n) => () => runWith(cases[n])));
    names.forEach((n, i) => runs.set(n, results[i]));
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function run(name: string): GuestRunResult {
    const r = runs.get(name);
    if (!r) throw new Error(`no run ${name}`);
    return r;
  }

  describe('a load that fails: one line on stderr, exit status 1, no stack trace', function () {
    it('qi_init throws: the line names the library and carries the error', function () {
      const line = expectCleanFailure(run('initThrows'), /qi_init/);
      expect(line).to.include('init-throws.ts').and.include('init-throws: refusing to start');
    });

    it("qi_init returns non-zero: QEMU's \"initialization returned non-zero\"", function () {
      const line = expectCleanFailure(run('initNonZero'), /initialization returned non-zero/);
      expect(line).to.include('init-nonzero.ts');
    });

    it('the module exports no qi_init', function () {
      const line = expectCleanFailure(run('noEntryPoints'), /qi_init/);
      expect(line).to.include('no-entry-points.ts');
    });

    it('a syntax error in a .ts library: file:line:col of the error', function () {
      const at = location(expectCleanFailure(run('syntaxTs'), /-instr: /));
      expect(at).to.include({ file: join(dir, 'syntax-error.ts'), line: 2, col: 13 });
    });

    it('a syntax error in a .js library: file:line:col of the error', function () {
      const at = location(expectCleanFailure(run('syntaxJs'), /-instr: /));
      expect(at).to.include({ file: join(dir, 'syntax-error.js'), line: 2, col: 13 });
    });

    it("a syntax error the parser recovers from: tsc's own first message and position, not a type error", function () {
      const at = location(expectCleanFailure(run('syntaxParams'), /-instr: /));
      // the oracle: TypeScript's tsc on the same file prints `FILE(line,col): error TSnnnn: text`
      const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', join(dir, 'syntax-error-params.ts')], { encoding: 'utf8' });
      const first = /\((\d+),(\d+)\): error TS\d+: (.+)/.exec(tsc.stdout);
      expect(first, tsc.stdout).to.not.equal(null);
      expect(at).to.include({ file: join(dir, 'syntax-error-params.ts'), line: Number(first?.[1]), col: Number(first?.[2]), text: first?.[3] });
      expect(at.text).to.equal("',' expected.");
    });

    it('a type error in a .ts library: file:line:col and the compiler message', function () {
      const at = location(expectCleanFailure(run('typeError'), /-instr: /));
      expect(at).to.include({ file: join(dir, 'type-error.ts'), line: 2, col: 9 });
      expect(at.text).to.include("'string'").and.include("'number'");
    });

    it("a callback that does not match the event's signature is a type error against the API", function () {
      const at = location(expectCleanFailure(run('callbackTypeError'), /-instr: /));
      expect(at).to.include({ file: join(dir, 'callback-type-error.ts'), line: 5, col: 47 });
      expect(at.text).to.include('QI_GUEST_CPU_ENTER_Callback');
    });

    it('a missing file', function () {
      const line = expectCleanFailure(run('missing'), /No such file or directory/);
      expect(line).to.include(join(dir, 'no-such-library.ts'));
    });

    it("`-instr arg=x`: QemuOpts' \"Parameter 'file' is missing\"", function () {
      expectCleanFailure(run('noFile'), /^tsemu-system-riscv64: -instr arg=x: Parameter 'file' is missing$/);
    });

    it("an unknown key: QemuOpts' \"Invalid parameter\"", function () {
      expectCleanFailure(run('unknownKey'), /-instr .*colour=blue: Invalid parameter 'colour'$/);
    });
  });

  describe('a callback that throws', function () {
    it('unloads its library with one line naming the library, the event and the error', function () {
      const r = run('execThrows');
      const reports = linesOf(r.stderr).filter((l) => l.startsWith(`${PROGRAM}: `));
      expect(reports, describeRun(r)).to.have.lengthOf(1);
      expect(reports[0]).to.match(/instrumentation library (0|'[^']*exec-throws\.ts')\b/);
      expect(reports[0]).to.include('guest_mem_before_exec').and.include('exec-throws: store at 0x');
    });

    it('lets the guest run on to its normal end (exit status 0)', function () {
      const r = run('execThrows');
      expect(r.timedOut, describeRun(r)).to.equal(false);
      expect(r.status, describeRun(r)).to.equal(0);
    });

    it('prints nothing else: the events the failed library enabled are not traced in its place', function () {
      const r = run('execThrows');
      expect(linesOf(r.stderr).filter((l) => !l.startsWith(`${PROGRAM}: `)), describeRun(r)).to.deep.equal([]);
    });
  });

  describe('a library outside the repository, importing the API by package name', function () {
    let ext = '';
    let loaded: GuestRunResult;
    let tsc: { status: number | null; output: string };

    before(async function () {
      this.timeout(120_000);
      ext = makeTempDir('instr-external');
      copyFileSync(join(INSTR_LIBS, 'scaled-count.ts'), join(ext, 'lib.ts'));
      writeFileSync(join(ext, 'wrong.ts'), BROKEN['callback-type-error.ts']);
      // 1. loads from there as it is: the loader provides tsemu/qemu-instr/*
      loaded = await runWith(`file=${join(ext, 'lib.ts')},arg=1`);
      // 2. the author's own tsc, with tsemu installed (linked) in node_modules
      mkdirSync(join(ext, 'node_modules'));
      symlinkSync(REPO, join(ext, 'node_modules', 'tsemu'), 'dir');
      writeFileSync(join(ext, 'package.json'), JSON.stringify({ type: 'module', private: true }));
      writeFileSync(join(ext, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
          lib: ['ES2022'], types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')],
        },
        files: ['lib.ts', 'wrong.ts'],
      }));
      const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--pretty', 'false'], {
        cwd: ext, encoding: 'utf8', timeout: 100_000,
      });
      tsc = { status: r.status, output: `${r.stdout}${r.stderr}` };
    });

    after(function () {
      if (ext) rmSync(ext, { recursive: true, force: true });
    });

    it("loads and works (counts the guest's instructions as QEMU does)", function () {
      expect(loaded.status, describeRun(loaded)).to.equal(0);
      const m = /^scaled-count\[1\]: (\d+)$/m.exec(loaded.stdout);
      expect(m, describeRun(loaded)).to.not.equal(null);
      expect(Number((m as RegExpExecArray)[1])).to.equal(qemuInstructionCount(COUNT_ELF));
    });

    it('type-checks with tsc against the package (node_modules/tsemu), which rejects a wrong callback', function () {
      const errors = linesOf(tsc.output).filter((l) => /error TS\d+/.test(l));
      expect(errors.filter((l) => l.startsWith('lib.ts')), tsc.output).to.deep.equal([]);
      expect(errors, tsc.output).to.have.lengthOf(1);
      expect(errors[0]).to.match(/^wrong\.ts\(5,47\): error TS2345: .*QI_GUEST_CPU_ENTER_Callback/);
      expect(tsc.status).to.equal(2);
    });
  });
});
