import { fingerprint, isE164, isEmailAddress, toE164, uniqueEmails, uniquePhones } from './contact-mapping';

describe('toE164', () => {
  it.each([
    ['+1 (415) 555-0123', 'Germany', '+14155550123'],
    ['+44 20 7946 0958', 'United States', '+442079460958'],
    ['0049 30 1234567', 'France', '+49301234567'],
    ['1-415-555-0123', 'Brazil', '+14155550123'],
    ['(415) 555-0123', 'United States', '+14155550123'],
    ['415.555.0123', 'Canada', '+14155550123'],
    ['+1 415 555 0123 ext. 42', 'United States', '+14155550123'],
  ])('reads %s (lead in %s) as %s', (raw, country, expected) => {
    expect(toE164(raw, country)).toBe(expected);
  });

  it.each([
    ['020 7946 0958', 'United Kingdom'],
    ['(415) 555-0123', 'Germany'],
    ['+0 123 4567 890', 'United States'],
    ['+1 23', 'United States'],
    ['call me', 'United States'],
  ])('refuses to guess %s (lead in %s)', (raw, country) => {
    expect(toE164(raw, country)).toBeNull();
  });

  // A `+` and 8–15 digits is not enough: the country's plan must have such a number.
  it.each([
    ['+1 200 555 0123', 'United States', 'an area code that does not exist'],
    ['+44 20 7946 095', 'United Kingdom', 'a digit short'],
    ['+33 1 23 45 67 89 00', 'France', 'too long for the plan'],
    ['+999 1234 5678', 'Germany', 'an unassigned country code'],
    ['(200) 555-0123', 'United States', 'a national number in no area'],
  ])('refuses %s (lead in %s): %s', (raw, country) => {
    expect(toE164(raw, country)).toBeNull();
  });
});

describe('isE164', () => {
  it('holds for valid numbers in canonical form only', () => {
    expect(isE164('+14155550123')).toBe(true);
    expect(isE164('+442079460958')).toBe(true);
    expect(isE164('+1 415 555 0123')).toBe(false);
    expect(isE164('+12005550123')).toBe(false);
    expect(isE164('+123456789')).toBe(false);
  });
});

describe('helpers', () => {
  it('drops repeated addresses and numbers, keeping the first', () => {
    expect(
      uniqueEmails([
        { address: 'a@x.com', verificationStatus: 'verified' },
        { address: 'A@X.com', verificationStatus: 'unverified' },
      ]),
    ).toEqual([{ address: 'a@x.com', verificationStatus: 'verified' }]);
    expect(
      uniquePhones([
        { number: '+14155550123', type: 'mobile' },
        { number: '+14155550123', type: 'office' },
      ]),
    ).toEqual([{ number: '+14155550123', type: 'mobile' }]);
  });

  it('tells addresses from junk', () => {
    expect(isEmailAddress('jane.doe@acme.com')).toBe(true);
    expect(isEmailAddress('jane.doe@')).toBe(false);
    expect(isEmailAddress(true)).toBe(false);
  });

  it('fingerprints credentials without revealing them', () => {
    expect(fingerprint('secret-key')).toMatch(/^[0-9a-f]{12}$/);
    expect(fingerprint('secret-key')).not.toBe(fingerprint('other-key'));
    expect(fingerprint('secret-key')).not.toContain('secret');
  });
});
