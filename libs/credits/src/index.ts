export * from './credit.types';
export * from './credits.exceptions';
export * from './credits.module';
export * from './credits.service';
export * from './limits/spend-limit.types';
export * from './limits/spend-limit-exceeded.exception';
export { CreditLotsService } from './lots/services/credit-lots.service';
export { CreditExpirySweepService } from './lots/services/credit-expiry-sweep.service';
export * from './alerts/credit-alert.types';
