/**
 * A real multithreaded program nobody here wrote, differentially against qemu-riscv64: esbuild's
 * linux-riscv64 binary (a Go program: goroutines on several OS threads, futexes, signals, epoll),
 * the npm package @esbuild/linux-riscv64 at the version of the esbuild this repository installs
 * (package-lock.json pins it). It cannot be a devDependency (its package.json says cpu riscv64, so
 * `npm ci` on x86-64 refuses it), so this oracle test fetches it with `npm pack` into a cache in
 * the temporary directory the first time (the network is needed once; `npm test` never runs this).
 * It runs `esbuild --version`, bundles tests/user/esbuild-project (with a source map and a
 * metafile) and reports a syntax error, each on both emulators: same stdout, stderr, files, status.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';
import { makeTempDir, missingPrerequisite, requireTool } from '../support/tools.js';
import { QEMU_USER, tsemuCommand } from './user-runs.js';

function esbuildVersion(): string {
  const req = createRequire(join(repoRoot(), 'package.json'));
  return (req('esbuild/package.json') as { version: string }).version;
}

/** The riscv64 esbuild binary, fetched once per version into the temporary directory. */
function riscvEsbuild(version: string): string {
  const dir = join(tmpdir(), `tsemu-esbuild-linux-riscv64-${version}`);
  const bin = join(dir, 'package', 'bin', 'esbuild');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', `@esbuild/linux-riscv64@${version}`, '--pack-destination', dir], { encoding: 'utf8', timeout: 120_000 });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (pack.status !== 0 || tgz === undefined) throw missingPrerequisite(`@esbuild/linux-riscv64@${version} (npm pack failed: ${pack.stderr.trim().split('\n').pop() ?? ''})`);
  const untar = spawnSync('tar', ['xzf', join(dir, tgz), '-C', dir], { encoding: 'utf8' });
  if (untar.status !== 0 || !existsSync(bin)) throw missingPrerequisite(`@esbuild/linux-riscv64@${version} (could not unpack ${tgz})`);
  return bin;
}

interface Outcome {
  stdout: string;
  stderr: string;
  status: number | null;
  files: Record<string, string>;
  seconds: number;
}

/** Run the program under `command` in a fresh output directory; what it printed and wrote. */
function run(command: readonly string[], bin: string, args: readonly string[]): Outcome {
  const out = makeTempDir('esbuild-out');
  try {
    const t0 = performance.now();
    const p = spawnSync(command[0], [...command.slice(1), bin, ...args.map((a) => a.split('$OUT').join(out))],
      { cwd: repoRoot(), env: {}, encoding: 'utf8', timeout: 300_000 });
    const seconds = (performance.now() - t0) / 1000;
    const files: Record<string, string> = {};
    // the output directory's name (a relative path to it in the metafile) differs between runs
    const neutral = (t: string): string => t.split(basename(out)).join('OUT');
    for (const f of readdirSync(out).sort()) files[f] = neutral(readFileSync(join(out, f), 'utf8'));
    return { stdout: p.stdout, stderr: neutral(p.stderr), status: p.status, files, seconds };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const RUNS: readonly { name: string; args: string[] }[] = [
  { name: 'esbuild --version', args: ['--version'] },
  {
    name: 'a bundle: minified ESM with a source map and a metafile',
    args: ['tests/user/esbuild-project/main.js', '--bundle', '--minify', '--format=esm', '--target=es2019',
      '--sourcemap', '--metafile=$OUT/meta.json', '--outfile=$OUT/out.js', '--log-level=info'],
  },
  { name: 'a syntax error: the same message and status 1', args: ['tests/user/esbuild-project/broken.js', '--bundle'] },
];

describe('user mode: a real multithreaded program (esbuild for linux-riscv64, Go) against qemu-riscv64 (oracle)', function () {
  this.timeout(600_000);
  let bin = '';
  let version = '';
  before(function () {
    requireTool(QEMU_USER, 'npm', 'tar');
    version = esbuildVersion();
    bin = riscvEsbuild(version);
  });

  for (const r of RUNS) {
    it(`${r.name}: tsemu-riscv64 gives what qemu-riscv64 gives`, function () {
      const want = run([QEMU_USER], bin, r.args);
      const got = run(tsemuCommand(), bin, r.args);
      // the times go to the log for the record (they are not asserted)
      console.log(`      ${r.name}: tsemu-riscv64 ${got.seconds.toFixed(2)} s, qemu-riscv64 ${want.seconds.toFixed(2)} s`);
      const strip = (o: Outcome): Omit<Outcome, 'seconds' | 'stderr'> & { stderr: string } => ({
        stdout: o.stdout, status: o.status, files: o.files,
        stderr: o.stderr.replace(/Done in \d+ms/g, 'Done in Nms'), // --log-level=info's timing
      });
      expect(strip(got)).to.deep.equal(strip(want));
      if (r.args[0] === '--version') expect(got.stdout).to.equal(`${version}\n`);
      if (r.name.startsWith('a bundle')) {
        expect(got.status).to.equal(0);
        expect(got.files['out.js']).to.contain('hello, ${e}!');
        expect(got.files['out.js']).to.not.contain('tree-shaken');
        expect(Object.keys(got.files)).to.deep.equal(['meta.json', 'out.js', 'out.js.map']);
      }
      if (r.name.startsWith('a syntax error')) {
        expect(got.status).to.equal(1);
        expect(got.stderr).to.contain('broken.js:1:');
      }
    });
  }
});
