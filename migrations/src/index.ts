export { loadMigrations, MIGRATIONS_DIR, type MigrateResult, type Migration, migrate } from './migrate.js';
