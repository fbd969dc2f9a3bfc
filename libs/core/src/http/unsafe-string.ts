/** NUL, or a surrogate code point: in `u` mode a well-formed pair is one code point, never `\p{Cs}`. */
const UNSAFE_CHARACTER = /[\u0000\p{Cs}]/u;

/**
 * Whether a string cannot be stored and compared as text: PostgreSQL refuses NUL (U+0000) in
 * text (error 22021, which would surface as a 500), and a lone UTF-16 surrogate is no character
 * at all (UTF-8 cannot encode it, so the stored value would differ from the one sent).
 */
export function isUnsafeString(value: string): boolean {
  return UNSAFE_CHARACTER.test(value);
}

/** Why such a string was refused, in the validation envelope's words (after the field's name). */
export const UNSAFE_STRING_MESSAGE = 'must not contain NUL characters (U+0000) or lone UTF-16 surrogates';
