import { AppException, ErrorCode } from '@app/core';

/** RFC 6750 quoted-string: no quote or backslash inside. */
const quoted = (text: string) => `"${text.replace(/["\\]/g, "'")}"`;

/**
 * A 401 with its RFC 6750 challenge, which the auth guard puts in `WWW-Authenticate`:
 * `Bearer` when no credential came, plus `error="invalid_token"` when one came and was refused.
 */
export class AuthenticationFailed extends AppException {
  private constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(ErrorCode.UNAUTHORIZED, message);
  }

  static missing(message: string): AuthenticationFailed {
    return new AuthenticationFailed(message, 'Bearer');
  }

  static invalid(message: string): AuthenticationFailed {
    return new AuthenticationFailed(message, `Bearer error="invalid_token", error_description=${quoted(message)}`);
  }
}
