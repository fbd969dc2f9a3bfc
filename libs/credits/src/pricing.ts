import { AppConfig, ContactField } from '@app/core';
import { CreditOperationType } from './credit.types';

const OPERATION_TYPE: Record<ContactField, CreditOperationType> = {
  [ContactField.EMAILS]: CreditOperationType.ENRICHMENT_EMAIL,
  [ContactField.PHONES]: CreditOperationType.ENRICHMENT_PHONE,
};

/** Credits per lead for a field, from config (emails 5, phones 20 by default). */
export function priceOf(config: Pick<AppConfig, 'PRICE_EMAILS' | 'PRICE_PHONES'>, field: ContactField): number {
  return field === ContactField.EMAILS ? config.PRICE_EMAILS : config.PRICE_PHONES;
}

export function operationTypeOf(field: ContactField): CreditOperationType {
  return OPERATION_TYPE[field];
}
