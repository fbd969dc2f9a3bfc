export enum Role {
  MEMBER = 'member',
  ADMIN = 'admin',
}

/** Who is calling, from the verified token: `sub` → userId, `org_id` → orgId, `role`. */
export interface AuthUser {
  userId: string;
  orgId: string;
  role: Role;
}

/** The claims we issue and accept. */
export interface TokenClaims {
  sub: string;
  org_id: string;
  role: Role;
}
