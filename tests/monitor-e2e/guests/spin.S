/*
 * spin: M-mode guest (-bios none, loaded at 0x80000000) for the monitor
 * end-to-end tests. It never ends: harts 0 and 1 loop forever over
 *     ld t1, 0(slot); addi t1, t1, 1; sd t1, 0(slot); sw t1, 8(slot)
 * on their own 64-byte slot (slots + 64 * mhartid), so each hart's counter at
 * `slots + 64 * hart` keeps growing while the machine runs and stands still
 * while it is stopped, and both loads and stores happen on every hart.
 * Harts 2 and up (-smp 3 and more) park in wfi with every interrupt masked
 * (mie = 0), so they stay halted for good.
 *
 * Addresses the tests rely on (they read the symbols and bytes from the ELF):
 *   0x80000000  _start (function symbol)
 *   spin        the loop (function symbol): a spinning hart stops at a block
 *               boundary, i.e. at spin, and its t1 equals its counter
 *   park        the parked harts' loop (function symbol); halted in `wfi`,
 *               their pc is park + 8
 *   0x80000100  magic: four known 32-bit words (x /4xw, xp /4xw)
 *   0x80001000  slots: one 64-byte slot per hart (own page, so the stores
 *               never invalidate translated code)
 */
    .section .text
    .option norvc
    .globl _start
    .type   _start, @function
_start:
    csrr    a0, mhartid
    li      t0, 2
    bgeu    a0, t0, park
    la      s0, slots
    slli    t0, a0, 6
    add     s0, s0, t0
    .globl spin
    .type   spin, @function
spin:
    ld      t1, 0(s0)
    addi    t1, t1, 1
    sd      t1, 0(s0)
    sw      t1, 8(s0)
    j       spin
    .size   spin, . - spin

    .globl park
    .type   park, @function
park:
    csrw    mie, zero
    wfi
    j       park
    .size   park, . - park

    .org    0x100
    .globl magic
magic:
    .word   0x12345678, 0xdeadbeef, 0x0badf00d, 0xcafebabe

    .data
    .balign 4096
    .globl slots
slots:
    .space  64 * 8
