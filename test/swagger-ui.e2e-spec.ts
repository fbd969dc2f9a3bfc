import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, Locator, Page } from 'playwright-core';
import { Role } from '../libs/auth/src';
import { QueueName } from '../libs/enrichment/src';
import { CONTRACT_EXAMPLE_LEAD_IDS } from '../libs/leads/src';
import { assertChromiumInstalled, launchChromium, recordCspViolations } from './support/browser';
import { createTestApp, resetState, TestApp, tokenFor } from './support/test-app';
import { grant } from './support/requests';
const OUTPUT_DIR = join(__dirname, '..', 'test-output');
const ORG = 'org_swagger_ui';
const BULK_PATH = '/api/v1/operations/enrichment/bulk';

/**
 * What the README tells a newcomer to do, done by a real browser: open /docs, Authorize
 * with a member token, run the bulk endpoint's manual example with "Try it out", see 201.
 */
describe('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    assertChromiumInstalled();
    // Swagger UI calls the document's `servers` (PUBLIC_URL): the app must be there, so pick its port first.
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    t = await createTestApp({ RUN_WORKERS: 'false', PUBLIC_URL: baseUrl });
    await resetState(t.config, t.dataSource);
    await t.app.listen(port, '127.0.0.1');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('authorizes with a token and runs the manual bulk example: 201 with one enrichment per lead', async () => {
    await grant(t, ORG, 1000);
    const member = tokenFor(t.config, { orgId: ORG });

    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const cspViolations = await recordCspViolations(page);
    const docs = await page.goto(`${baseUrl}/docs`);
    expect(docs?.headers()['content-security-policy']).toContain("script-src 'self'");

    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.modal-ux');
    // Two schemes, bearer JWT and API key; each says where its credential comes from.
    await expect(dialog.textContent()).resolves.toContain('npm run token');
    await expect(dialog.textContent()).resolves.toContain('POST /api/v1/api-keys');
    const bearer = dialog.locator('.auth-container', { has: page.locator('#auth-bearer-value') });
    await bearer.locator('#auth-bearer-value').fill(member);
    await bearer.locator('button.authorize').click();
    await dialog.locator('button.btn-done').first().click();

    const operation = await runBulkExample(page);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    // The request body, Execute and the live 201 fit in one viewport from the example picker down.
    await operation.locator('.opblock-section-request-body').evaluate((element) => element.scrollIntoView());
    await page.screenshot({ path: join(OUTPUT_DIR, 'swagger-ui-bulk-201.png') });
    await page.close();
    expect(cspViolations).toEqual([]);
  });

  it('authorizes with an API key and runs the same example with "Try it out"', async () => {
    const owner = tokenFor(t.config, { orgId: ORG, sub: 'owner_swagger', role: Role.OWNER });
    const created = await t
      .http()
      .post('/api/v1/api-keys')
      .set('Authorization', `Bearer ${owner}`)
      .send({ name: 'swagger-ui' })
      .expect(201);
    const key = (created.body as { secret: string }).secret;
    await grant(t, ORG, 1000);

    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`${baseUrl}/docs`);
    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.modal-ux');
    const apiKey = dialog.locator('.auth-container', { hasText: 'X-API-Key' });
    await apiKey.locator('input').fill(key);
    await apiKey.locator('button.authorize').click();
    await dialog.locator('button.btn-done').first().click();

    // A new page is a new browser context: the key is the only credential Swagger UI can send,
    // so the 201 (not a 401) is the key at work.
    await runBulkExample(page);
    await page.close();
  });

  it('the queue dashboard and its sign-in page render under the Content-Security-Policy', async () => {
    const admin = tokenFor(t.config, { orgId: 'org_ops', sub: 'admin_dashboard', role: Role.ADMIN });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const cspViolations = await recordCspViolations(page);
    const login = await page.goto(`${baseUrl}/admin/queues/login`);
    expect(login?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#token').fill(admin);
    // The sign-in page's inline script (allowed by its hash) sets the cookie and opens the dashboard.
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${baseUrl}/admin/queues`);
    // bull-board's React app (its scripts and styles) rendered the queue list from its own API.
    await page.getByText(QueueName.ENRICHMENT, { exact: true }).first().waitFor();
    await page.screenshot({ path: join(OUTPUT_DIR, 'queue-dashboard.png') });
    await page.close();
    // Google Fonts may be unreachable offline; that is a network error, not a policy violation.
    expect(cspViolations).toEqual([]);
  });
});

/** "Try it out" on the bulk endpoint's manual example, as the page is authorized: 201 with both leads. */
async function runBulkExample(page: Page): Promise<Locator> {
  const operation = page.locator('.opblock-post', {
    has: page.locator(`.opblock-summary-path[data-path="${BULK_PATH}"]`),
  });
  await operation.locator('.opblock-summary').first().click();
  await operation.locator('button.try-out__btn').click();
  await operation.locator('.opblock-section-request-body select.examples-select-element').selectOption('manual');
  const body = operation.locator('.opblock-section-request-body textarea');
  await expectTextContains(() => body.inputValue(), CONTRACT_EXAMPLE_LEAD_IDS[0]);
  await operation.locator('button.execute').click();

  const status = operation.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();

  expect((await status.textContent())?.trim()).toBe('201');
  const responseBody = await operation
    .locator('.live-responses-table .response-col_description pre')
    .first()
    .textContent();
  const enrichments = JSON.parse(responseBody ?? '[]') as { entityId: string; status: string }[];
  expect(enrichments.map((e) => e.entityId)).toEqual(CONTRACT_EXAMPLE_LEAD_IDS.slice(0, 2));

  return operation;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function expectTextContains(read: () => Promise<string>, expected: string): Promise<void> {
  const deadline = Date.now() + 5000;
  let text = await read();
  while (!text.includes(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    text = await read();
  }
  expect(text).toContain(expected);
}
