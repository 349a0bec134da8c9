// Writes a newc cpio archive (what the kernel unpacks as an initramfs) of the files in a
// directory: each at the root, mode 0755, plus /dev and /proc, /sys mount points and
// /dev/console (so init has a console before devtmpfs is mounted). Usage: make-cpio.mjs DIR OUT
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: make-cpio.mjs DIR OUT');
  process.exit(1);
}
const parts = [];
let ino = 1;
const hex = (v) => v.toString(16).padStart(8, '0');
function entry(name, mode, data = Buffer.alloc(0), rdev = [0, 0]) {
  const nameBytes = Buffer.from(`${name}\0`);
  const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  const head = Buffer.from(`070701${fields.map(hex).join('')}`);
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  parts.push(head, nameBytes, pad(head.length + nameBytes.length), data, pad(data.length));
}
entry('dev', 0o040755);
entry('dev/console', 0o020600, undefined, [5, 1]);
entry('proc', 0o040755);
entry('sys', 0o040755);
entry('tmp', 0o041777);
for (const name of readdirSync(dir).sort()) entry(name, 0o100755, readFileSync(join(dir, name)));
entry('TRAILER!!!', 0);
writeFileSync(out, Buffer.concat(parts));
