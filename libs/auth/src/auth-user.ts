export enum Role {
  /** Uses its org's API. */
  MEMBER = 'member',
  /** Also manages its org: API keys, webhooks, spend limits, settings, its do-not-enrich list. */
  OWNER = 'owner',
  /** A platform operator (admin console); honoured only for the orgs in ADMIN_ORG_IDS. */
  ADMIN = 'admin',
}

/**
 * What each role may also do: an owner is a member who manages its org; an operator (admin of
 * an operator org) manages its own org too. A route's `@Roles(...)` is met when the caller's
 * role grants any of them.
 */
const GRANTS: Record<Role, readonly Role[]> = {
  [Role.MEMBER]: [Role.MEMBER],
  [Role.OWNER]: [Role.OWNER, Role.MEMBER],
  [Role.ADMIN]: [Role.ADMIN, Role.OWNER, Role.MEMBER],
};

export function roleGrants(role: Role, required: Role): boolean {
  return GRANTS[role].includes(required);
}

/**
 * Who is calling: `sub` → userId, `org_id` → orgId, `role` — from a verified token, or from an
 * API key (then `apiKeyId` is set, `role` is member and `scopes` lists what the key may do).
 * The role is the *effective* one: `admin` only for an operator org (ADMIN_ORG_IDS).
 */
export interface AuthUser {
  userId: string;
  orgId: string;
  role: Role;
  apiKeyId?: string;
  scopes?: readonly string[];
}

/** The claims we issue and accept. */
export interface TokenClaims {
  sub: string;
  org_id: string;
  role: Role;
}
