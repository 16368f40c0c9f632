/** `npm run db:migrate`: brings the database named by the environment up to date. */
import { createLogger } from '../http/log';
import { openDatabase } from './open';

const log = createLogger();
const database = await openDatabase({
	url: process.env.DATABASE_URL,
	dataDir: process.env.DATA_DIR ?? './data'
});
await database.close();
log.info('database is up to date', { database: database.kind });
