import { ContactField } from '@app/core';
import { describeVendorFailures, FAST_RETRIES, StubVendor, testLead } from '../testing/stub-vendor';
import { GenericHttpProvider } from './generic-http.provider';

describe('GenericHttpProvider', () => {
  let stub: StubVendor;
  let emails: GenericHttpProvider;
  let phones: GenericHttpProvider;
  const settings = () => ({
    ...FAST_RETRIES,
    apiKey: 'Bearer generic-secret',
    authHeader: 'Authorization',
    baseUrl: `${stub.url}/enrich`,
    rateLimit: { requests: 100, windowMs: 1000 },
    maxBatchSize: 25,
  });

  beforeAll(async () => {
    stub = await StubVendor.start();
    emails = new GenericHttpProvider('generic-emails', ContactField.EMAILS, settings());
    phones = new GenericHttpProvider('generic-phones', ContactField.PHONES, settings());
  });
  afterEach(() => stub.reset());
  afterAll(() => stub.close());

  it('posts {field, leads} with the auth header and maps {results}', async () => {
    stub.queue({
      json: {
        results: [
          {
            id: 'a',
            emails: [{ address: 'Jane@Acme.com', verificationStatus: 'verified' }, { address: 'j@acme.com' }],
          },
          { id: 'stray', emails: [{ address: 'x@y.com' }] },
          { id: 'b', emails: [] },
        ],
      },
    });
    const leads = [testLead('a'), testLead('b'), testLead('c')];
    const answer = await emails.lookup(leads);
    expect([...answer]).toEqual([
      [
        'a',
        {
          emails: [
            { address: 'jane@acme.com', verificationStatus: 'verified' },
            { address: 'j@acme.com', verificationStatus: 'unverified' },
          ],
        },
      ],
    ]);
    const [request] = stub.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/enrich');
    expect(request.headers.authorization).toBe('Bearer generic-secret');
    expect(request.body).toEqual({ field: 'emails', leads });
    expect(emails.maxBatchSize).toBe(25);
  });

  it('normalises phones to E.164, dropping what cannot be', async () => {
    stub.queue({
      json: {
        results: [
          {
            id: 'a',
            phones: [
              { number: '(415) 555-0123', type: 'office' },
              { number: '+44 20 7946 0958' },
              { number: '0207 946 0958', type: 'mobile' },
            ],
          },
        ],
      },
    });
    expect((await phones.lookup([testLead('a')])).get('a')).toEqual({
      phones: [
        { number: '+14155550123', type: 'office' },
        { number: '+442079460958', type: 'direct' },
      ],
    });
  });

  it('refuses an unknown verification status or phone type as malformed', async () => {
    stub.queue({ json: { results: [{ id: 'a', emails: [{ address: 'j@acme.com', verificationStatus: 'sure' }] }] } });
    await expect(emails.lookup([testLead('a')])).rejects.toThrow(/malformed response.*verificationStatus/);
    stub.queue({ json: { results: [{ id: 'a', phones: [{ number: '+14155550123', type: 'fax' }] }] } });
    await expect(phones.lookup([testLead('a')])).rejects.toThrow(/malformed response.*\{number, type\}/);
  });

  describeVendorFailures('generic', () => ({
    stub,
    provider: emails,
    lead: testLead('a'),
    found: { json: { results: [{ id: 'a', emails: [{ address: 'j@acme.com' }] }] } },
  }));
});
