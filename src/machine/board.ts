/**
 * The `virt` board on the main thread: guest RAM and boot ROM, the devices
 * that live here (PLIC, UART, RTC, test finisher, CPU hot-plug controller,
 * virtio-mmio slots) placed by virt-map.ts, the MMIO bus that picks the device
 * serving a vCPU's access, and the wiring of the PLIC's outputs into each
 * hart's interrupt-line word. It also owns every possible hart's shared state
 * block, since that is where interrupt lines land and where a hart is told to
 * drop its translations. It knows nothing of threads: the vCPU threads
 * (vcpu-threads.ts) hand it their MMIO requests and posted UART bytes.
 */
import { createGuestMemoryBuffers, GuestMemory, GuestMemoryBuffers, HIGH_BANK_BYTES } from '../memory/guest-memory.js';
import type { MmioRequest } from '../memory/mmio-channel.js';
import {
  SLOT_INSTRET, STATE_AREA_BYTES, StateArea, stateViews, VcpuStateViews, WORD_EXIT_REQUEST, WORD_IRQ_LINES, WORD_WAKE,
} from '../abi/state-layout.js';
import type { AccessSize, GuestRam, HartIrqSink, IrqLine, MachineControl, MmioDevice } from '../hw/device.js';
import { CLINT_MTIMER_REGION, CLINT_SWI_REGION, ClintShared, hostClock, IcountSettings, kickHart } from '../hw/clint.js';
import { Plic, PLIC_REGION } from '../hw/plic.js';
import { Ns16550a, UART_REGION } from '../hw/uart-ns16550a.js';
import { GoldfishRtc, RTC_REGION } from '../hw/goldfish-rtc.js';
import { SifiveTest, SIFIVE_TEST_REGION } from '../hw/sifive-test.js';
import type { GuestLog } from '../hw/guest-log.js';
import type { IoRegion } from '../hw/io-regions.js';
import { VirtioMmio } from '../hw/virtio-mmio.js';
import { GPEX_NUM_IRQS, GpexHost } from '../hw/pci-host-gpex.js';
import { VirtioPci } from '../hw/virtio-pci.js';
import { blankFlash, type FlashBacking, PFLASH_BANK_SIZE, PflashCfi01 } from '../hw/pflash-cfi01.js';
import { FW_CFG_REGIONS, FwCfg } from '../hw/fw-cfg.js';
import { GuestDma } from '../hw/guest-dma.js';
import { CpuHotplugController } from '../hw/cpu-hotplug.js';
import { createUartShadow, publishUartShadow, UartRingReader } from '../hw/uart-fast-path.js';
import type { VirtioDevice } from '../hw/virtio.js';
import { PROGRAM_NAME } from '../cli/option-error.js';
import { writeAll } from '../util/write-all.js';
import { BootError } from '../util/boot-error.js';
import { pcieMmioHigh, PLIC_NUM_SOURCES, TIMEBASE_FREQ, VIRT, VIRT_IRQ } from './virt-map.js';

/** A virtio device on the PCIe root bus: its slot (device number on pcie.0) and QEMU type name. */
export interface PciPlacement {
  slot: number;
  typeName: string;
  id: string | undefined;
  device: VirtioDevice;
}

/**
 * Room in the WebAssembly memory for instrumentation scoreboards (4 MiB: half a million
 * counters), so that WebAssembly blocks add to them inline; boards beyond it get a buffer of
 * their own and an import call per add (src/instr/manager.ts).
 */
const COUNTER_ARENA_BYTES = 4 << 20;

export interface BoardConfig {
  numHarts: number;
  maxHarts: number;
  ramSize: number;
  /** Bytes to place in guest memory before start: [physical address, bytes]. */
  images: { addr: number; bytes: Uint8Array }[];
  /** Boot ROM contents (placed at VIRT.mrom.base). */
  rom: Uint8Array;
  /** virtio devices by transport slot (index 0 = 0x10001000). */
  virtio: (VirtioDevice | null)[];
  /** `-global virtio-mmio.force-legacy`: version 1 transports (QEMU 7.2's default) or version 2. */
  virtioLegacy: boolean;
  /** The CPU's optional extensions as decoder feature bits (src/target/riscv/isa.ts featureBits). */
  cpuFeatures: number;
  /** virtio-*-pci devices on pcie.0. */
  pci?: readonly PciPlacement[];
  /** The two pflash banks' contents (-drive if=pflash unit 0 and 1); blank zeros when absent. */
  flash?: readonly (FlashBacking | undefined)[];
  /** fw_cfg's NOGRAPHIC item. */
  nographic?: boolean;
  /** fw_cfg's kernel, initrd and command line (firmware in flash1 loads them). */
  fwCfgKernel?: { kernel: Uint8Array; initrd: Uint8Array | undefined; cmdline: string | undefined };
  serialOut: (bytes: Uint8Array) => void;
  /** `-icount`: mtime follows the executed instructions instead of the host clock. */
  icount?: IcountSettings;
}

/** -icount's instruction count: every hart's retired instructions (thread=single runs them all in turn). */
export function instructionCounter(states: readonly VcpuStateViews[]): () => number {
  return () => {
    let n = 0;
    for (const s of states) n += s.f64[SLOT_INSTRET];
    return n;
  };
}

export class VirtBoard implements HartIrqSink {
  readonly mem: GuestMemory;
  readonly memBuffers: GuestMemoryBuffers;
  readonly clint: ClintShared;
  readonly plic: Plic;
  readonly uart: Ns16550a;
  readonly devices: MmioDevice[] = [];
  /** Present only when harts can be hot-added (-smp maxcpus above cpus). */
  readonly hotplug: CpuHotplugController | undefined;
  readonly pcie: GpexHost;
  /** The shared state area of every possible hart (0 .. maxHarts-1), present or not: after RAM in its memory. */
  readonly hartStates: StateArea[] = [];
  /** LSR/LCR/MCR shadow for the vCPUs' UART fast path, republished after every UART access here. */
  readonly uartShadow = createUartShadow();
  private readonly uartShadowView = new Int32Array(this.uartShadow);

  /**
   * `control` receives the guest's power-off and reset requests (test
   * finisher); `log` the devices' -d guest_errors / unimp lines.
   */
  constructor(private readonly config: BoardConfig, control: MachineControl, log: GuestLog) {
    this.memBuffers = allocateRam(config);
    this.mem = new GuestMemory(this.memBuffers);
    this.clint = ClintShared.create(TIMEBASE_FREQ, hostClock, config.icount);
    const { ram: memory, stateAreasOffset } = this.memBuffers;
    for (let h = 0; h < config.maxHarts; h++) this.hartStates.push({ buffer: memory, byteOffset: stateAreasOffset + h * STATE_AREA_BYTES });
    this.clint.useInstructionClock(instructionCounter(this.hartStates.map((s) => stateViews(s))));
    this.plic = new Plic(this, config.maxHarts, { ...VIRT.plic, numSources: PLIC_NUM_SOURCES, log });
    this.uart = new Ns16550a(this.plic.irqLine(VIRT_IRQ.uart0), config.serialOut, VIRT.uart0);
    this.publishUart();
    this.devices.push(this.uart, this.plic, new GoldfishRtc(this.plic.irqLine(VIRT_IRQ.rtc), { ...VIRT.rtc, log }), new SifiveTest(control, { ...VIRT.test, log }));
    if (config.maxHarts > config.numHarts) {
      this.hotplug = new CpuHotplugController(this.plic.irqLine(VIRT_IRQ.cpuHotplug), config.maxHarts, config.numHarts, VIRT.cpuHotplug);
      this.devices.push(this.hotplug);
    }
    const ram = this.guestRam();
    for (let i = 0; i < VIRT.virtio.count; i++) {
      const irq: IrqLine = this.plic.irqLine(VIRT_IRQ.virtioBase + i);
      this.devices.push(new VirtioMmio(irq, ram, config.virtio[i] ?? null, {
        name: `virtio-mmio@${(VIRT.virtio.base + i * VIRT.virtio.size).toString(16)}`,
        base: VIRT.virtio.base + i * VIRT.virtio.size,
        size: VIRT.virtio.size,
        legacy: config.virtioLegacy,
        onError: (message) => log.guestError(`${message}\n`),
        // QEMU's virtio_error() goes through error_report(): always printed
        onDeviceError: (message) => writeAll(2, `${PROGRAM_NAME}: ${message}\n`),
      }));
    }
    this.pcie = this.createPcie();
    this.devices.push(...this.pcie.devices);
    for (let unit = 0; unit < 2; unit++) {
      const backing = config.flash?.[unit] ?? blankFlash();
      // code may run from the bank: a write (command, program, erase) drops every translation, once
      // code was translated from flash (firmware probing flash, as U-Boot does, runs no code there)
      const bank = new PflashCfi01(`virt.flash${unit}`, VIRT.flash.base + unit * PFLASH_BANK_SIZE, backing, log, () => {
        if (this.mem.flashHoldsCode) this.dropTranslations();
      });
      this.devices.push(bank);
      const shared = bank.shared();
      if (shared !== undefined) this.memBuffers.flash.push(shared);
    }
    this.devices.push(new FwCfg({ ...VIRT.fwCfg, numCpus: config.numHarts, nographic: config.nographic ?? true, dma: new GuestDma(this.guestRam()), kernel: config.fwCfgKernel }));
    this.loadBootImages();
  }

  /** Guest RAM as DMA-capable devices see it: the low views, and high RAM's banks when there is any. */
  private guestRam(): GuestRam {
    const m = this.mem;
    const low = { base: m.ramBase, size: m.lowSize, bytes: m.mu8 };
    if (m.highU8.length === 0) return low;
    return { ...low, high: { base: m.highBase, size: m.ramSize - m.lowSize, banks: m.highU8, bankBytes: HIGH_BANK_BYTES } };
  }

  /** The PCIe host bridge with its windows, INTA..INTD on PLIC 32..35, and the -device virtio-*-pci devices. */
  private createPcie(): GpexHost {
    const irqs = Array.from({ length: GPEX_NUM_IRQS }, (_, i) => this.plic.irqLine(VIRT_IRQ.pcieBase + i));
    const host = new GpexHost(irqs, { ecam: VIRT.pcieEcam, mmio: VIRT.pcieMmio, mmioHigh: pcieMmioHigh(this.config.ramSize), pio: VIRT.pciePio });
    const ram = this.guestRam();
    for (const p of this.config.pci ?? []) {
      host.plug(p.slot, new VirtioPci(ram, p.device, {
        typeName: p.typeName,
        id: p.id,
        onDeviceError: (message) => writeAll(2, `${PROGRAM_NAME}: ${message}\n`),
      }));
    }
    return host;
  }

  /**
   * Copy the boot ROM and the boot images (firmware, kernel, initrd, FDT) into
   * guest memory: at construction, and again at every system reset (QEMU's
   * rom_reset). An image that does not fit fails the first time already.
   */
  loadBootImages(): void {
    this.mem.load(VIRT.mrom.base, this.config.rom);
    for (const img of this.config.images) {
      if (!this.mem.load(img.addr, img.bytes)) throw new Error(`image at 0x${img.addr.toString(16)} does not fit guest memory`);
    }
  }

  /** Views of hart `hart`'s shared state block. */
  hartState(hart: number): VcpuStateViews {
    return stateViews(this.hartStates[hart]);
  }

  /**
   * Trace state or instrumentation changed what code must be generated: a new
   * memory epoch retires every translation, and every hart leaves its current
   * block (waking if it sleeps) to notice.
   */
  dropTranslations(): void {
    this.mem.bumpEpoch();
    this.kickAll();
  }

  /** Every hart leaves its current block (waking if it sleeps) to look at shared state. */
  kickAll(): void {
    for (const buf of this.hartStates) {
      const st = stateViews(buf);
      Atomics.store(st.i32, WORD_EXIT_REQUEST, 1);
      Atomics.add(st.i32, WORD_WAKE, 1);
      Atomics.notify(st.i32, WORD_WAKE);
    }
  }

  // ---- IRQ wiring (HartIrqSink: the PLIC's outputs) -------------------------------------

  setHartIrq(hartId: number, mipBit: number, level: boolean): void {
    const buf = this.hartStates[hartId];
    if (!buf) return;
    const state = stateViews(buf);
    const bit = 1 << mipBit;
    const old = level ? Atomics.or(state.i32, WORD_IRQ_LINES, bit) : Atomics.and(state.i32, WORD_IRQ_LINES, ~bit);
    if (((old & bit) !== 0) !== level) kickHart(state);
  }

  // ---- MMIO bus ---------------------------------------------------------------------------

  /**
   * The device regions as QEMU 7.2 has them (names, sizes, valid access sizes), CLINT
   * included: what a vCPU checks an access against before it reaches a device
   * (src/hw/io-regions.ts). Devices QEMU does not describe here (virtio-mmio, tsemu's
   * hot-plug controller) keep their slot and accept every size.
   */
  ioRegions(): IoRegion[] {
    const clint = VIRT.clint.base;
    const regions: IoRegion[] = [
      { ...SIFIVE_TEST_REGION, base: VIRT.test.base, size: VIRT.test.size },
      { ...RTC_REGION, base: VIRT.rtc.base },
      { ...CLINT_SWI_REGION, base: clint + CLINT_SWI_REGION.offset },
      { ...CLINT_MTIMER_REGION, base: clint + CLINT_MTIMER_REGION.offset },
      { ...PLIC_REGION, base: VIRT.plic.base, size: VIRT.plic.size },
      { ...UART_REGION, base: VIRT.uart0.base },
      ...FW_CFG_REGIONS.map(({ offset, ...r }) => ({ ...r, base: VIRT.fwCfg.base + offset })),
    ];
    for (const d of this.devices) {
      if (d === this.uart || d === this.plic || d.base === VIRT.rtc.base || d.base === VIRT.test.base || d.base === VIRT.fwCfg.base) continue;
      regions.push({ name: d.name, base: d.base, size: d.size, validMin: 0, validMax: 0 });
    }
    return regions;
  }

  private deviceAt(pa: number): MmioDevice | undefined {
    for (const d of this.devices) if (pa >= d.base && pa < d.base + d.size) return d;
    return undefined;
  }

  /**
   * A vCPU's device access; `uartRing` is the ring of UART bytes the vCPUs
   * posted. Undefined when no device serves the address.
   */
  mmioAccess(uartRing: UartRingReader, req: MmioRequest): bigint | undefined {
    uartRing.drain(); // bytes posted before this access come first (program order)
    const dev = this.deviceAt(req.pa);
    if (!dev) return undefined;
    const offset = req.pa - dev.base;
    let result = 0n;
    if (req.write) dev.write(offset, req.size as AccessSize, req.value);
    else result = dev.read(offset, req.size as AccessSize);
    if (dev === this.uart) this.publishUart();
    return result;
  }

  /** The reader of the vCPUs' posted UART bytes (the fast path's transmit side), feeding the UART here. */
  uartRingReader(ring: SharedArrayBuffer): UartRingReader {
    return new UartRingReader(ring, (byte) => {
      this.uart.write(0, 1, BigInt(byte));
      this.publishUart();
    });
  }

  /** Host console input for the guest's UART. */
  consoleInput(bytes: Uint8Array): void {
    this.uart.receive(bytes);
    this.publishUart();
  }

  private publishUart(): void {
    publishUartShadow(this.uartShadowView, this.uart.fastPathState());
  }

  // ---- reset and shutdown -----------------------------------------------------------------

  resetDevices(): void {
    for (const d of this.devices) d.reset?.();
  }

  /** Write out what devices buffered (disk images and the like); one failing does not stop the others. */
  flushDevices(): void {
    for (const d of this.devices) {
      try { d.flush?.(); } catch { /* keep flushing the others */ }
    }
  }
}

/**
 * The machine's guest memory, or QEMU's one-line error when the host cannot give that much RAM
 * (QEMU fails the same way, in memory_region_init_ram: the size itself is not limited).
 */
function allocateRam(config: BoardConfig): GuestMemoryBuffers {
  try {
    if (config.ramSize > MAX_HOST_RAM) throw new RangeError('beyond the page tables of tsemu');
    return createGuestMemoryBuffers(VIRT.dram.base, config.ramSize, VIRT.mrom.base, VIRT.mrom.size, { count: config.maxHarts, bytes: STATE_AREA_BYTES, arenaBytes: COUNTER_ARENA_BYTES }, config.cpuFeatures);
  } catch (e) {
    if (e instanceof RangeError) throw new BootError("cannot set up guest memory 'riscv_virt_board.ram': Cannot allocate memory");
    throw e;
  }
}

/** Guest RAM tsemu's per-page tables can index (codeChunks in int32 words); no host gives more anyway. */
const MAX_HOST_RAM = 256 * 1024 * 1024 * 1024;
