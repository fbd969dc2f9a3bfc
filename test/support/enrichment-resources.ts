import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Test } from 'supertest';
import { Role } from '../../libs/auth/src';
import { QueueName } from '../../libs/enrichment/src';
import { createTestApp, resetState, TestApp, tokenFor, waitFor } from './test-app';

/** Calls the API as the holder of `token`. */
export interface Caller {
  get: (path: string) => Test;
  post: (path: string, body?: object) => Test;
}

/**
 * What the enrichment resource specs share: an app that runs its workers (batches of 10),
 * the enrichment queue (paused by a spec that needs pending work to stay pending), a member
 * of `org` and an operator, and a clean state before each test. Call it at the top of a
 * `describe`: it registers the hooks; the fields are set once `beforeAll` has run.
 */
export class EnrichmentResources {
  t!: TestApp;
  queue!: Queue;
  member!: string;
  admin!: string;

  constructor(readonly org: string) {
    beforeAll(async () => {
      this.t = await createTestApp({ RUN_WORKERS: 'true', ENRICHMENT_BATCH_SIZE: '10' });
      this.queue = this.t.app.get<Queue>(getQueueToken(QueueName.ENRICHMENT));
      this.member = tokenFor(this.t.config, { orgId: org, sub: 'user_res' });
      this.admin = tokenFor(this.t.config, { orgId: 'org_ops', sub: 'admin_res', role: Role.ADMIN });
    });
    afterAll(() => this.t.close());
    beforeEach(async () => {
      await resetState(this.t.config, this.t.dataSource);
      await this.queue.resume(true);
    });
  }

  as(token: string): Caller {
    return {
      get: (path) => this.t.http().get(path).set('Authorization', `Bearer ${token}`),
      post: (path, body) => this.t.http().post(path).set('Authorization', `Bearer ${token}`).send(body),
    };
  }

  /** An operator grants credits (to the member's org unless told otherwise). */
  async grant(amount: number, orgId = this.org): Promise<void> {
    await this.as(this.admin).post(`/api/v1/admin/orgs/${orgId}/credits`, { amount, source: 'manual' }).expect(201);
  }

  /** The operation's progress once it reaches `status`, as the member reads it. */
  waitForOperation(id: string, status = 'completed') {
    return waitFor(async () => {
      const res = await this.as(this.member).get(`/api/v1/operations/enrichment/operations/${id}`);
      return res.body.status === status && res.body;
    });
  }
}
