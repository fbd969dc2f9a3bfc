/** What a customer can ask us to find for a lead. Prices, providers and results are per field. */
export enum ContactField {
  EMAILS = 'emails',
  PHONES = 'phones',
}

export const CONTACT_FIELDS = Object.values(ContactField);
