/**
 * What the upload test drives in the page: app/lib/files and the database, identity and
 * session it needs. Bundled by `bundleFilesModule` and served to the page by the test alone
 * (Playwright routing), so nothing test-only ships in the app.
 */
export { openDatabase } from '../../../app/lib/db/database';
export { deviceIdentity } from '../../../app/lib/sync/device';
export { registerDevice } from '../../../app/lib/sync/transport';
export { sessionTokens } from '../../../app/lib/sync/session-tokens';
export { confirmSignInCode, requestSignInCode } from '../../../app/lib/accounts/citizen-sign-in';
export { jpegHasApp1, prepareImage } from '../../../app/lib/files/prepare';
export { remoteFileStatus, storeFile, uploadFile } from '../../../app/lib/files/upload';
