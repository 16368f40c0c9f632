/**
 * What text a person typed may hold: the one rule for answers, names and reasons, run by
 * the form as the person types and again by the server, which trusts nothing else.
 *
 * Refused: every control character (Unicode `Cc`: C0 U+0000–U+001F, DEL U+007F and C1
 * U+0080–U+009F), except a line break where the field is several lines, and every
 * bidirectional control (`Bidi_Control`: the embeddings and overrides U+202A–U+202E, the
 * isolates U+2066–U+2069, and the marks U+200E LRM, U+200F RLM and U+061C ALM).
 *
 * Why: none of them is typed by a keyboard, and each makes stored text lie when shown.
 * An override (U+202E) shows "Seitkali" for a name stored backwards, or reverses the
 * digits of a reference; a control (BEL, ESC, C1 CSI) acts on the terminal or log viewer
 * of whoever reads it, and is invisible on screen. The marks LRM and RLM are refused too,
 * although they do not reorder letters: Kazakh and Russian are written left to right, so
 * they have no honest use here, while they still move neutral characters (digits,
 * punctuation) across a right-to-left run and make two names that look the same differ.
 * Left alone: joiners (U+200C, U+200D), which emoji and some scripts need, and every
 * letter of every script.
 *
 * A carriage return is refused even in a multi-line field: browsers give a textarea's
 * value with `\n` line breaks only, so `\r` comes only from another client.
 */
const FORBIDDEN = /[\p{Cc}\p{Bidi_Control}]/u;
const FORBIDDEN_BUT_LINE_BREAK = /(?!\n)[\p{Cc}\p{Bidi_Control}]/u;

/**
 * Whether `text` holds what PostgreSQL's text cannot store: NUL, or a lone surrogate (in
 * `u` mode a lone surrogate is a code point of category Cs; a proper pair is not). JSON
 * carries both, so every free text a request brings is checked with this before SQL.
 */
export function cannotBeStored(text: string): boolean {
	return UNSTORABLE.test(text);
}
const UNSTORABLE = /[\0\p{Cs}]/u;

export interface TextRule {
	/** A field of several lines (a textarea, a reviewer's reason): `\n` is allowed. */
	multiline?: boolean;
}

/** True when `text` holds a character no field may keep (see above). */
export function hasForbiddenCharacter(text: string, rule: TextRule = {}): boolean {
	return (rule.multiline ? FORBIDDEN_BUT_LINE_BREAK : FORBIDDEN).test(text);
}
