import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppException, ErrorCode } from '@app/core';
import { OrgThrottlerGuard } from './org-throttler.guard';

type Req = { user?: { orgId: string }; ip: string; headers: Record<string, string> };

function contextFor(req: Req, headers: Record<string, unknown>): ExecutionContext {
  const res = { header: (name: string, value: unknown) => (headers[name] = value) };
  return {
    getHandler: () => contextFor,
    getClass: () => OrgThrottlerGuard,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
}

async function guardWith(storage: ThrottlerStorage): Promise<OrgThrottlerGuard> {
  const guard = new OrgThrottlerGuard({ throttlers: [{ limit: 2, ttl: 60000 }] }, storage, new Reflector());
  await guard.onModuleInit();
  return guard;
}

describe('OrgThrottlerGuard', () => {
  it('counts per org for authenticated callers and per IP otherwise, one key whatever the route', async () => {
    const keys: string[] = [];
    const guard = await guardWith({
      increment: async (key) => {
        keys.push(key);
        return { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };
      },
    });
    await guard.canActivate(contextFor({ user: { orgId: 'org_a' }, ip: '10.0.0.1', headers: {} }, {}));
    await guard.canActivate(contextFor({ ip: '10.0.0.1', headers: {} }, {}));
    expect(keys).toEqual(['default:org:org_a', 'default:ip:10.0.0.1']);
  });

  it('answers RATE_LIMITED with Retry-After and RateLimit-* headers once blocked', async () => {
    const guard = await guardWith({
      increment: async () => ({ totalHits: 3, timeToExpire: 42, isBlocked: true, timeToBlockExpire: 42 }),
    });
    const headers: Record<string, unknown> = {};
    const refused = guard.canActivate(contextFor({ user: { orgId: 'org_a' }, ip: '::1', headers: {} }, headers));
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.RATE_LIMITED });
    await expect(refused).rejects.toBeInstanceOf(AppException);
    expect(headers).toEqual({
      'Retry-After': 42,
      'RateLimit-Limit': 2,
      'RateLimit-Remaining': 0,
      'RateLimit-Reset': 42,
    });
  });

  it('lets the request through when the storage (Redis) fails', async () => {
    const guard = await guardWith({
      increment: async () => {
        throw new Error('Connection is closed.');
      },
    });
    await expect(guard.canActivate(contextFor({ ip: '10.0.0.2', headers: {} }, {}))).resolves.toBe(true);
  });
});
