/**
 * The part of the WebAssembly JS API tsemu uses (Node 20 has all of it): the project compiles
 * without the DOM library, where TypeScript declares these types, and @types/node does not.
 * Used by guest memory (one shared Memory for RAM and vCPU state) and the WebAssembly tier (its link Table).
 */
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    /** An ArrayBuffer, or a SharedArrayBuffer for a shared memory. */
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  interface TableDescriptor {
    element: 'anyfunc';
    initial: number;
    maximum?: number;
  }
  /** A table of function references: only exported WebAssembly functions (or null) go in it. */
  class Table {
    constructor(descriptor: TableDescriptor);
    readonly length: number;
    grow(delta: number): number;
    /** Throws a TypeError for a value that is not a WebAssembly function. */
    set(index: number, value: ((...args: never[]) => unknown) | null): void;
    get(index: number): ((...args: never[]) => unknown) | null;
  }
  /** A number is the value of an imported immutable global. */
  type ImportValue = Memory | Table | number | ((...args: never[]) => unknown);
  type Imports = Record<string, Record<string, ImportValue>>;
  type ExportValue = Memory | ((...args: never[]) => unknown);
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, ExportValue>;
  }
  function validate(bytes: Uint8Array): boolean;
  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}
}
