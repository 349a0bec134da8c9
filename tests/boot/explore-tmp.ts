import { GuestSession, QUIT_KEYS } from '../support/guest-session.js';
const args = ['-M', 'virt', '-nographic', '-bios', '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf', '-kernel', '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf', ...process.argv.slice(3)];
const s = process.argv[2] === 'q' ? GuestSession.startQemu(args) : GuestSession.startTsemu(args);
const t0 = Date.now();
await s.expect('Hit any key to stop autoboot');
console.error('autoboot at', Date.now() - t0);
s.type(' ');
await s.expect('=> ');
console.error('prompt at', Date.now() - t0);
for (const c of (process.env.CMDS ? process.env.CMDS.split(',') : ['version', 'bdinfo', 'md 0x80200000 0x20', 'printenv', 'mw.b 0x82000000 0xa5 0x40', 'md.b 0x82000000 0x40', 'mw.l 0x82000100 0x12345678 4', 'md.l 0x82000100 4', 'md.q 0x82000100 2', 'md.w 0x82000100 8', 'crc32 0x82000000 0x40', 'coninfo', 'md 0x1000 8', 'md 0x0 4'])) {
  await s.typeLine(c);
  await s.expect(/\n=> /);
  console.error(c, Date.now() - t0);
}
s.type(QUIT_KEYS);
const r = await s.waitForExit();
console.error('exit', r.status, r.signal, Date.now() - t0, JSON.stringify(r.stderr));
process.stdout.write(r.stdout);
