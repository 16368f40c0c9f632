import { bundledCatalogue } from '../../sync-server/catalogue/catalogue';
import type { Database } from '../../sync-server/db/open';
import { DEVELOPMENT_DOCUMENT_SECRET } from '../../sync-server/documents/key-secret';
import { documentKeyStore, type DocumentKeys } from '../../sync-server/documents/signing-keys';
import { decide as decideOnServer, type DecisionInput } from '../../sync-server/office/review';

const stores = new WeakMap<Database, DocumentKeys>();

/** The key store a test app on `db` signs with (createApp's default), one per database. */
export function testDocumentKeys(db: Database): DocumentKeys {
	let store = stores.get(db);
	if (!store) stores.set(db, (store = documentKeyStore(db, DEVELOPMENT_DOCUMENT_SECRET)));
	return store;
}

/** A decision by no one in particular, as tests make one straight on the database. */
export function decide(db: Database, applicationId: string, input: DecisionInput) {
	return decideOnServer(db, applicationId, input, {}, bundledCatalogue, testDocumentKeys(db));
}
