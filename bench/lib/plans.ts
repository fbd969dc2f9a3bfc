import { Role } from '../../libs/auth/src/auth-user';
import { signToken } from '../../libs/auth/src/token';
import { PlannedRequest } from './load';

/** The secret every API the bench starts verifies tokens with. */
export const JWT_SECRET = 'bench-only-secret-0123456789abcdef';

/** A member's bearer token for `orgId`, valid for a day. */
export function token(orgId: string): string {
  return signToken(
    { sub: `bench-user-${orgId}`, org_id: orgId, role: Role.MEMBER },
    { secret: JWT_SECRET, expiresInSeconds: 24 * 3600 },
  );
}

/**
 * Manual requests of 2 new leads each, the orgs in turn, each org walking the leads from its own
 * start (`offset` moves every start, so two plans over one database do not meet).
 */
export function manualPlan(orgs: string[], ids: string[], offset = 0): () => PlannedRequest {
  const tokens = orgs.map(token);
  const cursor = orgs.map((_, i) => (offset + i * 7919) % ids.length);
  let turn = 0;
  return () => {
    const org = turn++ % orgs.length;
    const at = cursor[org];
    cursor[org] = (at + 2) % ids.length;
    const includedIds = [ids[at], ids[(at + 1) % ids.length]];
    return {
      token: tokens[org],
      body: JSON.stringify({ selection: { mode: 'manual', includedIds }, field: 'emails' }),
    };
  };
}

/** Bulk requests of `size` leads, one fresh org per request, windows spread over the lead order. */
export function bulkPlan(orgs: string[], size: number, people: number): () => PlannedRequest {
  let turn = 0;
  return () => {
    const i = turn++;
    if (i >= orgs.length) throw new Error('bulk plan ran out of orgs');
    const startIndex = (i * 997) % Math.max(1, people - size);
    return {
      token: token(orgs[i]),
      body: JSON.stringify({
        selection: { mode: 'bulk', startIndex, targetCount: size, filters: {} },
        field: 'emails',
      }),
      expectItems: size,
    };
  };
}
