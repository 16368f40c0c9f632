/**
 * The most characters a document's code may have: a QR code holds at most 4,296
 * alphanumerics. Anything longer is refused before any work. A module of its own so the
 * protocol can say so without bringing the codec into every page.
 */
export const MAX_CODE_CHARS = 4296;
