import { SuppressionKind } from '../privacy.types';
import { normalisePhone, normaliseSuppressionValue, requireSuppressionValue } from './suppression-value';

describe('suppression values', () => {
  it('lower-cases emails and domains, and takes a domain with or without @', () => {
    expect(normaliseSuppressionValue(SuppressionKind.EMAIL, '  Jane.Doe@ACME.com ')).toBe('jane.doe@acme.com');
    expect(normaliseSuppressionValue(SuppressionKind.EMAIL_DOMAIN, '@Acme.COM')).toBe('acme.com');
  });

  it('writes phones in E.164 whatever the notation', () => {
    expect(normalisePhone('+1 (415) 555-0123')).toBe('+14155550123');
    expect(normaliseSuppressionValue(SuppressionKind.PHONE, '+44 20 7946 0958')).toBe('+442079460958');
  });

  it('refuses what is not a value of its kind', () => {
    expect(normaliseSuppressionValue(SuppressionKind.EMAIL, 'not-an-email')).toBeNull();
    expect(normaliseSuppressionValue(SuppressionKind.PHONE, '4155550123')).toBeNull();
    expect(normaliseSuppressionValue(SuppressionKind.PERSON, 'x')).toBeNull();
    expect(() => requireSuppressionValue(SuppressionKind.PHONE, '12')).toThrow('Invalid value');
  });

  it('lower-cases person ids', () => {
    expect(normaliseSuppressionValue(SuppressionKind.PERSON, '550E8400-E29B-41D4-A716-446655440001')).toBe(
      '550e8400-e29b-41d4-a716-446655440001',
    );
  });
});
