import { openDatabase } from './database';

/** The app's one device database. */
export const db = openDatabase();
