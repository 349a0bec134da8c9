/* Test library: a valid module that exports neither qi_init nor qi_fini. */
export const not_an_instrumentation_library = true;
