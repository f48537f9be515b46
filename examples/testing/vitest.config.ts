import { defineConfig } from 'vitest/config';

/** Runs the vitest-style example on its own (the project's suite only includes test/**). */
export default defineConfig({
  test: { include: ['examples/testing/**/*.vitest.test.ts'], testTimeout: 20_000, hookTimeout: 30_000 },
});
