/** Texts printed by -help, -version and the `help` listings, in QEMU's layout. */
import { PROGRAM_NAME } from './option-error.js';

/** Keep in step with package.json (a unit test checks it). */
export const TSEMU_VERSION = '0.1.0';

export function versionText(): string {
  return `${PROGRAM_NAME} version ${TSEMU_VERSION} (QEMU-compatible)\nCopyright (c) 2026 The tsemu developers\n`;
}

const OPTIONS_HELP = `Standard options:
-h or -help     display this help and exit
-version        display version information and exit
-machine [type=]name[,prop[=value][,...]]
                selects emulated machine ('-machine help' for list)
                dumpdtb=file dump the device tree to 'file' and exit
-cpu cpu        select CPU ('-cpu help' for list)
-accel [accel=]accelerator[,prop[=value][,...]]
                select accelerator (tcg; use 'help' for a list)
                thread=single|multi (enable multi-threaded TCG)
-smp [[cpus=]n][,maxcpus=maxcpus][,sockets=sockets][,cores=cores][,threads=threads]
                set the number of initial CPUs to 'n' [default=1]
                maxcpus= maximum number of total CPUs, including
                offline CPUs for hotplug, etc
                sockets= number of sockets on the machine board
                cores= number of cores in one socket
                threads= number of threads in one core
-m [size=]megs  configure guest RAM (default 128M, 16M..8G)
                size: initial amount of guest memory
                a number without a suffix is in MiB; suffixes k, M, G, T
-device driver[,prop[=value][,...]]
                add device (virtio-blk-device,drive=id[,id=name] or
                rv64-riscv-cpu[,id=name]); use '-device help' for a list

Block device options:
-drive [file=file][,if=none|virtio][,format=raw][,id=name]
       [,readonly=on|off][,snapshot=on|off][,cache=mode]
                use 'file' as a drive image
-snapshot       write to temporary files instead of disk image files

Display options:
-display none
                select display backend type (tsemu has no graphical display)
-nographic      disable graphical output and redirect serial I/Os to console

Linux/Multiboot boot specific:
-bios file      set the filename for the BIOS ('default': tsemu's own SBI
                firmware; 'none': no firmware, the reset vector jumps to the
                start of RAM)
-kernel bzImage use 'bzImage' as kernel image
-append cmdline use 'cmdline' as kernel command line
-initrd file    use 'file' as initial ram disk
-dtb    file    use 'file' as device tree image

Debug/Expert options:
-serial dev     redirect the serial port to char device 'dev'
                (stdio, mon:stdio, null, none, file:path, unix:path,server,nowait,
                tcp:host:port,server,nowait)
-monitor dev    redirect the monitor to char device 'dev' (or 'none')
-qmp dev        like -monitor but opens in 'control' mode
-nodefaults     don't create default devices
-S              freeze CPU at startup (use 'c' to start execution)
-d item1,...    enable logging of specified items (use '-d help' for a list of log items)
-D logfile      output log to logfile (default stderr)
-no-reboot      exit instead of rebooting
-trace [[enable=]<pattern>][,events=<file>][,file=<file>]
                specify tracing options
-instr [file=]<module>[,arg=<value>]...
                load an instrumentation module with its arguments (repeatable)
`;

export function helpText(): string {
  return (
    `${PROGRAM_NAME} version ${TSEMU_VERSION} (QEMU-compatible)\n` +
    `usage: ${PROGRAM_NAME} [options]\n\n` +
    OPTIONS_HELP +
    '\nDuring emulation, the following keys are useful:\n' +
    'When using -nographic, press \'ctrl-a h\' to get some help.\n'
  );
}

export function machineHelpText(): string {
  return 'Supported machines are:\nvirt                 RISC-V VirtIO board (default)\n';
}

export function cpuHelpText(): string {
  return 'rv64\n';
}

export function accelHelpText(): string {
  return 'Accelerators supported in QEMU binary:\ntcg\n';
}

export function displayHelpText(): string {
  return 'Available display backend types:\nnone\n';
}
