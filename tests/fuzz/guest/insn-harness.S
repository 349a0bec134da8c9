/*
 * Harness of the random-instruction fuzzer (tests/fuzz/insn-fuzz.ts). It runs one random
 * instruction per step, in M, S or U mode, and hashes the architectural state after it.
 *
 * The fuzzer builds everything else in the image: the header and step table at TABLE, the
 * register save area (initial register values), the slot pages, the S-mode trap page, the data
 * pages and the page tables. A step:
 *   1. applies the step's register overrides to the save area, writes the instruction followed by
 *      an ecall into its slot (fence.i), installs mtimecmp (0 or ~0), f registers, fcsr, medeleg,
 *      mideleg, mie, mip, satp (sfence.vma), stvec, sepc, mepc = slot, mstatus (MPP = the mode);
 *   2. restores x1..x31 and mrets into the slot;
 *   3. the instruction runs, then a trap (its own, the ecall after it, or an interrupt; a trap
 *      delegated to S lands on a page of ecalls) enters trap_entry in M-mode, which saves every
 *      register and the CSRs to the save area, folds them into the running hash and prints it
 *      every CHUNK steps ("H <step> <hash>"), or the whole save area for steps in the dump range.
 * At the end it prints "END <hash> <memory checksum>" and powers off through the test finisher.
 * Nothing here may be touched by the random instructions: the fuzzer keeps their addresses away.
 */
#define TABLE      0x80100000
#define UART       0x10000000
#define FINISHER   0x100000
#define MTIMECMP   0x2004000
/* header (dwords at TABLE) */
#define H_NSTEPS   0
#define H_CHUNK    8
#define H_DUMPLO   16
#define H_DUMPHI   24
#define H_SEED     32
#define H_MEMLO    40
#define H_MEMHI    48
#define SAVE_OFF   0x100     /* save area: 80 dwords */
#define STEPS_OFF  0x400     /* step records: 16 dwords each */
#define NSAVE      80
/* save area slots (dword index) */
#define S_F0       32
#define S_FCSR     64
#define S_MEPC     65
#define S_MCAUSE   66
#define S_MTVAL    67
#define S_MSTATUS  68
#define S_SEPC     69
#define S_SCAUSE   70
#define S_STVAL    71
#define S_SATP     72
#define S_STVEC    73
#define S_SSCRATCH 74
#define S_MEDELEG  75
#define S_MIDELEG  76
#define S_MIE      77
#define S_MIP      78
#define S_WATCH    79
/* step record (dword offsets) */
#define R_SLOTIMG  0
#define R_MSTATUS  8
#define R_SATP     16
#define R_DELEG    24   /* medeleg 0-15, mideleg 16-31, mie 32-47, mip 48-63 */
#define R_SLOT     32
#define R_FLAGS    40   /* fcsr 0-7, bit 8: mtimecmp = 0 */
#define R_SEPC     48
#define R_WATCH    56
#define R_OVR      64   /* 4 x (index, value); index 0 = none, 1-31 x, 32-63 f */
#define FNV        0x100000001b3

        .option norelax   /* no gp-relative rewrites: gp is a guest register here */
        .section .text
        .globl _start
_start:
        /* other harts park (run at -smp 2 so that QEMU's AMOs are its atomic ones, see README) */
        beqz    a0, 1f
        li      t0, 8
        csrw    mie, t0
0:      wfi
        j       0b
1:      la      t0, trap_entry
        csrw    mtvec, t0
        li      t0, -1                     /* PMP entry 0: all of the address space, RWX */
        csrw    pmpaddr0, t0
        li      t0, 0x1f
        csrw    pmpcfg0, t0
        csrw    menvcfg, zero
        li      t0, MTIMECMP
        li      t1, -1
        sd      t1, 0(t0)
        li      t0, TABLE
        ld      t1, H_SEED(t0)
        la      t2, hash
        sd      t1, 0(t2)
        la      t2, step
        sd      zero, 0(t2)

next_step:
        li      s0, TABLE
        la      t0, step
        ld      s1, 0(t0)                  /* s1 = step */
        ld      t1, H_NSTEPS(s0)
        bgeu    s1, t1, finish
        slli    s2, s1, 7
        add     s2, s2, s0
        addi    s2, s2, STEPS_OFF          /* s2 = record */
        addi    s3, s0, SAVE_OFF           /* s3 = save area */
        /* register overrides */
        addi    t0, s2, R_OVR
        li      t3, 4
1:      ld      t1, 0(t0)
        beqz    t1, 2f
        ld      t2, 8(t0)
        slli    t1, t1, 3
        add     t1, t1, s3
        sd      t2, 0(t1)
2:      addi    t0, t0, 16
        addi    t3, t3, -1
        bnez    t3, 1b
        /* the instruction and its ecall */
        ld      t0, R_SLOT(s2)
        ld      t1, R_SLOTIMG(s2)
        sd      t1, 0(t0)
        fence.i
        /* timer */
        ld      t1, R_FLAGS(s2)
        srli    t2, t1, 8
        andi    t2, t2, 1
        addi    t2, t2, -1                 /* 0 when bit 8 set, else ~0 */
        li      t0, MTIMECMP
        sd      t2, 0(t0)
        /* f registers and fcsr (FS on while restoring) */
        li      t0, 0x6000
        csrs    mstatus, t0
        fld     f0, (S_F0+0)*8(s3)
        fld     f1, (S_F0+1)*8(s3)
        fld     f2, (S_F0+2)*8(s3)
        fld     f3, (S_F0+3)*8(s3)
        fld     f4, (S_F0+4)*8(s3)
        fld     f5, (S_F0+5)*8(s3)
        fld     f6, (S_F0+6)*8(s3)
        fld     f7, (S_F0+7)*8(s3)
        fld     f8, (S_F0+8)*8(s3)
        fld     f9, (S_F0+9)*8(s3)
        fld     f10, (S_F0+10)*8(s3)
        fld     f11, (S_F0+11)*8(s3)
        fld     f12, (S_F0+12)*8(s3)
        fld     f13, (S_F0+13)*8(s3)
        fld     f14, (S_F0+14)*8(s3)
        fld     f15, (S_F0+15)*8(s3)
        fld     f16, (S_F0+16)*8(s3)
        fld     f17, (S_F0+17)*8(s3)
        fld     f18, (S_F0+18)*8(s3)
        fld     f19, (S_F0+19)*8(s3)
        fld     f20, (S_F0+20)*8(s3)
        fld     f21, (S_F0+21)*8(s3)
        fld     f22, (S_F0+22)*8(s3)
        fld     f23, (S_F0+23)*8(s3)
        fld     f24, (S_F0+24)*8(s3)
        fld     f25, (S_F0+25)*8(s3)
        fld     f26, (S_F0+26)*8(s3)
        fld     f27, (S_F0+27)*8(s3)
        fld     f28, (S_F0+28)*8(s3)
        fld     f29, (S_F0+29)*8(s3)
        fld     f30, (S_F0+30)*8(s3)
        fld     f31, (S_F0+31)*8(s3)
        andi    t1, t1, 0xff
        fscsr   t1
        /* trap delegation and interrupts */
        ld      t1, R_DELEG(s2)
        li      t3, 0xffff
        and     t2, t1, t3
        csrw    medeleg, t2
        srli    t2, t1, 16
        and     t2, t2, t3
        csrw    mideleg, t2
        srli    t2, t1, 32
        and     t2, t2, t3
        csrw    mie, t2
        srli    t2, t1, 48
        csrw    mip, t2
        csrw    menvcfg, zero
        ld      t1, R_SATP(s2)
        csrw    satp, t1
        sfence.vma
        li      t1, 0x80a05000
        csrw    stvec, t1
        ld      t1, R_SEPC(s2)
        csrw    sepc, t1
        ld      t1, R_SLOT(s2)
        csrw    mepc, t1
        ld      t1, R_MSTATUS(s2)
        csrw    mstatus, t1
        /* integer registers, the save area's base last */
        mv      t0, s3
        ld      x1, 1*8(t0)
        ld      x2, 2*8(t0)
        ld      x3, 3*8(t0)
        ld      x4, 4*8(t0)
        ld      x6, 6*8(t0)
        ld      x7, 7*8(t0)
        ld      x8, 8*8(t0)
        ld      x9, 9*8(t0)
        ld      x10, 10*8(t0)
        ld      x11, 11*8(t0)
        ld      x12, 12*8(t0)
        ld      x13, 13*8(t0)
        ld      x14, 14*8(t0)
        ld      x15, 15*8(t0)
        ld      x16, 16*8(t0)
        ld      x17, 17*8(t0)
        ld      x18, 18*8(t0)
        ld      x19, 19*8(t0)
        ld      x20, 20*8(t0)
        ld      x21, 21*8(t0)
        ld      x22, 22*8(t0)
        ld      x23, 23*8(t0)
        ld      x24, 24*8(t0)
        ld      x25, 25*8(t0)
        ld      x26, 26*8(t0)
        ld      x27, 27*8(t0)
        ld      x28, 28*8(t0)
        ld      x29, 29*8(t0)
        ld      x30, 30*8(t0)
        ld      x31, 31*8(t0)
        ld      x5, 5*8(t0)
        mret

        .balign 4
trap_entry:
        csrw    mscratch, t0
        li      t0, TABLE + SAVE_OFF
        sd      x1, 1*8(t0)
        sd      x2, 2*8(t0)
        sd      x3, 3*8(t0)
        sd      x4, 4*8(t0)
        sd      x6, 6*8(t0)
        sd      x7, 7*8(t0)
        sd      x8, 8*8(t0)
        sd      x9, 9*8(t0)
        sd      x10, 10*8(t0)
        sd      x11, 11*8(t0)
        sd      x12, 12*8(t0)
        sd      x13, 13*8(t0)
        sd      x14, 14*8(t0)
        sd      x15, 15*8(t0)
        sd      x16, 16*8(t0)
        sd      x17, 17*8(t0)
        sd      x18, 18*8(t0)
        sd      x19, 19*8(t0)
        sd      x20, 20*8(t0)
        sd      x21, 21*8(t0)
        sd      x22, 22*8(t0)
        sd      x23, 23*8(t0)
        sd      x24, 24*8(t0)
        sd      x25, 25*8(t0)
        sd      x26, 26*8(t0)
        sd      x27, 27*8(t0)
        sd      x28, 28*8(t0)
        sd      x29, 29*8(t0)
        sd      x30, 30*8(t0)
        sd      x31, 31*8(t0)
        csrr    t1, mscratch
        sd      t1, 5*8(t0)
        mv      s3, t0
        csrr    t1, mstatus
        sd      t1, S_MSTATUS*8(s3)
        li      t1, 0x6000
        csrs    mstatus, t1
        fsd     f0, (S_F0+0)*8(s3)
        fsd     f1, (S_F0+1)*8(s3)
        fsd     f2, (S_F0+2)*8(s3)
        fsd     f3, (S_F0+3)*8(s3)
        fsd     f4, (S_F0+4)*8(s3)
        fsd     f5, (S_F0+5)*8(s3)
        fsd     f6, (S_F0+6)*8(s3)
        fsd     f7, (S_F0+7)*8(s3)
        fsd     f8, (S_F0+8)*8(s3)
        fsd     f9, (S_F0+9)*8(s3)
        fsd     f10, (S_F0+10)*8(s3)
        fsd     f11, (S_F0+11)*8(s3)
        fsd     f12, (S_F0+12)*8(s3)
        fsd     f13, (S_F0+13)*8(s3)
        fsd     f14, (S_F0+14)*8(s3)
        fsd     f15, (S_F0+15)*8(s3)
        fsd     f16, (S_F0+16)*8(s3)
        fsd     f17, (S_F0+17)*8(s3)
        fsd     f18, (S_F0+18)*8(s3)
        fsd     f19, (S_F0+19)*8(s3)
        fsd     f20, (S_F0+20)*8(s3)
        fsd     f21, (S_F0+21)*8(s3)
        fsd     f22, (S_F0+22)*8(s3)
        fsd     f23, (S_F0+23)*8(s3)
        fsd     f24, (S_F0+24)*8(s3)
        fsd     f25, (S_F0+25)*8(s3)
        fsd     f26, (S_F0+26)*8(s3)
        fsd     f27, (S_F0+27)*8(s3)
        fsd     f28, (S_F0+28)*8(s3)
        fsd     f29, (S_F0+29)*8(s3)
        fsd     f30, (S_F0+30)*8(s3)
        fsd     f31, (S_F0+31)*8(s3)
        frcsr   t1
        sd      t1, S_FCSR*8(s3)
        csrr    t1, mepc
        sd      t1, S_MEPC*8(s3)
        csrr    t1, mcause
        sd      t1, S_MCAUSE*8(s3)
        csrr    t1, mtval
        sd      t1, S_MTVAL*8(s3)
        csrr    t1, sepc
        sd      t1, S_SEPC*8(s3)
        csrr    t1, scause
        sd      t1, S_SCAUSE*8(s3)
        csrr    t1, stval
        sd      t1, S_STVAL*8(s3)
        csrr    t1, satp
        sd      t1, S_SATP*8(s3)
        csrw    satp, zero
        sfence.vma
        csrr    t1, stvec
        sd      t1, S_STVEC*8(s3)
        csrr    t1, sscratch
        sd      t1, S_SSCRATCH*8(s3)
        csrr    t1, medeleg
        sd      t1, S_MEDELEG*8(s3)
        csrr    t1, mideleg
        sd      t1, S_MIDELEG*8(s3)
        csrr    t1, mie
        sd      t1, S_MIE*8(s3)
        csrw    mie, zero
        csrr    t1, mip
        sd      t1, S_MIP*8(s3)
        /* the watched dword */
        li      s0, TABLE
        la      t0, step
        ld      s1, 0(t0)
        slli    s2, s1, 7
        add     s2, s2, s0
        addi    s2, s2, STEPS_OFF
        ld      t1, R_WATCH(s2)
        ld      t1, 0(t1)
        sd      t1, S_WATCH*8(s3)
        /* clear the slot for the next step */
        ld      t1, R_SLOT(s2)
        sd      zero, 0(t1)
        /* hash x1..x31 and the rest of the save area */
        la      t4, hash
        ld      a0, 0(t4)
        li      t5, FNV
        addi    t0, s3, 8
        li      t3, NSAVE - 1
3:      ld      t1, 0(t0)
        xor     a0, a0, t1
        mul     a0, a0, t5
        srli    t1, a0, 29
        xor     a0, a0, t1
        addi    t0, t0, 8
        addi    t3, t3, -1
        bnez    t3, 3b
        sd      a0, 0(t4)
        /* print: the full state in the dump range, the hash every CHUNK steps */
        ld      t1, H_DUMPLO(s0)
        bltu    s1, t1, 5f
        ld      t1, H_DUMPHI(s0)
        bgtu    s1, t1, 5f
        li      a0, 'S'
        call    putc
        mv      a0, s1
        call    puthex_sp
        li      s4, 1
4:      slli    t0, s4, 3
        add     t0, t0, s3
        ld      a0, 0(t0)
        call    puthex_sp
        addi    s4, s4, 1
        li      t0, NSAVE
        bltu    s4, t0, 4b
        li      a0, '\n'
        call    putc
5:      ld      t1, H_CHUNK(s0)
        addi    t2, s1, 1
        remu    t2, t2, t1
        bnez    t2, 6f
        li      a0, 'H'
        call    putc
        mv      a0, s1
        call    puthex_sp
        la      t4, hash
        ld      a0, 0(t4)
        call    puthex_sp
        li      a0, '\n'
        call    putc
6:      la      t0, step
        addi    s1, s1, 1
        sd      s1, 0(t0)
        j       next_step

finish:
        /* checksum of the memory the fuzzer names (data pages and page tables) */
        ld      t0, H_MEMLO(s0)
        ld      t2, H_MEMHI(s0)
        li      a1, 0
        li      t5, FNV
7:      bgeu    t0, t2, 8f
        ld      t1, 0(t0)
        xor     a1, a1, t1
        mul     a1, a1, t5
        srli    t1, a1, 29
        xor     a1, a1, t1
        addi    t0, t0, 8
        j       7b
8:      mv      s4, a1
        li      a0, 'E'
        call    putc
        la      t4, hash
        ld      a0, 0(t4)
        call    puthex_sp
        mv      a0, s4
        call    puthex_sp
        li      a0, '\n'
        call    putc
        li      t0, FINISHER
        li      t1, 0x5555
        sw      t1, 0(t0)
9:      j       9b

/* putc(a0): one byte to the UART. Clobbers t6. */
putc:
        li      t6, UART
        sb      a0, 0(t6)
        ret

/* puthex_sp(a0): ' ' and 16 hex digits. Clobbers a0-a3, t6. */
puthex_sp:
        mv      a3, ra
        mv      a1, a0
        li      a0, ' '
        call    putc
        li      a2, 60
10:     srl     a0, a1, a2
        andi    a0, a0, 15
        addi    a0, a0, '0'
        li      t6, '9'
        bleu    a0, t6, 11f
        addi    a0, a0, 'a' - '9' - 1
11:     call    putc
        addi    a2, a2, -4
        bgez    a2, 10b
        mv      ra, a3
        ret

        .section .data
        .balign 8
hash:   .dword 0
step:   .dword 0
