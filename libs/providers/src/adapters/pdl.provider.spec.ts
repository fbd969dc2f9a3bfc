import { ContactField } from '@app/core';
import { ProviderAuthError } from '../provider.errors';
import { describeVendorFailures, FAST_RETRIES, StubRequest, StubVendor, testLead } from '../testing/stub-vendor';
import { PdlProvider } from './pdl.provider';

const person = (overrides: Record<string, unknown> = {}) => ({
  full_name: 'jane doe',
  work_email: 'Jane.Doe@acme.com',
  emails: [
    { address: 'jane.doe@acme.com', type: 'current_professional' },
    { address: 'jdoe@old-employer.com', type: 'professional' },
    { address: 'jane1984@gmail.com', type: 'personal' },
  ],
  mobile_phone: '+14155550199',
  phone_numbers: ['+14155550199', '+14155550123'],
  ...overrides,
});

/** PDL's bulk answer: one {status, data, metadata} per request, in order, echoing metadata. */
function bulkReply(request: StubRequest, answers: Record<string, Record<string, unknown> | null>) {
  const { requests } = request.body as { requests: Array<{ metadata: { lead_id: string } }> };
  return {
    json: requests.map(({ metadata }) =>
      answers[metadata.lead_id]
        ? { status: 200, likelihood: 9, data: answers[metadata.lead_id], metadata }
        : {
            status: 404,
            error: { type: 'not_found', message: 'No records were found matching your request' },
            metadata,
          },
    ),
  };
}

describe('PdlProvider', () => {
  let stub: StubVendor;
  let emails: PdlProvider;
  let phones: PdlProvider;
  const settings = () => ({
    ...FAST_RETRIES,
    apiKey: 'pdl-secret',
    baseUrl: stub.url,
    rateLimit: { requests: 10, windowMs: 60_000 },
    maxBatchSize: 100,
  });

  beforeAll(async () => {
    stub = await StubVendor.start();
    emails = new PdlProvider('pdl-emails', ContactField.EMAILS, settings());
    phones = new PdlProvider('pdl-phones', ContactField.PHONES, settings());
  });
  afterEach(() => {
    stub.reset();
    stub.answer(() => ({ status: 404 }));
  });
  afterAll(() => stub.close());

  it('posts one request per lead with X-Api-Key, and maps work addresses only', async () => {
    stub.answer((request) => bulkReply(request, { a: person() }));
    const answer = await emails.lookup([
      testLead('a', { linkedinUrl: 'linkedin.com/in/janedoe' }),
      testLead('b', { companyDomain: '', companyName: 'Beta Corp' }),
    ]);
    expect([...answer]).toEqual([
      [
        'a',
        {
          emails: [
            { address: 'jane.doe@acme.com', verificationStatus: 'likely' },
            { address: 'jdoe@old-employer.com', verificationStatus: 'unverified' },
          ],
        },
      ],
    ]);
    const [request] = stub.requests;
    expect(request.path).toBe('/v5/person/bulk');
    expect(request.headers['x-api-key']).toBe('pdl-secret');
    expect(request.body).toEqual({
      requests: [
        {
          metadata: { lead_id: 'a' },
          params: { first_name: 'Jane', last_name: 'Doe', company: 'acme.com', profile: 'linkedin.com/in/janedoe' },
        },
        { metadata: { lead_id: 'b' }, params: { first_name: 'Jane', last_name: 'Doe', company: 'Beta Corp' } },
      ],
    });
  });

  it('maps the mobile and the other numbers, once each', async () => {
    stub.answer((request) => bulkReply(request, { a: person() }));
    expect((await phones.lookup([testLead('a')])).get('a')).toEqual({
      phones: [
        { number: '+14155550199', type: 'mobile' },
        { number: '+14155550123', type: 'direct' },
      ],
    });
  });

  it('skips fields the plan does not include (sent as true) and finds nothing then', async () => {
    stub.answer((request) =>
      bulkReply(request, { a: person({ work_email: true, emails: true, mobile_phone: true, phone_numbers: true }) }),
    );
    expect((await emails.lookup([testLead('a')])).size).toBe(0);
    expect((await phones.lookup([testLead('a')])).size).toBe(0);
  });

  it('matches answers by the echoed lead id, whatever their order', async () => {
    stub.queue({
      json: [
        { status: 404, metadata: { lead_id: 'a' } },
        { status: 200, data: person(), metadata: { lead_id: 'b' } },
      ].reverse(),
    });
    expect([...(await emails.lookup([testLead('a'), testLead('b')])).keys()]).toEqual(['b']);
  });

  it('fails retryably when one of the answers failed upstream', async () => {
    stub.queue({ json: [{ status: 200, data: person() }, { status: 503 }] });
    await expect(emails.lookup([testLead('a'), testLead('b')])).rejects.toMatchObject({ retryable: true });
  });

  it('disables on 402 (credits exhausted)', async () => {
    stub.queue({
      status: 402,
      json: { error: { type: 'payment_required', message: 'You have hit your account maximum' } },
    });
    await expect(emails.lookup([testLead('a')])).rejects.toBeInstanceOf(ProviderAuthError);
  });

  describeVendorFailures('pdl', () => ({
    stub,
    provider: emails,
    lead: testLead('a'),
    found: { json: [{ status: 200, data: person(), metadata: { lead_id: 'a' } }] },
  }));
});
