/** Errors of library loading, kept apart from loader.ts so importing them does not pull in esbuild and TypeScript. */
export class LibraryLoadError extends Error {
  override readonly name = 'LibraryLoadError';
}

/** What a library threw, as text, whatever it is (a Symbol, an object whose toString throws). */
export function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return `a value that cannot be shown (${typeof error})`;
  }
}
