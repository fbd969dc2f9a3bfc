import { ContactField } from '@app/core';
import { describeVendorFailures, FAST_RETRIES, StubVendor, testLead } from '../testing/stub-vendor';
import { ApolloProvider } from './apollo.provider';

/** Apollo's bulk_match answer: one entry of `matches` per detail, null where nobody matched. */
function matchReply(...matches: Array<Record<string, unknown> | null>) {
  return {
    json: {
      status: 'success',
      matches,
      total_requested_enrichments: matches.length,
      unique_enriched_records: matches.filter(Boolean).length,
      missing_records: matches.filter((m) => m === null).length,
      credits_consumed: matches.filter(Boolean).length,
    },
  };
}

const person = (overrides: Record<string, unknown> = {}) => ({
  id: '64a7ff0cc4dfae00013df1a5',
  first_name: 'Jane',
  last_name: 'Doe',
  email: 'jane.doe@acme.com',
  email_status: 'verified',
  phone_numbers: [
    { raw_number: '+1 415-555-0123', sanitized_number: '+14155550123', type: 'work_direct', status: 'valid_number' },
    { raw_number: '(415) 555-0199', sanitized_number: '+14155550199', type: 'mobile', status: 'valid_number' },
    { raw_number: '+1 415 555 0100', sanitized_number: '+14155550100', type: 'home', status: 'valid_number' },
  ],
  ...overrides,
});

describe('ApolloProvider', () => {
  let stub: StubVendor;
  let emails: ApolloProvider;
  let phones: ApolloProvider;
  const settings = () => ({
    ...FAST_RETRIES,
    apiKey: 'apollo-secret',
    baseUrl: stub.url,
    rateLimit: { requests: 50, windowMs: 60_000 },
    maxBatchSize: 10,
  });

  beforeAll(async () => {
    stub = await StubVendor.start();
    emails = new ApolloProvider('apollo-emails', ContactField.EMAILS, settings());
    phones = new ApolloProvider('apollo-phones', ContactField.PHONES, settings());
  });
  afterEach(() => stub.reset());
  afterAll(() => stub.close());

  it('posts the details with x-api-key and maps matches by position', async () => {
    stub.queue(matchReply(person(), null));
    const leads = [
      testLead('a', { linkedinUrl: 'https://www.linkedin.com/in/janedoe' }),
      testLead('b', { companyDomain: '' }),
    ];
    const answer = await emails.lookup(leads);
    expect([...answer]).toEqual([
      ['a', { emails: [{ address: 'jane.doe@acme.com', verificationStatus: 'verified' }] }],
    ]);
    const [request] = stub.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/v1/people/bulk_match');
    expect(request.headers['x-api-key']).toBe('apollo-secret');
    expect(request.body).toEqual({
      details: [
        {
          first_name: 'Jane',
          last_name: 'Doe',
          domain: 'acme.com',
          organization_name: 'Acme',
          linkedin_url: 'https://www.linkedin.com/in/janedoe',
        },
        { first_name: 'Jane', last_name: 'Doe', organization_name: 'Acme' },
      ],
      reveal_personal_emails: false,
    });
  });

  it.each([
    ['extrapolated', 'likely'],
    ['guessed', 'unverified'],
  ])('maps email_status %s to %s', async (status, expected) => {
    stub.queue(matchReply(person({ email_status: status })));
    expect((await emails.lookup([testLead('a')])).get('a')).toEqual({
      emails: [{ address: 'jane.doe@acme.com', verificationStatus: expected }],
    });
  });

  it('finds nothing for a locked placeholder, an unavailable address or no email', async () => {
    stub.queue(
      matchReply(
        person({ email: 'email_not_unlocked@domain.com' }),
        person({ email_status: 'unavailable' }),
        person({ email: null }),
      ),
    );
    expect((await emails.lookup([testLead('a'), testLead('b'), testLead('c')])).size).toBe(0);
  });

  it('maps business phone numbers to E.164 with their type, leaving home numbers out', async () => {
    stub.queue(matchReply(person(), person({ phone_numbers: [] })));
    const answer = await phones.lookup([testLead('a'), testLead('b')]);
    expect([...answer]).toEqual([
      [
        'a',
        {
          phones: [
            { number: '+14155550123', type: 'direct' },
            { number: '+14155550199', type: 'mobile' },
          ],
        },
      ],
    ]);
  });

  it('never sends more than 10 people per call', () => {
    expect(
      new ApolloProvider('apollo-emails', ContactField.EMAILS, { ...settings(), maxBatchSize: 50 }).maxBatchSize,
    ).toBe(10);
  });

  it('counts both fields against one rate-limit bucket, as Apollo does', () => {
    expect(emails.rateLimit.bucket).toBe('apollo');
    expect(phones.rateLimit.bucket).toBe('apollo');
  });

  it('fails retryably when the matches do not line up with the details', async () => {
    stub.queue(matchReply(person()));
    await expect(emails.lookup([testLead('a'), testLead('b')])).rejects.toThrow(/1 matches for 2 people/);
  });

  describeVendorFailures('apollo', () => ({
    stub,
    provider: emails,
    lead: testLead('a'),
    found: matchReply(person()),
  }));
});
