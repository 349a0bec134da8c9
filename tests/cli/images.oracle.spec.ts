/**
 * The committed test images of tests/cli/images (used by boot-layout.spec.ts and elf.spec.ts)
 * are what their sources build to: the Makefile, run into a temporary directory with the cross
 * toolchain, gives every image byte for byte.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { makeTempDir, requireTool } from '../support/tools.js';
import { GCC, IMAGE_DIR, IMAGES, runTool } from './qemu-oracle.js';

describe('tests/cli/images: the committed test images rebuild to the same bytes (oracle)', function () {
  it('make -C tests/cli/images O=TMP gives every committed image byte for byte', function () {
    this.timeout(120_000);
    requireTool(GCC, 'make');
    const out = makeTempDir('cli-images');
    try {
      runTool('make', ['-s', '-C', IMAGE_DIR, `O=${out}`]);
      for (const name of IMAGES) {
        expect(readFileSync(join(out, name)).equals(readFileSync(join(IMAGE_DIR, name))), `${name}: rebuild differs from the committed image (make -C tests/cli/images)`).to.equal(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
