/** Errors of library loading, kept apart from loader.ts so importing them does not pull in esbuild and TypeScript. */
export class LibraryLoadError extends Error {
  override readonly name = 'LibraryLoadError';
}
