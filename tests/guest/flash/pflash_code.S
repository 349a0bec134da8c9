/* Code for flash bank 0 (tests/guest/src/pflash_exec.c runs it): linked at 0x20000000 and
 * turned into bin/pflash_code.bin, the start of the bank's image (the test pads it to the
 * bank's 32 MiB). Uncompressed, so the test knows every encoding. */
    .option norvc
    .section .text
    .globl _start
/* 0x00: the reset vector jumps here (a drive on flash0, as QEMU's virt): on to the test in RAM */
_start:
    li      t0, 1
    slli    t0, t0, 31
    jr      t0

/* 0x40: a0 = the dword at `data` (a pc-relative load from flash) ^ this auipc's pc (0x2000004c) */
    .balign 64
entry0:
    nop
1:  auipc   t0, %pcrel_hi(data)
    ld      a0, %pcrel_lo(1b)(t0)
    auipc   t1, 0
    xor     a0, a0, t1
    ret

/* 0x80: a0 = 100 + 99 + ... + 1, a loop running in flash */
    .balign 64
entry1:
    li      t0, 100
    li      a0, 0
2:  add     a0, a0, t0
    addi    t0, t0, -1
    bnez    t0, 2b
    ret

/* 0xc0: a0 = 1; the test programs this first word to "li a0, 2" (0x00200513) before running it */
    .balign 64
entry2:
    li      a0, 1
    ret

    .balign 64
data:
    .dword  0x1122334455667788
