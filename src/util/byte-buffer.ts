/**
 * A growable run of bytes, written at the end and copied out with `set` (a memcpy). The
 * WebAssembly encoder (src/tcg/wasm-encoder.ts) writes its modules through these (a Linux boot:
 * 0.8 MB, 4 MB when every block is compiled after 100 runs): number arrays, each module's bytes
 * copied through four or five of them a byte at a time, took longer than V8's compile of them.
 */
export class ByteBuffer {
  private buf: Uint8Array;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(1, capacity));
  }

  push(byte: number): void {
    if (this.length === this.buf.length) this.reserve(1);
    this.buf[this.length++] = byte;
  }

  pushBytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  /** The bytes written so far: a view, valid until the next write. */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }
}
