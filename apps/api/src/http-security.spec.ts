import express from 'express';
import request from 'supertest';
import { loadConfig } from '@app/core';
import { corsOptions, securityHeaders } from './http-security';

const appWith = (env: Record<string, string>) =>
  express()
    .use(securityHeaders(loadConfig({ JWT_SECRET: 'a-secret-of-enough-length', METRICS_PUBLIC: 'true', ...env })))
    .get('/', (_req, res) => {
      res.json({ ok: true });
    });

describe('securityHeaders', () => {
  it('sends HSTS in production only', async () => {
    const production = await request(appWith({ NODE_ENV: 'production' }))
      .get('/')
      .expect(200);
    expect(production.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(production.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    const development = await request(appWith({ NODE_ENV: 'development' }))
      .get('/')
      .expect(200);
    expect(development.headers['strict-transport-security']).toBeUndefined();
    expect(development.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('allows no inline script but the dashboard sign-in page’s, by hash', async () => {
    const res = await request(appWith({})).get('/').expect(200);
    const scriptSrc = /script-src ([^;]+)/.exec(res.headers['content-security-policy'])?.[1];
    expect(scriptSrc).toMatch(/^'self' 'sha256-[A-Za-z0-9+/]+=*'$/);
  });
});

describe('corsOptions', () => {
  it('is off without CORS_ORIGINS', () => {
    expect(corsOptions(loadConfig({}))).toBeUndefined();
  });
});
