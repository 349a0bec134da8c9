/**
 * The layering check (scripts/check-layering.mjs, run by `npm run build`): the repository's own
 * src/ follows its READMEs, and the checker catches what it must on small trees made here.
 */
import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';

interface Checker {
  checkLayering(src: string): string[];
}

async function checker(): Promise<Checker> {
  return (await import(join(repoRoot(), 'scripts/check-layering.mjs'))) as Checker;
}

/** A src/ tree: folder -> { README text (undefined: none), files: name -> source }. */
function tree(spec: Record<string, { readme?: string; files: Record<string, string> }>): string {
  const src = join(makeTempDir('layering'), 'src');
  for (const [folder, { readme, files }] of Object.entries(spec)) {
    mkdirSync(join(src, folder), { recursive: true });
    if (readme !== undefined) writeFileSync(join(src, folder, 'README.md'), `# src/${folder}\n\n${readme}\n`);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(src, folder, name), text);
  }
  return src;
}

describe('layering: folder imports follow the READMEs', function () {
  const made: string[] = [];
  const make = (spec: Parameters<typeof tree>[0]): string => {
    const src = tree(spec);
    made.push(join(src, '..'));
    return src;
  };
  after(function () {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it("the repository's src/ has a README with a May import line in every folder, and no import breaks one", async function () {
    expect((await checker()).checkLayering(join(repoRoot(), 'src'))).to.deep.equal([]);
  });

  it('reports an import of a folder the README does not allow, with file and line', async function () {
    const src = make({
      low: { readme: 'May import: nothing of the project.', files: { 'a.ts': "import { up } from '../high/b.js';\nexport const a = up;\n" } },
      high: { readme: 'May import: `src/low`.', files: { 'b.ts': "import { a } from '../low/a.js';\nexport const up = 1;\nexport const b = a;\n" } },
    });
    const problems = (await checker()).checkLayering(src);
    expect(problems).to.have.lengthOf(1);
    expect(problems[0]).to.match(/low\/a\.ts:1: imports \.\.\/high\/b\.js \(src\/high\); src\/low\/README\.md allows nothing$/);
  });

  it('also sees re-exports and dynamic imports', async function () {
    const src = make({
      low: { readme: 'May import: nothing.', files: { 'a.ts': "export { up } from '../high/b.js';\nconst m = await import('../high/b.js');\n" } },
      high: { readme: 'May import: `src/low`.', files: { 'b.ts': 'export const up = 1;\n' } },
    });
    expect((await checker()).checkLayering(src)).to.have.lengthOf(2);
  });

  it('reports a folder without a README, or a README without a May import line', async function () {
    const src = make({
      bare: { files: { 'x.ts': 'export const x = 1;\n' } },
      vague: { readme: 'Imports what it needs.', files: { 'y.ts': 'export const y = 1;\n' } },
    });
    expect((await checker()).checkLayering(src)).to.deep.equal([
      'src/bare: no README.md (it must say what the folder owns and what it may import)',
      'src/vague/README.md: no "May import:" line',
    ]);
  });

  it('reports READMEs that allow each other (a cycle) and a rule naming no folder', async function () {
    const src = make({
      a: { readme: 'May import: `src/b`.', files: {} },
      b: { readme: 'May import: `src/a`, `src/nowhere`.', files: {} },
    });
    const problems = (await checker()).checkLayering(src);
    expect(problems).to.include('src/b/README.md: may import `src/nowhere`, which is not a folder of src');
    expect(problems.some((p) => /form a cycle: src\/a -> src\/b -> src\/a/.test(p))).to.equal(true);
  });
});
