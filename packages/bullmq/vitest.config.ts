import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Starts a private redis-server for the run when MANYHANDS_REDIS_URL names none.
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-redis.ts'],
  },
});
