import { Reflector } from '@nestjs/core';
import { IS_PUBLIC_KEY, Role, ROLES_KEY } from '@app/auth';
import { QueueDashboardController, QueueDashboardLoginController } from './queue-dashboard.controller';

describe('QueueDashboardController access', () => {
  const reflector = new Reflector();

  // bull-board's own routes (assets; actions such as retry, clean, pause) go through the
  // catch-all handler, whose paths the OpenAPI document cannot describe: the e2e tests reach
  // the documented routes, this checks that every handler, the catch-all included, needs admin.
  it('requires the admin role on every handler and opens none to the public', () => {
    const prototype = QueueDashboardController.prototype;
    const handlers = Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor');
    expect(handlers).toEqual(expect.arrayContaining(['page', 'queues', 'openSession', 'assets']));
    for (const name of handlers) {
      const handler = prototype[name as keyof QueueDashboardController];
      const targets = [handler, QueueDashboardController];
      expect(reflector.getAllAndOverride(ROLES_KEY, targets)).toEqual([Role.ADMIN]);
      expect(reflector.getAllAndOverride(IS_PUBLIC_KEY, targets)).toBeUndefined();
    }
  });

  it('leaves only the sign-in form public', () => {
    expect(reflector.get(IS_PUBLIC_KEY, QueueDashboardLoginController)).toBe(true);
  });
});
